// Why: equal rounds are not enough; these checks bind them to the vault's own feed and to one window
// that was the latest when the decision was made.
import type { Hex, PublicClient } from 'viem';
import { aggregatorV3InterfaceAbi, medianOracleAbi, syntheticVaultAbi } from '../../chain/index.js';
import { oracleWindowVerdict, readRoundPublication } from '../../provenance/index.js';
import type { RecordCheck } from './checks.js';
import type { SynthManifest } from './manifest.js';
import type { SynthVerifyDependencies } from './types.js';
import type { VaultLog } from './vaultLogs.js';

/**
 * `oracle-feed` and `oracle-window`: the manifest's rounds are the vault's own feed (`FEED()`), and one
 * window of consecutive rounds ending at the feed's latest round when the decision's log was written.
 * Without them a decision could name rounds of any contract answering getRoundData, a selection of rounds
 * (skipping a jump), or an old window, and still re-derive.
 */
export async function oracleBindingChecks(
  m: SynthManifest,
  tx: VaultLog | undefined,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<void> {
  const stated = String(m.inputs.feed).toLowerCase();
  await oracleFeedCheck(m, stated, deps, check);
  await oracleWindowCheck(m, stated, tx, deps, check);
}

/** `oracle-feed`: the manifest's feed and decimals are the vault's `FEED()` and that feed's `decimals()`. */
async function oracleFeedCheck(
  m: SynthManifest,
  stated: string,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<void> {
  const { client, vault } = deps;
  let vaultFeed: string;
  try {
    vaultFeed = (
      (await client.readContract({ address: vault, abi: syntheticVaultAbi, functionName: 'FEED' })) as string
    ).toLowerCase();
  } catch (error) {
    check(
      'oracle-feed',
      false,
      `the FEED() of vault ${vault.toLowerCase()}`,
      stated,
      (error as Error).message,
    );
    vaultFeed = '';
  }
  if (vaultFeed) {
    // The feed's decimals too: the manifest's prices are answers / 10^decimals.
    let feedDecimals: number | string;
    try {
      feedDecimals = Number(
        await client.readContract({
          address: vaultFeed as Hex,
          abi: aggregatorV3InterfaceAbi,
          functionName: 'decimals',
        }),
      );
    } catch (error) {
      feedDecimals = `unreadable (${(error as Error).message.split('\n')[0]})`;
    }
    const sameFeed = stated === vaultFeed;
    const sameDecimals = feedDecimals === m.inputs.decimals;
    check(
      'oracle-feed',
      sameFeed && sameDecimals,
      `feed ${vaultFeed} (FEED() of vault ${vault.toLowerCase()}), ${feedDecimals} decimals`,
      `feed ${stated} (manifest), ${m.inputs.decimals} decimals`,
      !sameFeed
        ? "the manifest's rounds are not the vault's oracle"
        : sameDecimals
          ? undefined
          : "the manifest's decimals are not the feed's",
    );
  }
}

/** `oracle-window`: the art `verify`'s window verdict (`oracleWindowVerdict`) at the decision's vault log. */
async function oracleWindowCheck(
  m: SynthManifest,
  stated: string,
  tx: VaultLog | undefined,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<void> {
  const { client } = deps;
  let roundIds: bigint[];
  try {
    roundIds = m.inputs.rounds.map(([id]) => BigInt(id));
  } catch (error) {
    check('oracle-window', false, 'integer round ids', (error as Error).message);
    return;
  }
  const logName = m.action === 'mint' ? 'Minted' : 'Repaid';
  const window = await oracleWindowVerdict({
    feed: stated as Hex,
    roundIds,
    at: tx ? { blockNumber: tx.blockNumber, logIndex: tx.logIndex } : undefined,
    logName,
    roundPublication:
      deps.roundPublication ??
      ((feed, roundId) => readRoundPublication(client, feed, roundId, deps.fromBlock)),
    roundExistsNow: (feed, roundId) => roundExists(client, feed, roundId),
    readBlock:
      typeof m.inputs.readBlock === 'string' && /^\d+$/.test(m.inputs.readBlock)
        ? BigInt(m.inputs.readBlock)
        : undefined,
  });
  // A synth check passes or fails: a window that could not be proven (a skip) is not verified.
  check(
    'oracle-window',
    window.status === 'pass',
    window.expected,
    window.actual,
    window.status === 'skip' ? `not proven: ${window.detail}` : window.detail,
  );
}

/**
 * Whether `feed` answers `getRoundData(roundId)` now: false when it reverts (MedianOracle's
 * OracleRoundNotFound, a Chainlink "No data present") or reports updatedAt 0; other errors (an
 * unreachable node) propagate, so a failed read is never taken for "not published".
 */
async function roundExists(client: PublicClient, feed: Hex, roundId: bigint): Promise<boolean> {
  try {
    const r = await client.readContract({
      address: feed,
      abi: medianOracleAbi,
      functionName: 'getRoundData',
      args: [roundId],
    });
    return r[3] !== 0n;
  } catch (error) {
    if (/revert/i.test((error as Error).message ?? '')) return false;
    throw error;
  }
}
