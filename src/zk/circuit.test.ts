import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { inferFixed, parseModelFile } from '../models/index.js';
import { generateCircuit } from './circuit.js';
import { zkCommitment } from './commitment.js';
import { toField } from './encoding.js';
import { zkInfo } from './info.js';
import { decodePublicSignals, expectedPublicSignals, prove, verifyProof, witnessInput } from './prover.js';
import { wtiInputs } from './realInputs.js';
import { type CompiledCircuit, compileCircuit, REPO_ROOT, setup } from './setup.js';
import { testModel } from './testModel.js';
import { calculateWitness, checkWitness } from './witness.js';

const model = testModel();
const ANSWERS = 2;

describe('generateCircuit', () => {
  test('same architecture and scale give the same circuit; weights do not enter the source', () => {
    const a = generateCircuit(model, { answers: ANSWERS });
    const b = generateCircuit(testModel({ seed: 99 }), { answers: ANSWERS });
    expect(b.hash).toBe(a.hash);
    expect(a.layout).toMatchObject({
      features: 8,
      outputs: 2,
      answers: 2,
      weightCount: 90,
      valueBits: 40,
      perElement: 6,
      packedElements: 2,
      publicSignalCount: 3,
    });
    expect(a.source).not.toMatch(/assert/);
    expect(generateCircuit(testModel({ scaleBits: 12 })).hash).not.toBe(a.hash);
    expect(a.source).toContain('scaleBits 20');
  });

  test('behavior: refuses activations it cannot prove', () => {
    const bad = structuredClone(model);
    bad.layers[0]!.activation = 'tanh';
    expect(() => generateCircuit(bad)).toThrowErrorMatchingInlineSnapshot(`
      [ZkCircuitError: Cannot build the inference circuit: layer 0 has activation 'tanh'

      Only relu and linear layers can be proven; train the forecaster with those activations.

      Docs: docs/zk.md]
    `);
  });
});

