import type { Address, PublicClient } from 'viem';
import {
  aggregatorV3InterfaceAbi,
  firstRoundOfPhase,
  isContractRevert,
  PROXY_PHASE_OFFSET,
  phasedAggregatorProxyAbi,
  phaseOf,
  proxyRoundIdText,
} from '../chain/index.js';
import { FeedRefusedError } from './errors.js';

/** One round as AggregatorV3Interface returns it. */
export type FeedRound = {
  roundId: bigint;
  answer: bigint;
  startedAt: bigint;
  updatedAt: bigint;
  answeredInRound: bigint;
};

export type FeedRules = {
  /** A round older than this (seconds, against `now`) is stale. */
  maxAgeSeconds: number;
  /** A move larger than this (basis points) from the previous round is deviant. */
  maxDeviationBps: number;
  /** Feed decimals, to show answers as prices in explanations (raw integers when absent). */
  decimals?: number | undefined;
};

/**
 * Reads the latest `count` rounds (oldest first) through AggregatorV3Interface only, so any Chainlink feed
 * works. With `blockNumber`, every read is at that block, so the window is the feed's latest as of that
 * block even when a round lands while the reads are in flight (a window read across two blocks could
 * otherwise end at a round that was no longer the latest at either).
 *
 * On a Chainlink proxy (ids `phase << 64 | n`) a window that needs more rounds than the newest round's
 * phase has goes on, across ONE aggregator upgrade, with the last rounds of the phase before: the newest
 * round of the latest earlier phase whose aggregator (`phaseAggregators(phase)`) has one, downwards (how
 * the feed accumulator chains them, and the zk gate's `firstRoundOf`). It stops at that phase's round 1:
 * a window never crosses a second upgrade, so it may come back shorter than `count`.
 */
export async function readFeedWindow(
  client: PublicClient,
  feed: Address,
  count: number,
  options: { blockNumber?: bigint | undefined } = {},
): Promise<FeedRound[]> {
  const at = options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber };
  const latest = await client.readContract({
    address: feed,
    abi: aggregatorV3InterfaceAbi,
    functionName: 'latestRoundData',
    ...at,
  });
  const rounds: FeedRound[] = [toRound(latest)];
  const first = latest[0];
  const ids: bigint[] = [];
  // A proxy's ids are consecutive within one phase (one aggregator): never `phase << 64 | 0`, which no
  // proxy answers. Before the phase's round 1 comes the previous phase's last round.
  for (let id = first - 1n; id >= firstRoundOfPhase(first) && ids.length < count - 1; id--) ids.push(id);
  if (ids.length < count - 1 && phaseOf(first) > 1n) {
    const before = await lastRoundBeforePhase(client, feed, phaseOf(first), options.blockNumber);
    if (before !== undefined)
      for (let id = before; id >= firstRoundOfPhase(before) && ids.length < count - 1; id--) ids.push(id);
  }
  const older = await Promise.all(
    ids.map((roundId) =>
      client.readContract({
        address: feed,
        abi: aggregatorV3InterfaceAbi,
        functionName: 'getRoundData',
        args: [roundId],
        ...at,
      }),
    ),
  );
  for (const r of older) rounds.unshift(toRound(r));
  return rounds;
}

/**
 * The newest round of the latest phase before `phase` that has one (full proxy id), read from the
 * phases' aggregators (`phaseAggregators(q)`, as on Chainlink's EACAggregatorProxy) at `blockNumber`;
 * undefined when `feed` is no proxy (the call reverts) or no earlier phase has a round. A transport error
 * propagates: a failed read is never taken for "no earlier round".
 */
export async function lastRoundBeforePhase(
  client: PublicClient,
  feed: Address,
  phase: bigint,
  blockNumber?: bigint | undefined,
): Promise<bigint | undefined> {
  const at = blockNumber === undefined ? {} : { blockNumber };
  for (let q = phase - 1n; q >= 1n; q--) {
    const aggregator = await orAbsent(
      client.readContract({
        address: feed,
        abi: phasedAggregatorProxyAbi,
        functionName: 'phaseAggregators',
        args: [Number(q)],
        ...at,
      }),
    );
    if (aggregator === undefined) return undefined; // no proxy: no phases to cross
    if (BigInt(aggregator) === 0n) continue;
    const latest = await orAbsent(
      client.readContract({
        address: aggregator,
        abi: aggregatorV3InterfaceAbi,
        functionName: 'latestRoundData',
        ...at,
      }),
    );
    // An aggregator replaced before it answered has no round (it reverts, or answers round 0 / updatedAt 0).
    if (latest !== undefined && latest[0] > 0n && latest[3] !== 0n)
      return (q << PROXY_PHASE_OFFSET) | latest[0];
  }
  return undefined;
}

/** The read's value, or undefined when the call reverted (any other error propagates). */
async function orAbsent<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (isContractRevert(error)) return undefined;
    throw error;
  }
}

export async function readRound(client: PublicClient, feed: Address, roundId: bigint): Promise<FeedRound> {
  return toRound(
    await client.readContract({
      address: feed,
      abi: aggregatorV3InterfaceAbi,
      functionName: 'getRoundData',
      args: [roundId],
    }),
  );
}

function toRound(r: readonly [bigint, bigint, bigint, bigint, bigint]): FeedRound {
  return { roundId: r[0], answer: r[1], startedAt: r[2], updatedAt: r[3], answeredInRound: r[4] };
}

/**
 * The agent's checks on the round it is about to use: positive, fresh, and not a jump from the
 * previous round. Throws FeedRefusedError with a sentence naming the rule, the value and the limit.
 */
export function checkRound(
  feedLabel: string,
  latest: FeedRound,
  previous: FeedRound | undefined,
  now: bigint,
  rules: FeedRules,
): void {
  if (latest.answer <= 0n) {
    throw new FeedRefusedError(
      'non-positive',
      feedLabel,
      latest.roundId,
      `answer ${latest.answer} is not positive.`,
    );
  }
  const age = now - latest.updatedAt;
  if (age > BigInt(rules.maxAgeSeconds)) {
    throw new FeedRefusedError(
      'stale',
      feedLabel,
      latest.roundId,
      `round is ${age}s old, the limit is ${rules.maxAgeSeconds}s (updated at ${new Date(Number(latest.updatedAt) * 1000).toISOString()}).`,
    );
  }
  if (previous && previous.answer > 0n) {
    const move = deviationBps(latest.answer, previous.answer);
    if (move > BigInt(rules.maxDeviationBps)) {
      throw new FeedRefusedError(
        'deviation',
        feedLabel,
        latest.roundId,
        `answer moved ${formatBps(move)} from round ${proxyRoundIdText(previous.roundId)} (${show(previous.answer, rules.decimals)} → ${show(latest.answer, rules.decimals)}), the limit is ${formatBps(BigInt(rules.maxDeviationBps))}.`,
      );
    }
  }
}

export function deviationBps(answer: bigint, previous: bigint): bigint {
  const diff = answer > previous ? answer - previous : previous - answer;
  return (diff * 10_000n) / (previous < 0n ? -previous : previous);
}

const show = (answer: bigint, decimals: number | undefined) =>
  decimals === undefined
    ? answer.toString()
    : (Number(answer) / 10 ** decimals).toFixed(Math.min(decimals, 4));

const formatBps = (bps: bigint) => `${(Number(bps) / 100).toFixed(2)}%`;
