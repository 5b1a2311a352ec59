// Why: a version is bound to the token's history by its parent link and by the on-chain hash chain.
import { concat, keccak256, sha256, toHex } from 'viem';
import { NonRetryableError } from '../../errors/index.js';
import { cidSha256Digest, parseCid } from '../cid.js';
import { type Manifest, parseManifest } from '../manifest.js';
import type {
  Hex,
  TokenRecord,
  TokenVersionRecord,
  VerifyCheck,
  VerifyDependencies,
  VersionChain,
} from './types.js';
import { tryLoad } from './util.js';

const HEAD_MASK = (1n << 224n) - 1n;

/**
 * ProvenanceNFT's version hash chain (`chainHead`): `h_0 = commitments[0]` (the genesis commitment,
 * i.e. the token id), `h_n = keccak256(abi.encode(h_{n-1}, commitments[n]))` with its top 32 bits
 * cleared (the contract keeps the version index there).
 */
export function versionChainHead(commitments: readonly Hex[]): Hex {
  if (commitments.length === 0)
    throw new NonRetryableError(
      'versionChainHead was given no commitments; it needs at least the genesis one.',
      {
        details: 'Pass the commitments of versions 0…n, version 0 (the token id) first.',
      },
    );
  let head = toHex(BigInt(commitments[0]!), { size: 32 });
  for (const commitment of commitments.slice(1)) {
    const next = BigInt(keccak256(concat([head, toHex(BigInt(commitment), { size: 32 })])));
    head = toHex(next & HEAD_MASK, { size: 32 });
  }
  return head;
}

/** The `chain-head` check: the head recomputed from the logged commitments against the stored one. */
export function chainHeadCheck(record: TokenRecord, chain: VersionChain): VerifyCheck {
  const logged = record.versions.length;
  const recomputed = logged === 0 ? undefined : versionChainHead(record.versions.map((v) => v.commitment));
  const ok = logged === chain.count && recomputed?.toLowerCase() === chain.head.toLowerCase();
  return {
    name: 'chain-head',
    status: ok ? 'pass' : 'fail',
    expected: `head ${chain.head} over ${chain.count} version(s) (on-chain versionChain)`,
    actual: `head ${recomputed ?? 'none'} over ${logged} version(s) (recomputed from the Minted/Evolved logs)`,
    ...(ok
      ? {}
      : {
          detail:
            logged !== chain.count
              ? 'the logs do not hold every version the chain counts'
              : 'the logged commitments are not the history the chain recorded',
        }),
  };
}

/**
 * `version-chain`: version 0 names no parent, on-chain or in its manifest; a later version's manifest
 * names the previous version: its commitment (metadata digest) and its manifest CID (the one the
 * previous version's log records), whose stored bytes still hash to that CID and have the same seed.
 */
export async function versionChainCheck(
  manifest: Manifest,
  record: TokenRecord,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  if (version === 0) {
    const ok =
      manifest.parent === null &&
      (onChain.parentCommitment === undefined || /^0x0{64}$/.test(onChain.parentCommitment));
    return {
      name: 'version-chain',
      status: ok ? 'pass' : 'fail',
      expected: 'no parent (version 0)',
      actual: manifest.parent
        ? `parent ${manifest.parent.commitment}`
        : `no parent${onChain.parentCommitment ? `, on-chain parent ${onChain.parentCommitment}` : ''}`,
    };
  }
  const previous = record.versions[version - 1]!;
  const parent = manifest.parent;
  const problems: string[] = [];
  /** What the parent manifest's stored bytes hash to, when that is what differs. */
  let parentBytesHash: string | undefined;
  if (!parent) problems.push('manifest names no parent');
  else {
    if (parent.commitment !== previous.commitment.toLowerCase())
      problems.push('parent commitment is not the previous version');
    if (previous.manifestCid && parent.manifestCid !== parseCid(previous.manifestCid).toString()) {
      problems.push('parent manifest CID is not the previous version');
    }
  }
  if (
    onChain.parentCommitment &&
    onChain.parentCommitment.toLowerCase() !== previous.commitment.toLowerCase()
  ) {
    problems.push('on-chain parent is not the previous version');
  }
  // An update keeps the token's latent identity: same seed as its parent.
  if (parent && problems.length === 0) {
    const parentBytes = await tryLoad(() => deps.loadContent(parent.manifestCid));
    if ('error' in parentBytes) problems.push(`parent manifest: ${parentBytes.error}`);
    else if (sha256(parentBytes.bytes) !== cidSha256Digest(parent.manifestCid)) {
      parentBytesHash = sha256(parentBytes.bytes);
      problems.push(
        `the parent manifest's stored bytes hash to ${parentBytesHash}, not its CID's digest ${cidSha256Digest(parent.manifestCid)}: the parent manifest was altered`,
      );
    } else {
      try {
        const parentSeed = parseManifest(parentBytes.bytes, parent.manifestCid).parameters.seed;
        if (parentSeed !== manifest.parameters.seed)
          problems.push(`seed changed from the parent's ${parentSeed}`);
      } catch (error) {
        problems.push(`parent manifest invalid: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  return {
    name: 'version-chain',
    status: problems.length === 0 ? 'pass' : 'fail',
    expected: `parent ${previous.commitment}${previous.manifestCid ? ` (${previous.manifestCid})` : ''}`,
    actual: parent
      ? `parent ${parent.commitment} (${parent.manifestCid})${parentBytesHash ? `, whose stored bytes hash to ${parentBytesHash}` : ''}`
      : 'no parent',
    ...(problems.length ? { detail: problems.join('; ') } : {}),
  };
}
