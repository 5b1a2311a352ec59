import { type ModelFile, validateModelFile } from '../models/index.js';
import { toField } from './encoding.js';
import { poseidon } from './poseidon.js';

/**
 * The zk commitment of a model's weights (what ModelRegistry stores as `zkCommitment`).
 *
 * Elements e: for each layer in order, its weights row-major (output i, input j), then its biases;
 * each signed integer as a BN254 field element (negative v → p − |v|). With n = |e|:
 *
 *     h_0     = n
 *     h_{k+1} = Poseidon16(h_k, e[15k], …, e[15k+14])      (missing elements are 0)
 *     commitment = h_last                                   (k = 0 … ceil(n/15) − 1)
 *
 * Poseidon16 is circomlib's `Poseidon(16)`. The circuit computes the same chain over its private
 * weight signals. The architecture (layer sizes, scaleBits, activations) is fixed by the circuit and so
 * by the verifier the gate is deployed with; the commitment covers the values.
 */
export const COMMITMENT_CHUNK = 15;

/** The weight elements in commitment order, as signed integers. */
export function weightElements(model: ModelFile): bigint[] {
  validateModelFile(model);
  const out: bigint[] = [];
  for (const layer of model.layers) {
    for (const w of layer.weights) out.push(BigInt(w));
    for (const b of layer.bias) out.push(BigInt(b));
  }
  return out;
}

export function zkCommitmentOfElements(elements: readonly bigint[]): bigint {
  let h = BigInt(elements.length);
  for (let k = 0; k < elements.length; k += COMMITMENT_CHUNK) {
    const chunk = Array.from({ length: COMMITMENT_CHUNK }, (_, i) => toField(elements[k + i] ?? 0n));
    h = poseidon([h, ...chunk]);
  }
  return h;
}

/** The model's zk commitment as a field element. */
export function zkCommitment(model: ModelFile): bigint {
  return zkCommitmentOfElements(weightElements(model));
}

/** The commitment as the bytes32 the registry stores. */
export function zkCommitmentHex(model: ModelFile): `0x${string}` {
  return `0x${zkCommitment(model).toString(16).padStart(64, '0')}`;
}
