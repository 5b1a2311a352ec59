// Why: nothing a manifest says is trusted until the chain's commitment leads to it: commitment → metadata → manifest.
import { sha256 } from 'viem';
import { cidSha256Digest, parseCid } from '../cid.js';
import { type Manifest, parseManifest } from '../manifest.js';
import { parseMetadataProvenance, rawCidFromDigest } from '../metadataLink.js';
import type { Hex, TokenVersionRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { tryLoad } from './util.js';

/** A version's metadata whose bytes are its on-chain commitment, and the manifest CID it names. */
export type CommittedMetadata = {
  /** The metadata's raw CIDv1 (of the commitment). */
  metadataCid: string;
  metadataBytes: Uint8Array;
  /** sha256(metadataBytes): the version's on-chain commitment. */
  commitment: Hex;
  /** The manifest the metadata names (`"provenance":"ipfs://<cid>"`). */
  manifestCid: string;
};

/** A manifest reached from the chain: the committed metadata names it and its bytes hash to that name. */
export type CommittedManifest = CommittedMetadata & {
  manifest: Manifest;
  bytes: Uint8Array;
  /** sha256(bytes): the digest of `manifestCid`, the one the Minted/Evolved log records. */
  manifestDigest: Hex;
};

type Outcome<T> = { check: VerifyCheck; committed: T } | { check: VerifyCheck; skipReason: string };

/**
 * `metadata-commitment`: the metadata stored under the raw CIDv1 of the version's commitment hashes to
 * that commitment and names a manifest (`provenance`: `ipfs://` + a raw CIDv1). On a failure the result
 * says why the later checks are skipped (`skipReason`): nothing leads from the chain to a manifest.
 */
export async function metadataCommitmentCheck(
  onChain: TokenVersionRecord,
  deps: VerifyDependencies,
): Promise<Outcome<CommittedMetadata>> {
  const name = 'metadata-commitment';
  const commitment = onChain.commitment.toLowerCase() as Hex;
  const metadataCid = rawCidFromDigest(commitment);
  const expected = `${commitment} (${metadataCid})`;
  const loaded = await tryLoad(() => deps.loadContent(metadataCid));
  if ('error' in loaded)
    return {
      check: { name, status: 'fail', expected, detail: `metadata ${metadataCid}: ${loaded.error}` },
      skipReason: 'the committed metadata is not available',
    };
  const digest = sha256(loaded.bytes);
  if (digest !== commitment)
    return {
      check: {
        name,
        status: 'fail',
        expected,
        actual: `${digest} (${rawCidFromDigest(digest)})`,
        detail: 'the stored metadata bytes are not the ones committed on-chain',
      },
      skipReason: 'metadata does not match the on-chain commitment; the manifest it names is not trusted',
    };
  let manifestCid: string;
  try {
    manifestCid = parseMetadataProvenance(loaded.bytes, metadataCid).manifestCid;
  } catch (error) {
    return {
      check: {
        name,
        status: 'fail',
        expected: 'committed metadata naming its manifest',
        actual: expected,
        detail: `committed bytes are not valid metadata: ${(error as Error).message.split('\n').join(' ')}`,
      },
      skipReason: 'the committed metadata names no manifest',
    };
  }
  return {
    check: { name, status: 'pass', expected, actual: `${expected}, names manifest ${manifestCid}` },
    committed: { metadataCid, metadataBytes: loaded.bytes, commitment, manifestCid },
  };
}

/**
 * `manifest-commitment`: the manifest the committed metadata names is the one the version's
 * Minted/Evolved log records (its `manifestDigest`), and the one given with `--manifest` if any; its
 * bytes (`preloaded` for a given manifest, else loaded by CID) hash to that CID, and it parses. On a
 * failure the result says why the later checks are skipped: none of the manifest's claims is trusted.
 */
export async function manifestCommitmentCheck(
  metadata: CommittedMetadata,
  onChain: TokenVersionRecord,
  given: { cid: string; loaded?: { bytes: Uint8Array } | { error: string } | undefined } | undefined,
  deps: VerifyDependencies,
): Promise<Outcome<CommittedManifest>> {
  const name = 'manifest-commitment';
  const named = metadata.manifestCid;
  const digest = cidSha256Digest(named);
  const expected = `${digest} (${named})`;
  const skipReason = 'manifest does not match the on-chain commitment; none of its claims is trusted';
  const logged = onChain.manifestCid;
  if (logged !== undefined && logged !== named)
    return {
      check: {
        name,
        status: 'fail',
        expected: `the manifest the log records, ${logged}`,
        actual: `metadata names ${named}`,
        detail: `the committed metadata names manifest ${named}, but the version's Minted/Evolved log records ${logged}`,
      },
      skipReason,
    };
  const givenCid = given ? normalCid(given.cid) : undefined;
  if (given && givenCid !== named)
    return {
      check: {
        name,
        status: 'fail',
        expected,
        actual: given.cid,
        detail: `manifest ${given.cid} is not the one this version committed on-chain (its metadata names ${named})`,
      },
      skipReason,
    };
  const loaded = given?.loaded ?? (await tryLoad(() => deps.loadContent(named)));
  if ('error' in loaded)
    return {
      check: { name, status: 'fail', expected, detail: `manifest ${named}: ${loaded.error}` },
      skipReason: 'manifest not available',
    };
  const bytes = loaded.bytes;
  const actual = sha256(bytes);
  if (actual !== digest)
    return {
      check: {
        name,
        status: 'fail',
        expected,
        actual: `${actual} (${rawCidFromDigest(actual)})`,
        detail: 'the stored manifest bytes are not the ones the committed metadata names',
      },
      skipReason,
    };
  let manifest: Manifest;
  try {
    manifest = parseManifest(bytes, named);
  } catch (error) {
    return {
      check: {
        name,
        status: 'fail',
        expected: 'a valid manifest',
        actual: expected,
        detail: `committed bytes are not a valid manifest: ${(error as Error).message.split('\n').join(' ')}`,
      },
      skipReason: 'manifest invalid',
    };
  }
  return {
    check: { name, status: 'pass', expected, actual: expected },
    committed: { ...metadata, manifest, bytes, manifestDigest: actual },
  };
}

/** A CID in its canonical string form, or the text as given when it is no CID. */
export function normalCid(cid: string): string {
  try {
    return parseCid(cid).toString();
  } catch {
    return cid;
  }
}

/**
 * `manifest-token`: the manifest describes this version: a mint's names no token (its token id is the
 * genesis commitment, the digest of the metadata derived from it); an update names its token.
 */
export function manifestTokenCheck(
  { manifest, commitment }: CommittedManifest,
  tokenId: bigint,
  version: number,
): VerifyCheck {
  const claimedToken = manifest.asset.tokenId ?? `sha256(metadata) = ${BigInt(commitment)}`;
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
