// Why: the guard's rules the manifest records are re-read at a block just before the version's log.
import { canonicalJson } from '../../models/index.js';
import type { Manifest } from '../manifest.js';
import { logName } from './position.js';
import type { Hex, TokenVersionRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { tryRead } from './util.js';

/**
 * How many blocks before its version's log a policy snapshot may be read (`policy-snapshot`). The agent
 * reads the guard at the latest block and sends the transaction at once, so an honest snapshot is a few
 * blocks old (a slow RPC or a congested mempool: a few more). 64 leaves room for that on any chain with
 * 1-12 s blocks (≈ 1-13 min), yet stays inside a full node's ~128-block state window, so the snapshot can
 * still be re-read on a non-archive node instead of being an unverifiable claim about an old block.
 */
export const POLICY_SNAPSHOT_MAX_AGE_BLOCKS = 64n;

/** The block an art manifest's policy snapshot names (the agent's read block), if it names one. */
export function snapshotBlock(manifest: Manifest): bigint | undefined {
  const block = manifest.policy.snapshot.blockNumber;
  return typeof block === 'string' && /^\d+$/.test(block) ? BigInt(block) : undefined;
}

/**
 * `policy-snapshot`: the guard's rules the manifest recorded for its action. The snapshot's block must be
 * before the version's log (the agent reads, then sends) and at most `POLICY_SNAPSHOT_MAX_AGE_BLOCKS`
 * before it. With `policySnapshot` wired, the snapshot is re-read from the guard at the block it names and
 * must equal the manifest's. Without it, or on a node without state at that block, the snapshot is shown
 * as stated and skipped as "not re-derived"; that skip does not make the version unverified (the guard
 * enforced its own rules on-chain, and manifest-context binds the guard).
 */
export async function policySnapshotCheck(
  manifest: Manifest,
  tokenId: bigint,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  const name = 'policy-snapshot';
  const stated = manifest.policy.snapshot;
  const actual = canonicalJson(stated);
  const block = snapshotBlock(manifest);
  const versionBlock = onChain.blockNumber;
  if (block !== undefined && versionBlock !== undefined) {
    const expected = `a snapshot read in blocks ${versionBlock > POLICY_SNAPSHOT_MAX_AGE_BLOCKS ? versionBlock - POLICY_SNAPSHOT_MAX_AGE_BLOCKS : 0n}..${versionBlock - 1n} (at most ${POLICY_SNAPSHOT_MAX_AGE_BLOCKS} blocks before the ${logName(version)} log at block ${versionBlock})`;
    if (block >= versionBlock)
      return {
        name,
        status: 'fail',
        expected,
        actual,
        detail: `the snapshot names block ${block}, not before the version's own block`,
      };
    if (versionBlock - block > POLICY_SNAPSHOT_MAX_AGE_BLOCKS)
      return {
        name,
        status: 'fail',
        expected,
        actual,
        detail: `the snapshot names block ${block}, ${versionBlock - block} blocks before the version's block: the agent reads the guard right before sending, so it is not the snapshot the version was made with`,
      };
  }
  if (!deps.policySnapshot)
    return {
      name,
      status: 'skip',
      actual,
      detail:
        "policy snapshot not re-derived: it is the guard's rules as the agent read them before sending; the guard itself (bound by manifest-context) enforced its rules on-chain",
    };
  const { guard } = manifest.policy;
  const nft = manifest.asset.contract;
  if (block === undefined || guard === undefined || nft === undefined)
    return {
      name,
      status: 'fail',
      expected: 'a snapshot naming its block, of a named guard and NFT',
      actual,
      detail: 'the snapshot cannot be re-read: its blockNumber, policy.guard or asset.contract is missing',
    };
  const read = await tryRead(() =>
    deps.policySnapshot!({
      guard: guard as Hex,
      nft: nft as Hex,
      action: version === 0 ? 'MINT' : 'UPDATE',
      modelId: manifest.model.id as Hex,
      ...(version === 0 ? {} : { tokenId }),
      blockNumber: block,
    }),
  );
  if ('error' in read)
    return {
      name,
      status: 'fail',
      actual,
      detail: `re-reading the guard at block ${block} failed: ${read.error}`,
    };
  if (read.value === undefined)
    return {
      name,
      status: 'skip',
      actual,
      detail: `policy snapshot not re-derived: the node holds no state at block ${block} (not an archive node, or restarted from a state dump); the guard itself (bound by manifest-context) enforced its rules on-chain`,
    };
  const expected = canonicalJson(read.value);
  return {
    name,
    status: expected === actual ? 'pass' : 'fail',
    expected,
    actual,
    ...(expected === actual
      ? {}
      : { detail: `the manifest's snapshot is not what guard ${guard} said at block ${block}` }),
  };
}
