import type { Address, PublicClient } from 'viem';
import { aggregatorV3InterfaceAbi, firstRoundOfPhase } from '../chain/index.js';
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
  // Inside the newest round's phase only: a proxy's ids are consecutive within one phase (one aggregator),
  // so after an aggregator upgrade the window is shorter (the agent then has too little history and waits
  // for the new phase's rounds) instead of reading `phase << 64 | 0`, which no proxy answers.
  for (let id = first - 1n; id >= firstRoundOfPhase(first) && ids.length < count - 1; id--) ids.push(id);
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
        `answer moved ${formatBps(move)} from round ${previous.roundId} (${show(previous.answer, rules.decimals)} → ${show(latest.answer, rules.decimals)}), the limit is ${formatBps(BigInt(rules.maxDeviationBps))}.`,
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
