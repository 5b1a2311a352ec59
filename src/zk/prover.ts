import { readFileSync } from 'node:fs';
import type { ModelFile } from '../models/index.js';
import {
  inferFixed,
  ORACLE_FEATURE_ANSWERS,
  oracleFeaturesOfReturns,
  oracleReturnsFixed,
} from '../models/index.js';
import { accumulate } from './accumulator.js';
import type { CircuitLayout } from './circuit.js';
import { zkCommitment } from './commitment.js';
import { inValueRange, packValues, toField, unpackValues } from './encoding.js';
import { ZkCircuitError, ZkToolError } from './errors.js';
import { FIELD_P } from './poseidon.js';
import type { ZkArtifacts } from './setup.js';
import { type Groth16Proof, snarkjs, type VerificationKey } from './snarkjs.js';

/** What is proven: 21 consecutive oracle answers and the feed accumulator before the first of them. */
export type ProveParameters = {
  /** ORACLE_FEATURE_ANSWERS (21) consecutive raw oracle answers (int256 on-chain), oldest first, each > 0. */
  answers: readonly bigint[];
  /** The feed accumulator before answers[0] (acc(firstRound − 1); 0 when answers[0] is the accumulator's START_ROUND). */
  accPrev: bigint;
};

export type ForecastProof = {
  proof: Groth16Proof;
  /** Decimal strings, in circuit order: [commitment, accLast, packed…]. */
  publicSignals: string[];
  /** The fixed-point forecast outputs (equal to `inferFixed(model, features)`). */
  outputs: bigint[];
  commitment: bigint;
  /** The accumulator after the last answer: equals FeedAccumulator.accumulatorAt(lastRoundId) on-chain. */
  accLast: bigint;
  /** The fixed-point oracle features derived from the answers (for display; private in the proof). */
  features: bigint[];
  /** Arguments for `Groth16Verifier.verifyProof` / `ForecastProofGate.submit`. */
  calldata: {
    a: [bigint, bigint];
    b: [[bigint, bigint], [bigint, bigint]];
    c: [bigint, bigint];
    publicSignals: bigint[];
  };
};

/**
 * Checks the answers against what the circuit can prove and returns the oracle features. A non-positive
 * answer throws the models' OracleFeatureError (no features exist for that window); a value outside the
 * circuit's range throws ZkCircuitError.
 */
function checkedFeatures(model: ModelFile, layout: CircuitLayout, params: ProveParameters): bigint[] {
  if (params.answers.length !== layout.answers)
    throw new ZkCircuitError(
      `${params.answers.length} oracle answers given, the circuit takes ${layout.answers}`,
      `Pass the ${ORACLE_FEATURE_ANSWERS} consecutive answers of rounds lastRoundId − ${ORACLE_FEATURE_ANSWERS - 1}..lastRoundId, oldest first.`,
    );
  if (typeof params.accPrev !== 'bigint' || params.accPrev < 0n || params.accPrev >= FIELD_P)
    throw new ZkCircuitError(
      `accPrev ${String(params.accPrev)} is not a field element`,
      'Pass FeedAccumulator.accumulatorAt(firstRound − 1): a uint256 below the BN254 field modulus (0 before START_ROUND).',
    );
  const returns = oracleReturnsFixed(params.answers, model.scaleBits);
  const max = 1n << BigInt(layout.valueBits - 1);
  params.answers.forEach((a, i) => {
    if (a > max)
      throw new ZkCircuitError(
        `answer ${i} (${a}) exceeds 2^${layout.valueBits - 1}, the largest answer the circuit proves`,
        'Build the circuit with a larger valueBits (generateCircuit(model, { valueBits })) for this feed.',
      );
  });
  returns.forEach((r, i) => {
    if (!inValueRange(r, layout.valueBits))
      throw new ZkCircuitError(
        `return ${i + 1} of the window (${r} at scale 2^${model.scaleBits}) is outside the ${layout.valueBits}-bit signed range`,
        'A price moved by more than the range allows; use a larger valueBits or a smaller scaleBits.',
      );
  });
  const features = oracleFeaturesOfReturns(returns);
  features.forEach((f, i) => {
    if (!inValueRange(f, layout.valueBits))
      throw new ZkCircuitError(
        `feature ${model.inputs[i] ?? i} (${f}) is outside the ${layout.valueBits}-bit signed range`,
        'Use a larger valueBits or a smaller scaleBits.',
      );
  });
  return features;
}

/** The circuit's input JSON (all private): accPrev, the answers, and every weight as a field element. */
export function witnessInput(model: ModelFile, params: ProveParameters): Record<string, unknown> {
  const f = (v: number | bigint) => toField(v).toString();
  const input: Record<string, unknown> = { accPrev: f(params.accPrev), answers: params.answers.map(f) };
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
 * (`oracleFeaturesFixed` then `inferFixed`) and the accumulator chain (`accumulate`) — the proven
 * forecast is the forecast the agent acted on.
 */
export function expectedPublicSignals(
  model: ModelFile,
  layout: CircuitLayout,
  params: ProveParameters,
): { signals: bigint[]; outputs: bigint[]; commitment: bigint; accLast: bigint; features: bigint[] } {
  const features = checkedFeatures(model, layout, params);
  const outputs = inferFixed(model, features.map(Number)).map(BigInt);
  for (const v of outputs)
    if (!inValueRange(v, layout.valueBits))
      throw new ZkCircuitError(`forecast output ${v} exceeds the ${layout.valueBits}-bit signed range`);
  const commitment = zkCommitment(model);
  const accLast = accumulate(params.accPrev, params.answers);
  const packed = packValues(outputs, layout.valueBits);
  return { signals: [commitment, accLast, ...packed], outputs, commitment, accLast, features };
}

/** Decodes public signals `[commitment, accLast, packed…]` into their parts. */
export function decodePublicSignals(
  layout: CircuitLayout,
  signals: readonly (string | bigint)[],
): { commitment: bigint; accLast: bigint; outputs: bigint[] } {
  const s = signals.map(BigInt);
  if (s.length !== layout.publicSignalCount)
    throw new ZkCircuitError(
      `${s.length} public signals given, the circuit has ${layout.publicSignalCount} ([commitment, accLast, packed…])`,
      'Decode the signals with the layout of the circuit that produced them.',
    );
  return {
    commitment: s[0]!,
    accLast: s[1]!,
    outputs: unpackValues(s.slice(2), layout.outputs, layout.valueBits),
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

/**
 * Proves one inference in-process (snarkjs groth16.fullProve) and checks the circuit's public signals
 * against `accumulate` and `inferFixed(model, oracleFeaturesFixed(answers))`; throws when they differ.
 */
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
      `circuit ${got.join(',')} vs TypeScript ${expected.signals.join(',')}`,
    );
  return {
    ...result,
    outputs: expected.outputs,
    commitment: expected.commitment,
    accLast: expected.accLast,
    features: expected.features,
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
