import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStack, type Stack, timestampOf } from '../src/agent/index.js';
import { loadDataset } from '../src/data/index.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';

// The stack the markets (and governance) tests share: the agent's ridge forecaster trained on data up to 2020-04-17, the
// chain clock at 2020-04-20 (the day of the negative WTI print, which the dataset drops), an in-memory
// devnet and a state dir of its own, removed on close.

export type MarketStack = { stack: Stack; stateDir: string; close: () => Promise<void> };

export async function openMarketStack(
  prefix: string,
  /** Another training end and chain clock (defaults: trained up to 2020-04-17, clock at 2020-04-20). */
  at: { trainEnd: string; genesisTimestamp: bigint } = {
    trainEnd: '2020-04-17',
    genesisTimestamp: timestampOf('2020-04-20'),
  },
): Promise<MarketStack> {
  const stateDir = mkdtempSync(join(tmpdir(), `provenant-${prefix}-`));
  const stack = await openStack({ stateDir, statePath: null, forecasterKind: 'ridge', ...at });
  return {
    stack,
    stateDir,
    close: async () => {
      await stack.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Real WTI closes (EIA, data/oil-prices) from `from` to `to`, inclusive. */
export function wtiCloses(from: string, to: string): { date: string; value: number }[] {
  return loadDataset('wti-daily').series.points.filter((p) => p.date >= from && p.date <= to);
}

/**
 * Publishes the WTI close of `date` (one of `closes`) as the next round, observed at that day's close plus
 * `afterSeconds`, with the stack's reporters all answering it (spread 0, so the median is the close).
 * Returns the close as an 8-decimal answer and the median the oracle accepted.
 */
export async function publishWtiClose(
  stack: Stack,
  closes: readonly { date: string; value: number }[],
  date: string,
  afterSeconds = 0,
): Promise<{ answer: bigint; median: bigint }> {
  const point = closes.find((c) => c.date === date);
  if (!point) throw new Error(`no WTI close on ${date}`);
  const at = timestampOf(date) + BigInt(afterSeconds);
  await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: at });
  await stack.deployer.testClient!.mine({ blocks: 1 });
  const answer = toAnswer(point.value, 8);
  const { median } = await publishNextRound(
    stack.relayer,
    { accounts: stack.reporterAccounts, spreadPpm: 0 },
    { feed: stack.addresses.feeds.WTI, answer, observedAt: at },
  );
  return { answer, median };
}
