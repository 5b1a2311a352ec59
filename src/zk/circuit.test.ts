import { beforeAll, describe, expect, test } from 'vitest';
import {
  inferFixed,
  ORACLE_FEATURE_NAMES,
  OracleFeatureError,
  oracleFeaturesFixed,
} from '../models/index.js';
import { accumulate } from './accumulator.js';
import { generateCircuit } from './circuit.js';
import { zkCommitment } from './commitment.js';
import { toField } from './encoding.js';
import { ZkCircuitError } from './errors.js';
import { zkInfo } from './info.js';
import { decodePublicSignals, expectedPublicSignals, prove, verifyProof, witnessInput } from './prover.js';
import { wtiInputs } from './realInputs.js';
import { ridgeFixtureModel } from './ridge.js';
import { type CompiledCircuit, compileCircuit, setup } from './setup.js';
import { testModel } from './testModel.js';
import { calculateWitness, checkWitness } from './witness.js';

const model = testModel();

describe('generateCircuit', () => {
  test('same architecture and scale give the same circuit; weights do not enter the source', () => {
    const a = generateCircuit(model);
    const b = generateCircuit(testModel({ seed: 99 }));
    expect(b.hash).toBe(a.hash);
    expect(a.layout).toMatchObject({
      answers: 21,
      features: 5,
      outputs: 2,
      weightCount: 34,
      valueBits: 40,
      perElement: 6,
      packedElements: 1,
      publicSignalCount: 3,
      binding: 'feed-accumulator',
    });
    expect(a.source).not.toMatch(/assert\s*\(/);
    expect(generateCircuit(testModel({ scaleBits: 12 })).hash).not.toBe(a.hash);
    expect(a.source).toContain('scaleBits 20');
    expect(a.source).toContain('What a proof says');
  });

  test('behavior: refuses a model whose inputs are not the oracle features, naming them and the fix', () => {
    expect(() => generateCircuit(testModel({ sizes: [8, 4, 2] }))).toThrowErrorMatchingInlineSnapshot(`
      [ZkCircuitError: Cannot build the inference circuit: model 'zk-test-7' takes inputs [f0, f1, f2, f3, f4, f5, f6, f7]; the circuit derives exactly [oret_0, oret_1, oret_2, omom_20, oabs_20] from 21 oracle answers

      Train the forecaster on the oracle features: trainForecaster({ features: oracleDatasetFeatures('wti-daily', { scaleBits }), ... }) (src/models/forecast/oracleFeatures.ts).

      Docs: zk/README.md]
    `);
    const renamed = structuredClone(model);
    renamed.inputs = [...ORACLE_FEATURE_NAMES].reverse();
    expect(() => generateCircuit(renamed)).toThrow(ZkCircuitError);
  });

  test('behavior: refuses activations it cannot prove', () => {
    const bad = structuredClone(model);
    bad.layers[0]!.activation = 'tanh';
    expect(() => generateCircuit(bad)).toThrow(/layer 0 has activation 'tanh'/);
  });
});

describe('inference circuit (features derived from 21 answers, bound by the accumulator)', () => {
  let art: CompiledCircuit;
  beforeAll(async () => {
    // Compiles on first use (seconds), then cached by circuit hash. No keys needed here.
    art = await compileCircuit(model);
  }, 600_000);

  const publicOf = (w: bigint[]) => w.slice(1, 1 + art.layout.publicSignalCount);

  test('outputs equal inferFixed(oracleFeaturesFixed(answers)) bit for bit on real WTI windows; accLast = accumulate', async () => {
    for (let offset = 0; offset < 400; offset += 20) {
      const inputs = wtiInputs(model, offset);
      const accPrev = offset === 0 ? 0n : accumulate(0n, [BigInt(offset)]);
      const params = { answers: inputs.answers, accPrev };
      const w = await calculateWitness(art.wasm, witnessInput(model, params));
      const decoded = decodePublicSignals(art.layout, publicOf(w));
      const features = oracleFeaturesFixed(inputs.answers, model.scaleBits);
      expect(decoded.outputs).toEqual(inferFixed(model, features.map(Number)).map(BigInt));
      expect(decoded.accLast).toBe(accumulate(accPrev, inputs.answers));
      expect(decoded.commitment).toBe(zkCommitment(model));
      expect(publicOf(w)).toEqual(expectedPublicSignals(model, art.layout, params).signals);
    }
  });

  test('bit for bit on seeded crashes and spikes (negative floors, ReLU zeroing, large |r|)', async () => {
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let k = 0; k < 6; k++) {
      const answers = [BigInt(Math.round(1e9 + next() * 1e11))];
      for (let i = 1; i < 21; i++) {
        const move = 1 + (next() * 2 - 1) * (k % 2 === 0 ? 0.5 : 0.02);
        answers.push(BigInt(Math.max(1, Math.round(Number(answers[i - 1]!) * move))));
      }
      const params = { answers, accPrev: BigInt(k) };
      const w = await calculateWitness(art.wasm, witnessInput(model, params));
      expect(publicOf(w)).toEqual(expectedPublicSignals(model, art.layout, params).signals);
    }
  });

  test('soundness: the honest witness satisfies the r1cs; a changed forecast, accLast or commitment does not', async () => {
    const inputs = wtiInputs(model);
    const w = await calculateWitness(art.wasm, witnessInput(model, inputs));
    expect(await checkWitness(art.r1cs, w)).toBe(true);
    const forecast = [...w];
    forecast[3] = w[3]! + 1n; // packed[0] holds the forecast outputs
    expect(await checkWitness(art.r1cs, forecast)).toBe(false);
    const acc = [...w];
    acc[2] = accumulate(0n, inputs.answers.slice(1)); // the chain of other answers
    expect(await checkWitness(art.r1cs, acc)).toBe(false);
    const commitment = [...w];
    commitment[1] = toField(zkCommitment(testModel({ seed: 99 })));
    expect(await checkWitness(art.r1cs, commitment)).toBe(false);
  });

  test('behavior: the witness generator refuses answers outside 1..2^(n−1) and returns outside n bits', async () => {
    const inputs = wtiInputs(model);
    const zero = [...inputs.answers];
    zero[7] = 0n;
    await expect(
      calculateWitness(art.wasm, witnessInput(model, { answers: zero, accPrev: 0n })),
    ).rejects.toThrow();
    const huge = [...inputs.answers];
    huge[19] = 1n;
    huge[20] = 1n << 39n; // from 1 to 2^39: r ≈ 2^39 · 2^20, far outside 40 signed bits
    await expect(
      calculateWitness(art.wasm, witnessInput(model, { answers: huge, accPrev: 0n })),
    ).rejects.toThrow();
  });

  test('behavior: the TypeScript side names the problem before any witness is computed', () => {
    const inputs = wtiInputs(model);
    const negative = [...inputs.answers];
    negative[3] = -3763000000n;
    expect(() => expectedPublicSignals(model, art.layout, { answers: negative, accPrev: 0n })).toThrow(
      OracleFeatureError,
    );
    expect(() =>
      expectedPublicSignals(model, art.layout, { answers: inputs.answers.slice(1), accPrev: 0n }),
    ).toThrow(/20 oracle answers given, the circuit takes 21/);
    const huge = [...inputs.answers];
    huge[19] = 1n;
    huge[20] = 1n << 39n;
    expect(() => expectedPublicSignals(model, art.layout, { answers: huge, accPrev: 0n })).toThrow(
      /return 20 of the window .* is outside the 40-bit signed range/,
    );
    huge[20] = (1n << 39n) + 1n;
    expect(() => expectedPublicSignals(model, art.layout, { answers: huge, accPrev: 0n })).toThrow(
      /answer 20 \(549755813889\) exceeds 2\^39/,
    );
    expect(() => expectedPublicSignals(model, art.layout, { answers: inputs.answers, accPrev: -1n })).toThrow(
      /accPrev -1 is not a field element/,
    );
    expect(() => decodePublicSignals(art.layout, [1n, 2n])).toThrow(
      /2 public signals given, the circuit has 3/,
    );
  });

  test('zkInfo reports constraints, public signal names and the commitment', async () => {
    const info = await zkInfo(model);
    expect(info.constraints).toBe(art.constraints);
    expect(info.publicSignals).toEqual([
      'commitment',
      'accLast (feed accumulator after the 21 answers)',
      'packed[0] = output:o0 | output:o1',
    ]);
    expect(BigInt(info.zkCommitment)).toBe(zkCommitment(model));
  });

  test('behavior: other weights of the same architecture prove a different commitment', async () => {
    const other = testModel({ seed: 99 });
    const w = await calculateWitness(art.wasm, witnessInput(other, wtiInputs(other)));
    expect(w[1]).toBe(zkCommitment(other));
    expect(w[1]).not.toBe(zkCommitment(model));
  });
});

