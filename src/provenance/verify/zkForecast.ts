// Why: a groth16 render's forecast is proven, not replayed; its checks need the version's chain proof.
import { concat } from 'viem';
import { forecastProofChecks } from '../forecastProofChecks.js';
import type { CommittedManifest } from './commitment.js';
import type { Hex, TokenRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { tryRead } from './util.js';
import { versionChainHead } from './versionChain.js';

/**
 * The proven-forecast checks of a `groth16` render (zk gate record, scale, input, rounds, ERC-7007
 * verify); none for any other render. Without `forecastProof` reads, one skipped `zk-forecast-recorded`.
 */
export async function zkForecastChecks(
  { manifest, bytes, metadataBytes }: CommittedManifest,
  record: TokenRecord,
  tokenId: bigint,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck[]> {
  if (manifest.proof.kind !== 'groth16') return [];
  if (!deps.forecastProof)
    return [
      {
        name: 'zk-forecast-recorded',
        status: 'skip',
        detail: 'no reads of the zk gate and the NFT were wired; pass forecastProof dependencies',
      },
    ];
  const commitments = record.versions.map((v) => v.commitment);
  const chainProof = (
    version === 0
      ? '0x'
      : concat([versionChainHead(commitments.slice(0, version)), ...commitments.slice(version + 1)])
  ) as Hex;
  const forecastProof = deps.forecastProof;
  const proven = await tryRead(() =>
    forecastProofChecks(
      { manifest, manifestBytes: bytes, metadataBytes, tokenId, version, chainProof },
      { ...forecastProof, loadModelFile: deps.loadModelFile },
    ),
  );
  if ('error' in proven)
    return [
      {
        name: 'zk-forecast-recorded',
        status: 'fail',
        expected: `a forecast recorded by gate ${manifest.proof.gate}`,
        detail: `reading the zk gate or ERC-7007 verify failed: ${proven.error}`,
      },
    ];
  return proven.value;
}
