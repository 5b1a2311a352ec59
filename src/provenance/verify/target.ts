// Why: which token and version to verify, and whether the chain has them, is settled before the manifest.
import { NonRetryableError } from '../../errors/index.js';
import { parseManifest, versionCommitment } from '../manifest.js';
import { metadataFromManifest } from '../metadataLink.js';
import type { TokenRecord, VerifyCheck, VerifyDependencies, VerifyInput } from './types.js';
import { tryLoad } from './util.js';

/** What `verify` checks: the token, the version (when given) and a manifest given by CID. */
export type Target = {
  tokenId: bigint;
  version?: number;
  /** The version the given manifest states (`asset.version`): used when no log records that manifest. */
  claimedVersion?: number;
  manifest?: { bytes: Uint8Array } | { error: string };
};

/**
 * The token and version to verify: given, or (with `manifestCid`) read from the manifest, so
 * `verify --manifest <cid>` needs no token id: an update's manifest names its token; a mint's token id
 * is the digest of the metadata derived from the manifest (`metadataFromManifest`). The version is then
 * the one whose log records that manifest (`verifyTarget`).
 */
export async function resolveTarget(input: VerifyInput, deps: VerifyDependencies): Promise<Target> {
  const cid = input.manifestCid;
  if (cid === undefined) {
    if (input.tokenId === undefined)
      throw new NonRetryableError('Nothing to verify: neither a token id nor a manifest CID was given.', {
        details: 'Pass the token id, or the manifest CID of the version to verify, or both.',
      });
    return { tokenId: input.tokenId, ...(input.version !== undefined ? { version: input.version } : {}) };
  }
  const loaded = await tryLoad(() => deps.loadContent(cid));
  let claimed: { tokenId: bigint; version: number } | undefined;
  let problem = 'error' in loaded ? loaded.error : undefined;
  if ('bytes' in loaded) {
    try {
      const m = parseManifest(loaded.bytes, cid);
      claimed = {
        tokenId:
          m.asset.tokenId === undefined
            ? BigInt(versionCommitment(metadataFromManifest(m, cid).bytes))
            : BigInt(m.asset.tokenId),
        version: m.asset.version,
      };
    } catch (error) {
      problem = (error as Error).message.split('\n')[0];
    }
  }
  const tokenId = input.tokenId ?? claimed?.tokenId;
  if (tokenId === undefined)
    throw new NonRetryableError(`Manifest ${cid} cannot tell which token to verify: ${problem}.`, {
      details:
        'bytes' in loaded
          ? // The bytes are here but are not a manifest (an image or metadata CID, say): the CID is the wrong one.
            'Pass the manifest CID of the version (`provenant art show <tokenId>` lists the manifest of each version), or the token id alone.'
          : 'Put the manifest in the content store (<stateDir>/content, e.g. from a CAR export), or pass the token id with it.',
    });
  return {
    tokenId,
    ...(input.version !== undefined ? { version: input.version } : {}),
    ...(claimed ? { claimedVersion: claimed.version } : {}),
    manifest: loaded,
  };
}

/** `token-exists`: a token the NFT does not know (never minted) has nothing else to check. */
export function tokenExistsCheck(record: TokenRecord, tokenId: bigint): VerifyCheck {
  const versionCount = record.versions.length;
  if (record.exists === false || versionCount === 0)
    return {
      name: 'token-exists',
      status: 'fail',
      expected: `token ${tokenId} minted`,
      actual:
        record.exists === false
          ? 'not minted (the NFT reverts with ERC721NonexistentToken)'
          : 'not minted (no Minted log)',
      detail: 'list the minted tokens with `provenant verify --all`',
    };
  return { name: 'token-exists', status: 'pass', actual: `minted, ${versionCount} version(s)` };
}

/** `metadata-commitment` of a version the token does not have: nothing else can be checked against it. */
export function missingVersionCheck(record: TokenRecord, version: number): VerifyCheck {
  const versionCount = record.versions.length;
  return {
    name: 'metadata-commitment',
    status: 'fail',
    expected: `a version ${version} on-chain`,
    actual: `${versionCount} version(s)`,
    detail: `no such version: the token has versions 0..${versionCount - 1}`,
  };
}
