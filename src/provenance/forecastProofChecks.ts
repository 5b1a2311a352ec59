import { encodeAbiParameters, toHex } from 'viem';
import { fixedToPpm, modelId as modelIdOf, parseModelFile } from '../models/index.js';
import type { Manifest } from './manifest.js';
import { utcOf } from './verify/util.js';
import type { Hex, VerifyCheck } from './verify.js';

/** What the gate recorded under (modelId, proofId): `ForecastProofGate.provenForecast`. */
export type RecordedForecast = { output0: bigint; output1: bigint; lastRoundId: bigint; provenAt: bigint };

/** Chain reads the `groth16` checks need (the CLI wires them to the gate, the NFT and the model files). */
export type ForecastProofDependencies = {
  readProvenForecast(gate: Hex, modelId: Hex, proofId: Hex): Promise<RecordedForecast>;
  /** ERC-7007 `ProvenanceNFT.verify(prompt, aigcData, proof)`: prompt = manifest bytes, aigcData = metadata bytes. */
  erc7007Verify(prompt: Uint8Array, aigcData: Hex, proof: Hex): Promise<boolean>;
  loadModelFile(modelId: Hex): Promise<Uint8Array>;
};

/** Names of the checks a `groth16` manifest adds, in report order. */
export const FORECAST_PROOF_CHECK_NAMES = [
  'zk-forecast-recorded',
  'zk-forecast-outputs',
  'zk-forecast-scale',
  'zk-forecast-input',
  'zk-forecast-rounds',
  'erc7007-verify',
] as const;

/**
 * The ERC-7007 arguments for a `groth16` version: `aigcData` = the version's metadata JSON bytes (whose
 * sha2-256 digest is its commitment, and which names the manifest), `proof` = `0x02 ‖ tokenId ‖ version ‖
 * chainProof ‖ abi.encode(modelId, proofId, manifest, output0, output1)` (zk/README.md,
 * docs/provenance.md). `chainProof` is empty for version 0; for version ≥ 1 it is the parent's chain
 * head followed by the commitments of the later versions, so the NFT can recompute its stored head.
 */