describe('prove / verify (in-process groth16, the ridge forecaster)', () => {
  // The agent's ridge forecaster: its circuit's keys are committed in zk/ridge/, so a clean clone proves
  // without a setup (otherwise the first run makes a 2^14 devnet ptau and a phase 2: minutes, then cached).
  const ridge = ridgeFixtureModel();

  test('proves on real WTI answers, verifies, and refuses tampered public signals', async () => {
    const art = await setup(ridge);
    const inputs = wtiInputs(ridge);
    const p = await prove(art, ridge, inputs);
    expect(p.features).toEqual(oracleFeaturesFixed(inputs.answers, 20));
    expect(p.outputs).toEqual(inferFixed(ridge, p.features.map(Number)).map(BigInt));
    expect(p.accLast).toBe(accumulate(0n, inputs.answers));
    expect(p.publicSignals.map(BigInt)).toEqual([
      zkCommitment(ridge),
      p.accLast,
      ...p.calldata.publicSignals.slice(2),
    ]);
    expect(await verifyProof(art.vkey, p.proof, p.publicSignals)).toBe(true);
    for (const i of [1, 2]) {
      const tampered = [...p.publicSignals];
      tampered[i] = (BigInt(tampered[i]!) + 1n).toString();
      expect(await verifyProof(art.vkey, p.proof, tampered)).toBe(false);
    }
  }, 1_200_000);

  test('behavior: inputs of the wrong shape are refused before proving', async () => {
    const art = await setup(ridge);
    await expect(prove(art, ridge, { answers: [1n, 2n], accPrev: 0n })).rejects.toThrow(
      /2 oracle answers given, the circuit takes 21/,
    );
  }, 1_200_000);
});
