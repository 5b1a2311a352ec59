import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../models/index.js';
import { type CircuitLayout, type CircuitOptions, generateCircuit } from './circuit.js';
import { zkCommitmentHex } from './commitment.js';
import { COMMITTED_DIR, compileCircuit } from './setup.js';

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
  const file = join(COMMITTED_DIR, 'artifacts.json');
  const recorded = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as {
        circuitHash?: string;
        files?: Record<string, string>;
        ptau?: string;
      })
    : undefined;
  const matches = recorded?.circuitHash === gen.hash;
  return {
    circuitHash: gen.hash,
    constraints: compiled.constraints,
    layout: l,
    publicSignals,
    zkCommitment: zkCommitmentHex(model),
    committed: matches ? recorded?.files : undefined,
    ptau: matches ? recorded?.ptau : undefined,
  };
}