export function erc7007GrothArguments(
  tokenId: bigint,
  version: number,
  manifestBytes: Uint8Array,
  metadataBytes: Uint8Array,
  proof: Extract<Manifest['proof'], { kind: 'groth16' }>,
  chainProof: Hex = '0x',
): { aigcData: Hex; proof: Hex } {
  const kindProof = encodeAbiParameters(
    [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes' }, { type: 'int256' }, { type: 'int256' }],
    [
      proof.forecastProof.modelId as Hex,
      proof.forecastProof.proofId as Hex,
      toHex(manifestBytes),
      BigInt(proof.outputs[0]!),
      BigInt(proof.outputs[1]!),
    ],
  );
  const word = (v: bigint) => v.toString(16).padStart(64, '0');
  return {
    aigcData: toHex(metadataBytes),
    proof: `0x02${word(tokenId)}${word(BigInt(version))}${chainProof.slice(2)}${kindProof.slice(2)}`,
  };
}

/**
 * Checks a `groth16` render (nothing for `replay`): the gate recorded the named forecast (a Groth16
 * proof of the registered forecaster verified on-chain), the manifest states its outputs and rounds
 * exactly, the scale is the forecaster file's, the render's forecast input is that forecast, the proof's
 * rounds are not newer than the render's prices, and ERC-7007 `verify(manifest, metadata, proof)` on
 * the NFT answers true. Assumes the metadata is the version's commitment and names this manifest
 * (`metadata-commitment`, `manifest-commitment`).
 */
export async function forecastProofChecks(
  p: {
    manifest: Manifest;
    manifestBytes: Uint8Array;
    /** The version's committed metadata JSON (ERC-7007 `aigcData`). */
    metadataBytes: Uint8Array;
    tokenId: bigint;
    version: number;
    chainProof?: Hex;
  },
  deps: ForecastProofDependencies,
): Promise<VerifyCheck[]> {
  const proof = p.manifest.proof;
  if (proof.kind !== 'groth16') return [];
  const checks: VerifyCheck[] = [];
  const { modelId, proofId } = proof.forecastProof;
  const outputs = proof.outputs.map(BigInt);
  const lastRound = BigInt(proof.roundIds.at(-1)!);

  const record = await deps.readProvenForecast(proof.gate as Hex, modelId as Hex, proofId as Hex);
  const recorded = record.provenAt > 0n;
  checks.push({
    name: 'zk-forecast-recorded',
    status: recorded ? 'pass' : 'fail',
    expected: `a forecast recorded by gate ${proof.gate} under model ${modelId}, proof ${proofId}`,
    actual: recorded
      ? `recorded at ${record.provenAt} (${utcOf(String(record.provenAt))})`
      : 'nothing recorded',
    ...(recorded ? {} : { detail: 'no verified Groth16 proof backs this forecast' }),
  });
  const stated = `outputs ${outputs.join(', ')}, last round ${lastRound}`;
  const onChain = `outputs ${record.output0}, ${record.output1}, last round ${record.lastRoundId}`;
  checks.push(
    recorded
      ? {
          name: 'zk-forecast-outputs',
          status: stated === onChain ? 'pass' : 'fail',
          expected: onChain,
          actual: stated,
        }
      : { name: 'zk-forecast-outputs', status: 'skip', detail: 'the gate recorded nothing to compare' },
  );

  let scaleBits: number | undefined;
  try {
    const bytes = await deps.loadModelFile(modelId as Hex);
    const file = parseModelFile(bytes);
    if (modelIdOf(file) !== modelId) throw new Error(`the file hashes to ${modelIdOf(file)}, not ${modelId}`);
    scaleBits = file.scaleBits;
  } catch (error) {
    checks.push({
      name: 'zk-forecast-scale',
      status: 'skip',
      detail: `forecaster file unavailable: ${(error as Error).message.split('\n')[0]}`,
    });
  }
  if (scaleBits !== undefined)
    checks.push({
      name: 'zk-forecast-scale',
      status: scaleBits === proof.scaleBits ? 'pass' : 'fail',
      expected: `scaleBits ${scaleBits} (forecaster file)`,
      actual: `scaleBits ${proof.scaleBits}`,
    });

  const expectedPpm = fixedToPpm(outputs[0]!, scaleBits ?? proof.scaleBits);
  const input = p.manifest.inputs.forecast;
  checks.push({
    name: 'zk-forecast-input',
    status: input?.returnPpm === expectedPpm && input.modelId === modelId ? 'pass' : 'fail',
    expected: `forecast ${expectedPpm} ppm of model ${modelId}`,
    actual: input
      ? `forecast ${input.returnPpm} ppm of model ${input.modelId ?? '(none)'}`
      : 'no forecast input',
  });

  const ids = p.manifest.inputs.oracle.rounds.map((r) => BigInt(r.roundId));
  const latestPrice = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).at(-1) ?? 0n;
  checks.push({
    name: 'zk-forecast-rounds',
    status: lastRound <= latestPrice ? 'pass' : 'fail',
    expected: `the proof's last round ≤ the render's latest round ${latestPrice}`,
    actual: `round ${lastRound} (${provenRoundPlace(lastRound, ids)})`,
  });

  const args = erc7007GrothArguments(
    p.tokenId,
    p.version,
    p.manifestBytes,
    p.metadataBytes,
    proof,
    p.chainProof,
  );
  const verified = await deps.erc7007Verify(p.manifestBytes, args.aigcData, args.proof);
  checks.push({
    name: 'erc7007-verify',
    status: verified ? 'pass' : 'fail',
    expected: 'ProvenanceNFT.verify(manifest, metadata, groth16 proof) = true',
    actual: String(verified),
  });
  return checks;
}

/**
 * Where the proven forecast's last round sits among the render's rounds, counted in those rounds, not as an
 * id difference: across an aggregator upgrade the ids jump by a phase (2^64).
 */
export function provenRoundPlace(lastRound: bigint, renderRounds: readonly bigint[]): string {
  if (renderRounds.includes(lastRound))
    return `${renderRounds.filter((id) => id > lastRound).length} round(s) before the render's latest`;
  return renderRounds.every((id) => id < lastRound)
    ? "after the render's latest round"
    : 'older than every round the render used';
}
