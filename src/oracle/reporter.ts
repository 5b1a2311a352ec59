import type { Address, LocalAccount } from 'viem';
import {
  medianOracleAbi,
  type ProvenantClients,
  type WriteReturnType,
  writeContract,
} from '../chain/index.js';
import { FeedNotRelayableError } from './errors.js';
import { type SignedReport, signReport } from './reports.js';

export type ReporterSet = {
  /** Independent reporter keys; each signs its own observation. */
  accounts: readonly LocalAccount[];
  /**
   * How far each reporter's observation may differ from the reference value, in parts per million,
   * modelling independent data vendors. Deterministic per (reporter, round); 0 = all report the same.
   */
  spreadPpm?: number;
};

/** Deterministic per-reporter deviation in [-spread, +spread] ppm (no randomness: reproducible rounds). */
function vendorSkewPpm(reporterIndex: number, roundId: bigint, spreadPpm: number): bigint {
  if (spreadPpm === 0) return 0n;
  let h = (Number(roundId % 2147483647n) * 2654435761 + (reporterIndex + 1) * 40503) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return BigInt((h % (2 * spreadPpm + 1)) - spreadPpm);
}

/** Every reporter signs its observation of `answer` for `roundId`. */
export async function collectReports(
  set: ReporterSet,
  parameters: { feed: Address; chainId: number; roundId: bigint; answer: bigint; observedAt: bigint },
): Promise<SignedReport[]> {
  return Promise.all(
    set.accounts.map((account, index) => {
      const skew = vendorSkewPpm(index, parameters.roundId, set.spreadPpm ?? 0);
      const answer = parameters.answer + (parameters.answer * skew) / 1_000_000n;
      return signReport(account, { ...parameters, answer });
    }),
  );
}

/**
 * Relays signed reports to the feed (anyone may relay: the signatures carry the authority). Each report
 * names its reporter; the feed refuses a signature that does not recover to it (`OracleInvalidSignature`).
 */
export async function submitRound(
  clients: ProvenantClients,
  parameters: { feed: Address; roundId: bigint; reports: readonly SignedReport[] },
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: parameters.feed,
    abi: medianOracleAbi,
    functionName: 'submitRound',
    args: [
      parameters.roundId,
      parameters.reports.map((r) => ({
        reporter: r.reporter,
        answer: r.answer,
        observedAt: r.observedAt,
        signature: r.signature,
      })),
    ],
    label: `submit round ${parameters.roundId}`,
  });
}

/**
 * Publishes the next round of `feed`: every reporter of the set signs `value` (with its vendor skew) and
 * the relayer submits all of their reports (the feed's Byzantine quorum is normally every reporter, so
 * withholding one would stop the round). The round id is the feed's latest + 1, read from the chain, so
 * a restart never skips or repeats.
 *
 * Refuses (FeedNotRelayableError, before signing anything) a feed that is not a MedianOracle, such as
 * an external Chainlink feed a deployment points at with `provenant deploy --feed`, and a set too small
 * for the feed's quorum.
 */
export async function publishNextRound(
  relayer: ProvenantClients,
  set: ReporterSet,
  parameters: { feed: Address; answer: bigint; observedAt: bigint },
): Promise<{ roundId: bigint; median: bigint; gasUsed: bigint }> {
  const read = (functionName: 'latestRound' | 'quorum') =>
    relayer.publicClient.readContract({ address: parameters.feed, abi: medianOracleAbi, functionName });
  let latest: bigint;
  let quorum: bigint;
  try {
    [latest, quorum] = (await Promise.all([read('latestRound'), read('quorum')])).map(BigInt) as [
      bigint,
      bigint,
    ];
  } catch (error) {
    throw new FeedNotRelayableError(
      parameters.feed,
      `it does not answer MedianOracle's latestRound()/quorum() (${(error as Error).message.split('\n')[0]})`,
    );
  }
  if (BigInt(set.accounts.length) < quorum)
    throw new FeedNotRelayableError(
      parameters.feed,
      `its quorum is ${quorum} reports and this reporter set has ${set.accounts.length} keys`,
    );
  const roundId = latest + 1n;
  const reports = await collectReports(set, {
    feed: parameters.feed,
    chainId: relayer.chain.id,
    roundId,
    answer: parameters.answer,
    observedAt: parameters.observedAt,
  });
  const result = await submitRound(relayer, { feed: parameters.feed, roundId, reports });
  const accepted = result.events.find((e) => e.eventName === 'RoundAccepted');
  return { roundId, median: (accepted?.args.answer as bigint | undefined) ?? 0n, gasUsed: result.gasUsed };
}
