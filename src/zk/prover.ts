import { readFileSync } from 'node:fs';
import type { ModelFile } from '../models/index.js';
import { inferFixed } from '../models/index.js';
import type { CircuitLayout } from './circuit.js';
import { zkCommitment } from './commitment.js';
import { inValueRange, packValues, toField, unpackValues } from './encoding.js';
import { ZkCircuitError, ZkToolError } from './errors.js';
import type { ZkArtifacts } from './setup.js';
import { type Groth16Proof, snarkjs, type VerificationKey } from './snarkjs.js';

/** What is proven: fixed-point features (at the model's scaleBits) and the raw oracle answers they came from. */
export type ProveParameters = {
  /** Fixed-point integer features, exactly as passed to `inferFixed`. */
  features: readonly number[];
  /** Raw oracle answers (int256 on-chain, within the circuit's valueBits), in round order. */
  answers: readonly bigint[];
};

export type ForecastProof = {
  proof: Groth16Proof;
  /** Decimal strings, in circuit order: [commitment, packed…]. */
  publicSignals: string[];
  /** The fixed-point forecast outputs (equal to `inferFixed(model, features)`). */
  outputs: bigint[];
  commitment: bigint;
  /** Arguments for `Groth16Verifier.verifyProof` / `ForecastProofGate.submit`. */
  calldata: {
    a: [bigint, bigint];
    b: [[bigint, bigint], [bigint, bigint]];
    c: [bigint, bigint];
    publicSignals: bigint[];
  };
};

function checkShape(layout: CircuitLayout, params: ProveParameters) {
  if (params.features.length !== layout.features)
    throw new ZkCircuitError(
      `${params.features.length} features given, the circuit takes ${layout.features}`,
    );
  if (params.answers.length !== layout.answers)
    throw new ZkCircuitError(
      `${params.answers.length} oracle answers given, the circuit takes ${layout.answers}`,
    );
  for (const v of [...params.features.map(BigInt), ...params.answers])
    if (!inValueRange(v, layout.valueBits))
      throw new ZkCircuitError(
        `value ${v} is outside the ${layout.valueBits}-bit signed range the circuit proves`,
      );
}

/** The circuit's input JSON (all private): features, answers, and every weight as a field element. */
export function witnessInput(model: ModelFile, params: ProveParameters): Record<string, unknown> {
  const f = (v: number | bigint) => toField(v).toString();
  const input: Record<string, unknown> = { x: params.features.map(f) };
  if (params.answers.length > 0) input.answers = params.answers.map(f);
  model.layers.forEach((l, i) => {
    input[`w${i}`] = Array.from({ length: l.outputs }, (_, o) =>
      l.weights.slice(o * l.inputs, (o + 1) * l.inputs).map(f),
    );
    input[`b${i}`] = l.bias.map(f);
  });
  return input;
}

/**
 * The public signals the circuit must produce, computed by the agent's own fixed-point path
 * (`inferFixed`) — the proven forecast is the forecast the agent acted on.
 */
export function expectedPublicSignals(
  model: ModelFile,
  layout: CircuitLayout,
  params: ProveParameters,
): { signals: bigint[]; outputs: bigint[]; commitment: bigint } {
  checkShape(layout, params);
  const outputs = inferFixed(model, [...params.features]).map(BigInt);
  for (const v of outputs)
    if (!inValueRange(v, layout.valueBits))
      throw new ZkCircuitError(`forecast output ${v} exceeds the ${layout.valueBits}-bit signed range`);
  const commitment = zkCommitment(model);
  const packed = packValues(
    [...outputs, ...params.features.map(BigInt), ...params.answers],
    layout.valueBits,
  );
  return { signals: [commitment, ...packed], outputs, commitment };
}

/** Decodes public signals into their parts. */
export function decodePublicSignals(
  layout: CircuitLayout,
  signals: readonly (string | bigint)[],
): { commitment: bigint; outputs: bigint[]; features: bigint[]; answers: bigint[] } {
  const s = signals.map(BigInt);
  const values = unpackValues(
    s.slice(1),
    layout.outputs + layout.features + layout.answers,
    layout.valueBits,
  );
  return {
    commitment: s[0]!,
    outputs: values.slice(0, layout.outputs),
    features: values.slice(layout.outputs, layout.outputs + layout.features),
    answers: values.slice(layout.outputs + layout.features),
  };
}

const loaded = new Map<string, { type: 'mem'; data: Uint8Array }>();
function inMemory(path: string): { type: 'mem'; data: Uint8Array } {
  let file = loaded.get(path);
  if (!file) {
    file = { type: 'mem', data: new Uint8Array(readFileSync(path)) };
    loaded.set(path, file);
  }
  return file;
}

/** Proves one inference in-process (snarkjs groth16.fullProve) and checks the result against `inferFixed`. */
export async function prove(
  artifacts: ZkArtifacts,
  model: ModelFile,
  params: ProveParameters,
): Promise<ForecastProof> {
  const expected = expectedPublicSignals(model, artifacts.layout, params);
  let result: { proof: Groth16Proof; publicSignals: string[] };
  try {
    // Witness generator and proving key are read once per process and handed to snarkjs from memory.
    result = await snarkjs.groth16.fullProve(
      witnessInput(model, params),
      inMemory(artifacts.wasm),
      inMemory(artifacts.zkey),
    );
  } catch (error) {
    throw new ZkToolError(
      'prove',
      'the witness generator rejected the inputs',
      'Check that the model matches the circuit (same architecture and scaleBits) and the values are within range.',
      error,
    );
  }
  const got = result.publicSignals.map(BigInt);
  if (got.length !== expected.signals.length || got.some((v, i) => v !== expected.signals[i]))
    throw new ZkToolError(
      'prove',
      'the circuit output differs from the TypeScript fixed-point forecast',
      `circuit ${got.join(',')} vs inferFixed ${expected.signals.join(',')}`,
    );
  return {
    ...result,
    outputs: expected.outputs,
    commitment: expected.commitment,
    calldata: toCalldata(result.proof, got),
  };
}

/** Verifies a proof off-chain against a verification key. */
export async function verifyProof(
  vkey: VerificationKey,
  proof: Groth16Proof,
  publicSignals: readonly (string | bigint)[],
): Promise<boolean> {
  return snarkjs.groth16.verify(vkey, publicSignals.map(String), proof);
}

/** Solidity argument order: pi_b's coordinates are swapped (c1, c0), as snarkjs' exportSolidityCallData does. */
export function toCalldata(proof: Groth16Proof, publicSignals: readonly bigint[]): ForecastProof['calldata'] {
  const b = (i: number, j: number) => BigInt(proof.pi_b[i]![j]!);
  return {
    a: [BigInt(proof.pi_a[0]!), BigInt(proof.pi_a[1]!)],
    b: [
      [b(0, 1), b(0, 0)],
      [b(1, 1), b(1, 0)],
    ],
    c: [BigInt(proof.pi_c[0]!), BigInt(proof.pi_c[1]!)],
    publicSignals: [...publicSignals],
  };
}
