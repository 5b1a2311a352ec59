// Why: nothing a manifest says is trusted until its bytes are the version's on-chain commitment.
import { keccak256 } from 'viem';
import { addBytes, parseCid, profileOf } from '../cid.js';
import { type Manifest, parseManifest } from '../manifest.js';
import type { Hex, TokenVersionRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { tryLoad } from './util.js';

/** A manifest whose bytes hash to the version's on-chain commitment. */
export type CommittedManifest = { manifest: Manifest; bytes: Uint8Array; commitment: Hex };

/**
 * `manifest-commitment`: the manifest (`preloaded`, else loaded by `manifestCid`) hashes to the version's
 * commitment, its CID is `manifestCid`, and it parses. On a failure the result says why the later
 * checks are skipped (`skipReason`): none of the manifest's claims can be trusted.
 */
export async function manifestCommitmentCheck(
  manifestCid: string | undefined,
  onChain: TokenVersionRecord,
  preloaded: { bytes: Uint8Array } | { error: string } | undefined,
  deps: VerifyDependencies,
): Promise<
  { check: VerifyCheck; committed: CommittedManifest } | { check: VerifyCheck; skipReason: string }
> {
  const name = 'manifest-commitment';
  if (!manifestCid)
    return {
      check: {
        name,
        status: 'fail',
        expected: onChain.commitment,
        detail: 'no manifest CID known for this version; pass the manifest CID explicitly',
      },
      skipReason: 'no manifest',
    };
  const loadedManifest = preloaded ?? (await tryLoad(() => deps.loadContent(manifestCid)));
  if ('error' in loadedManifest)
    return {
      check: {
        name,
        status: 'fail',
        expected: onChain.commitment,
        detail: `manifest ${manifestCid}: ${loadedManifest.error}`,
      },
      skipReason: 'manifest not available',
    };
  const mBytes = loadedManifest.bytes;
  const commitment = keccak256(mBytes);
  const mCid = (await addBytes(mBytes, profileOf(manifestCid))).cid.toString();
  if (commitment !== onChain.commitment.toLowerCase() || mCid !== parseCid(manifestCid).toString()) {
    // The expected side is the chain's: its commitment and the manifest CID its log names (when a manifest
    // given with --manifest belongs to another version or token, that CID is the one to fetch instead).
    const logged = onChain.manifestCid;
    const other = logged !== undefined && logged !== manifestCid;
    return {
      check: {
        name,
        status: 'fail',
        expected: logged ? `${onChain.commitment} (${logged})` : onChain.commitment,
        actual: `${commitment} (${mCid})`,
        detail: other
          ? `manifest ${manifestCid} is not the one this version committed on-chain (its log names ${logged})`
          : 'the manifest bytes are not the ones committed on-chain',
      },
      skipReason: 'manifest does not match the on-chain commitment; none of its claims is trusted',
    };
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(mBytes, manifestCid);
  } catch (error) {
    return {
      check: {
        name,
        status: 'fail',
        expected: 'a valid manifest',
        actual: commitment,
        detail: `committed bytes are not a valid manifest: ${(error as Error).message.split('\n').join(' ')}`,
      },
      skipReason: 'manifest invalid',
    };
  }
  return {
    check: { name, status: 'pass', expected: onChain.commitment, actual: commitment },
    committed: { manifest, bytes: mBytes, commitment },
  };
}

/** `manifest-token`: a mint's token id is keccak256 of its manifest; an update names its token. */
export function manifestTokenCheck(
  { manifest, commitment }: CommittedManifest,
  tokenId: bigint,
  version: number,
): VerifyCheck {
  const claimedToken = manifest.asset.tokenId ?? `keccak256(manifest) = ${BigInt(commitment)}`;
  const tokenOk =
    manifest.asset.version === version &&
    (version === 0
      ? manifest.asset.tokenId === undefined && BigInt(commitment) === tokenId
      : manifest.asset.tokenId === tokenId.toString());
  return {
    name: 'manifest-token',
    status: tokenOk ? 'pass' : 'fail',
    expected: `token ${tokenId} version ${version}`,
    actual: `token ${claimedToken} version ${manifest.asset.version}`,
  };
}
