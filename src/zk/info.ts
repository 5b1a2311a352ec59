import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../models/index.js';
import { type CircuitLayout, type CircuitOptions, generateCircuit, templatesSource } from './circuit.js';
import { COMMITMENT_CHUNK, zkCommitmentHex } from './commitment.js';
import { DEFAULT_VALUE_BITS } from './encoding.js';
import { COMMITTED_DIR, compileCircom, compileCircuit, DEFAULT_CACHE_DIR } from './setup.js';
import { snarkjs } from './snarkjs.js';

export type ZkInfo = {
  circuitHash: string;
  constraints: number;
  layout: CircuitLayout;
  /** Names of the public signals, in order. */
  publicSignals: string[];
  zkCommitment: `0x${string}`;
  /** Hashes recorded in zk/artifacts.json when it describes this circuit, else undefined. */
  committed: Record<string, string> | undefined;
  ptau: string | undefined;
};

/** What `provenant zk info` prints: constraints, public signal names, commitment, artefact hashes. */
export async function zkInfo(model: ModelFile, options: CircuitOptions = {}): Promise<ZkInfo> {
  const gen = generateCircuit(model, options);
  const compiled = await compileCircuit(model, options);
  const l = gen.layout;
  const values = [
    ...model.outputs.map((n) => `output:${n}`),
    ...model.inputs.map((n) => `feature:${n}`),
    ...Array.from({ length: l.answers }, (_, k) => `answer:${k}`),
  ];
  const publicSignals = [
    'commitment',
    ...Array.from(
      { length: l.packedElements },
      (_, m) => `packed[${m}] = ${values.slice(m * l.perElement, (m + 1) * l.perElement).join(' | ')}`,
    ),
  ];
  const recorded = recordedArtifacts(gen.hash);
  return {
    circuitHash: gen.hash,
    constraints: compiled.constraints,
    layout: l,
    publicSignals,
    zkCommitment: zkCommitmentHex(model),
    committed: recorded?.files,
    ptau: recorded?.ptau,
  };
}

/** The entry of zk/artifacts.json (`circuits.<name>`) that describes the circuit `circuitHash`, if any. */
export function recordedArtifacts(
  circuitHash: string,
): { name: string; files: Record<string, string>; ptau: string; constraints: number } | undefined {
  const file = join(COMMITTED_DIR, 'artifacts.json');
  if (!existsSync(file)) return undefined;
  const all = JSON.parse(readFileSync(file, 'utf8')) as {
    circuits?: Record<
      string,
      { circuitHash?: string; files: Record<string, string>; ptau: string; constraints: number }
    >;
  };
  for (const [name, entry] of Object.entries(all.circuits ?? {}))
    if (entry.circuitHash === circuitHash)
      return { name, files: entry.files, ptau: entry.ptau, constraints: entry.constraints };
  return undefined;
}

/**
 * Constraints of each part of the circuit — every dense layer, the range checks of the public inputs,
 * the Poseidon weight commitment — measured by compiling each part alone with the circuit's own
 * templates (O2; cached under `<cacheDir>/parts/`). Their sum is within a few percent of the whole
 * circuit: O2 merges some linear constraints across parts, and packing the public values adds a few.
 */
export async function constraintsPerPart(
  model: ModelFile,
  options: CircuitOptions & { cacheDir?: string | undefined } = {},
): Promise<{ part: string; constraints: number }[]> {
  const valueBits = options.valueBits ?? DEFAULT_VALUE_BITS;
  const answers = options.answers ?? 2;
  const s = model.scaleBits;
  const measure = async (body: string): Promise<number> => {
    const src = `pragma circom 2.1.0;\ninclude "poseidon.circom";\ninclude "bitify.circom";\n${templatesSource(s)}\n${body}\n`;
    const dir = join(
      options.cacheDir ?? DEFAULT_CACHE_DIR,
      'parts',
      createHash('sha256').update(src).digest('hex').slice(0, 16),
    );
    const file = join(dir, 'part.circom');
    const r1cs = join(dir, 'part.r1cs');
    if (!existsSync(r1cs)) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, src);
      compileCircom(file, dir);
    }
    return (await snarkjs.r1cs.info(r1cs)).nConstraints;
  };
  const parts: { part: string; constraints: number }[] = [];
  for (const [i, l] of model.layers.entries()) {
    parts.push({
      part: `dense ${i} (${l.inputs}→${l.outputs} ${l.activation})`,
      constraints: await measure(
        `component main = Dense(${l.inputs}, ${l.outputs}, ${s}, ${valueBits}, ${l.activation === 'relu' ? 1 : 0});`,
      ),
    });
  }
  const ranges = model.inputs.length + answers;
  parts.push({
    part: `range checks (${model.inputs.length} features + ${answers} answers × ${valueBits} bits)`,
    constraints: await measure(
      `template R() { signal input v[${ranges}]; component r[${ranges}]; for (var i = 0; i < ${ranges}; i++) { r[i] = SignedRange(${valueBits}); r[i].in <== v[i]; } }\ncomponent main = R();`,
    ),
  });
  const weights = model.layers.reduce((a, l) => a + l.inputs * l.outputs + l.outputs, 0);
  const chunks = Math.ceil(weights / COMMITMENT_CHUNK);
  parts.push({
    part: `Poseidon commitment (${weights} weights, ${chunks} × Poseidon(16))`,
    constraints: await measure(
      `template P() { signal input e[${chunks * 16}]; signal output h[${chunks}]; component p[${chunks}]; for (var c = 0; c < ${chunks}; c++) { p[c] = Poseidon(16); for (var k = 0; k < 16; k++) p[c].inputs[k] <== e[c * 16 + k]; h[c] <== p[c].out; } }\ncomponent main = P();`,
    ),
  });
  return parts;
}
