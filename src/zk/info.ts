import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelFile, ORACLE_FEATURE_ANSWERS } from '../models/index.js';
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
  const values = model.outputs.map((n) => `output:${n}`);
  const publicSignals = [
    'commitment',
    `accLast (feed accumulator after the ${l.answers} answers)`,
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
 * Constraints of each part of the circuit — the feature prelude (answer range checks, the 20 constrained
 * divisions, feature sums and range checks), the feed accumulator chain, every dense layer, the Poseidon
 * weight commitment — measured by compiling each part alone with the circuit's own
 * templates (O2; cached under `<cacheDir>/parts/`). Their sum is within a few percent of the whole
 * circuit: O2 merges some linear constraints across parts.
 */
export async function constraintsPerPart(
  model: ModelFile,
  options: CircuitOptions & { cacheDir?: string | undefined } = {},
): Promise<{ part: string; constraints: number }[]> {
  const valueBits = options.valueBits ?? DEFAULT_VALUE_BITS;
  const answers = ORACLE_FEATURE_ANSWERS;
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
  parts.push({
    part: `oracle features (${answers} answers → ${answers - 1} divisions → ${model.inputs.length} features, ${valueBits}-bit ranges)`,
    constraints: await measure(`component main = OracleFeatures(${answers}, ${s}, ${valueBits});`),
  });
  parts.push({
    part: `feed accumulator (${answers} × Poseidon(2))`,
    constraints: await measure(`component main = FeedAccumulator(${answers});`),
  });
  for (const [i, l] of model.layers.entries()) {
    parts.push({
      part: `dense ${i} (${l.inputs}→${l.outputs} ${l.activation})`,
      constraints: await measure(
        `component main = Dense(${l.inputs}, ${l.outputs}, ${s}, ${valueBits}, ${l.activation === 'relu' ? 1 : 0});`,
      ),
    });
  }
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