describe('inference circuit', () => {
  let art: CompiledCircuit;
  beforeAll(async () => {
    // Compiles on first use (about a minute), then cached by circuit hash. No keys needed here.
    art = await compileCircuit(model, { answers: ANSWERS });
  }, 600_000);

  const publicOf = (w: bigint[]) => w.slice(1, 1 + art.layout.publicSignalCount);

  test('circuit output equals the TypeScript fixed-point forecast bit for bit on real WTI rows', async () => {
    for (let offset = 0; offset < 40; offset += 4) {
      const inputs = wtiInputs(model, ANSWERS, offset);
      const w = await calculateWitness(art.wasm, witnessInput(model, inputs));
      const expected = expectedPublicSignals(model, art.layout, inputs);
      expect(publicOf(w)).toEqual(expected.signals);
      const decoded = decodePublicSignals(art.layout, publicOf(w));
      expect(decoded.outputs).toEqual(inferFixed(model, [...inputs.features]).map(BigInt));
      expect(decoded.features).toEqual(inputs.features.map(BigInt));
      expect(decoded.answers).toEqual([...inputs.answers]);
      expect(decoded.commitment).toBe(zkCommitment(model));
    }
  });

  test('bit for bit on seeded large and negative inputs (exercises negative floors and ReLU zeroing)', async () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 6; k++) {
      const features = Array.from({ length: 8 }, () => Math.round((next() * 2 - 1) * 2 ** 24));
      const inputs = { features, answers: [BigInt(Math.round(next() * 1e10)), -37_63000000n] };
      const w = await calculateWitness(art.wasm, witnessInput(model, inputs));
      expect(publicOf(w)).toEqual(expectedPublicSignals(model, art.layout, inputs).signals);
    }
  });

  test('soundness: the honest witness satisfies the r1cs; a changed forecast or commitment does not', async () => {
    const inputs = wtiInputs(model, ANSWERS);
    const w = await calculateWitness(art.wasm, witnessInput(model, inputs));
    expect(await checkWitness(art.r1cs, w)).toBe(true);
    const forecast = [...w];
    forecast[2] = w[2]! + 1n; // packed[0] holds the forecast outputs
    expect(await checkWitness(art.r1cs, forecast)).toBe(false);
    const commitment = [...w];
    commitment[1] = toField(zkCommitment(testModel({ seed: 99 })));
    expect(await checkWitness(art.r1cs, commitment)).toBe(false);
  });

  test('zkInfo reports constraints, public signal names and the commitment', async () => {
    const info = await zkInfo(model, { answers: ANSWERS });
    expect(info.constraints).toBe(art.constraints);
    expect(info.publicSignals).toEqual([
      'commitment',
      'packed[0] = output:o0 | output:o1 | feature:f0 | feature:f1 | feature:f2 | feature:f3',
      'packed[1] = feature:f4 | feature:f5 | feature:f6 | feature:f7 | answer:0 | answer:1',
    ]);
    expect(BigInt(info.zkCommitment)).toBe(zkCommitment(model));
  });

  const shipped = join(REPO_ROOT, 'models', 'forecaster-wti.json');
  test.skipIf(!existsSync(shipped))(
    'the shipped forecaster (models/forecaster-wti.json) runs bit for bit in the same circuit',
    async () => {
      const real = parseModelFile(readFileSync(shipped, 'utf8'), shipped);
      expect(generateCircuit(real, { answers: ANSWERS }).hash).toBe(art.circuitHash);
      for (let offset = 0; offset < 250; offset += 25) {
        const inputs = wtiInputs(real, ANSWERS, offset);
        const w = await calculateWitness(art.wasm, witnessInput(real, inputs));
        const expected = expectedPublicSignals(real, art.layout, inputs);
        expect(publicOf(w)).toEqual(expected.signals);
        expect(decodePublicSignals(art.layout, publicOf(w)).outputs).toEqual(
          inferFixed(real, [...inputs.features]).map(BigInt),
        );
      }
    },
  );

  test('behavior: other weights of the same architecture prove a different commitment', async () => {
    const other = testModel({ seed: 99 });
    const inputs = wtiInputs(other, ANSWERS);
    const w = await calculateWitness(art.wasm, witnessInput(other, inputs));
    expect(w[1]).toBe(zkCommitment(other));
    expect(w[1]).not.toBe(zkCommitment(model));
  });
});

describe('prove / verify (in-process groth16)', () => {
  // A small model of the same kind keeps a clean clone's first setup short (devnet ptau 2^11 and a
  // phase 2 in well under two minutes); the shipped circuit's proof is exercised by
  // src/zk/generateArtifacts.ts and verified on-chain by contracts/test/zk with the committed fixture.
  const small = testModel({ sizes: [3, 2, 1], seed: 3 });
  const inputs = { features: [52_000, -310_000, 7], answers: [8_648_000_000n] };

  test('proves, verifies, and refuses tampered public signals', async () => {
    const art = await setup(small, { answers: 1 });
    const p = await prove(art, small, inputs);
    expect(p.outputs).toEqual(inferFixed(small, inputs.features).map(BigInt));
    expect(await verifyProof(art.vkey, p.proof, p.publicSignals)).toBe(true);
    expect(BigInt(p.publicSignals[0]!)).toBe(zkCommitment(small));
    const tampered = [...p.publicSignals];
    tampered[1] = (BigInt(tampered[1]!) + 1n).toString();
    expect(await verifyProof(art.vkey, p.proof, tampered)).toBe(false);
  }, 600_000);

  test('behavior: inputs of the wrong shape are refused before proving', async () => {
    const art = await setup(small, { answers: 1 });
    await expect(prove(art, small, { features: [1, 2], answers: [1n] })).rejects.toThrow(
      /2 features given, the circuit takes 3/,
    );
  }, 600_000);
});
