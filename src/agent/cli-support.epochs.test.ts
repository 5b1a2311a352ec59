import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, keccak256, stringToHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, test } from 'vitest';
import { datasetAnswers } from '../models/index.js';
import { createAgent } from './agent.js';
import { agentStatus, renumberLegacyEpochs, runAgentLoop } from './cli-support.js';
import { type Journal, openJournal } from './journal/index.js';
import { trainAgentForecaster } from './models.js';
import { parseAgentOptions } from './options.js';

// `runAgentLoop` skips a round it ran (`ranHere`) only within one process; across a restart it goes by the
// journal's `epoch.last`. An epoch that decided its round without acting (an outlier not acted on, a drift
// halt) must record it, or a restarted `agent run` decides that round again: for a drift halt, the round's
// recorded inference halts the agent again right after a person resumed it.
//
// The real `createAgent` on an in-memory feed of real WTI closes and a real SQLite journal; every read past
// the decision throws (these epochs return before it).
const stateDir = mkdtempSync(join(tmpdir(), 'provenant-loop-epochs-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const forecaster = trainAgentForecaster({ kind: 'ridge', trainEnd: '2018-12-31', stateDir });
const { dates, answers } = datasetAnswers('wti-daily');
const start = dates.indexOf('2019-01-02') - 100;
const REAL = answers.slice(start, start + 300);
const FEED = '0x0000000000000000000000000000000000000001' as Address;
const T0 = 1_600_000_000n;
const updatedAt = (id: bigint) => T0 + id * 86_400n;
const ACCOUNT = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');

type Feed = { latest: bigint; answers: bigint[] };

function fakeClients(feed: Feed) {
  const round = (id: bigint) =>
    [id, feed.answers[Number(id) - 1]!, updatedAt(id), updatedAt(id), id] as const;
  const publicClient = {
    getBlock: async () => ({ timestamp: updatedAt(feed.latest) + 60n }),
    getBlockNumber: async () => feed.latest,
    readContract: async (p: { functionName: string; args?: readonly unknown[] }) => {
      if (p.functionName === 'latestRoundData') return round(feed.latest);
      if (p.functionName === 'getRoundData') return round(p.args![0] as bigint);
      throw new Error(`stop after the decision (${p.functionName})`);
    },
  };
  return { publicClient, chain: { id: 31337 }, rpcUrls: [] };
}

function agentOn(journal: Journal, feed: Feed) {
  return createAgent({
    clients: fakeClients(feed) as never,
    account: ACCOUNT,
    addresses: { feeds: { WTI: FEED } } as never,
    journal,
    tx: { recover: async () => ({ outcomes: [] }) } as never,
    options: parseAgentOptions({}),
    feedRules: { maxAgeSeconds: 1e9, maxDeviationBps: 1e6 },
    forecaster,
    content: {} as never,
    strategies: [],
    decimals: 8,
  });
}

const once = (journal: Journal, feed: Feed) =>
  runAgentLoop({
    agent: agentOn(journal, feed),
    journal,
    clients: fakeClients(feed) as never,
    wtiFeed: FEED,
    once: true,
  });

describe('runAgentLoop: epochs that decide without acting record `epoch.last`', () => {
  test('behavior: an outlier round is decided once, also across a restart, and `agent status` shows its epoch', async () => {
    const path = join(mkdtempSync(join(stateDir, 'outlier-')), 'journal.sqlite');
    const feed: Feed = { latest: 150n, answers: [...REAL] };
    feed.answers[149] = (feed.answers[148]! * 124n) / 100n; // +24 % on a calm day
    let journal = openJournal(path);
    const first = await once(journal, feed);
    expect(first.reports[0]?.skipped).toMatch(/^outlier: /);
    expect(agentStatus(journal).lastEpoch).toBe(149);
    journal.close();
    journal = openJournal(path); // restart
    const again = await once(journal, feed);
    expect(again.stopped).toBe('nothing-new');
    expect(journal.entries({ kind: 'decision' })).toHaveLength(1);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  test('behavior: after a drift halt and a person resumes, a restarted run waits for the next round (no second halt)', async () => {
    const path = join(mkdtempSync(join(stateDir, 'drift-')), 'journal.sqlite');
    const feed: Feed = { latest: 100n, answers: [...REAL] };
    let journal = openJournal(path);
    const agent = agentOn(journal, feed);
    // Calm real rounds, then planted daily moves far outside the training distribution until drift halts.
    for (; feed.latest < 130n; feed.latest++) await agent.runEpoch(Number(feed.latest) - 1).catch(() => 0);
    let halted: string | undefined;
    for (let i = 0; i < 30 && !halted; i++) {
      const previous = feed.answers[Number(feed.latest) - 2]!;
      feed.answers[Number(feed.latest) - 1] = (previous * (i % 2 === 0 ? 109n : 92n)) / 100n;
      const report = await agent.runEpoch(Number(feed.latest) - 1).catch(() => undefined);
      halted = report?.halted;
      if (!halted) feed.latest++;
    }
    expect(halted).toMatch(/^drift: /);
    const haltedEpoch = Number(feed.latest) - 1;
    expect(agentStatus(journal).lastEpoch).toBe(haltedEpoch);
    // `provenant agent resume` (what it journals), then the agent restarts: no new round yet.
    journal.state.resume('test');
    journal.state.setChained('consecutiveRefusals', {});
    journal.append({ kind: 'decision', payload: { rebaseline: true } });
    journal.close();
    journal = openJournal(path);
    const after = await once(journal, feed);
    expect(after.stopped).toBe('nothing-new');
    expect(journal.state.halted().halted).toBe(false);
    // The next round is decided (and gets past the drift check, to the reads this harness refuses).
    feed.answers[Number(feed.latest)] = feed.answers[Number(feed.latest) - 1]!;
    feed.latest++;
    const next = await once(journal, feed).catch((e: unknown) => e);
    expect(String(next)).toMatch(/stop after the decision/);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });
});

describe('a proxy journal from before exact epochs (epoch = Number(roundId) − 1)', () => {
  test('behavior: its last epoch is renumbered from the last decision round, its requests with such deadlines expire; a current journal is untouched', () => {
    const journal = openJournal(join(stateDir, 'legacy.sqlite'));
    const round = (2n << 64n) | 42n; // phase 2, aggregator round 42
    const old = Number(round) - 1;
    journal.append({
      kind: 'decision',
      epoch: old,
      payload: { round: round.toString(), date: '2020-05-01' },
    });
    journal.state.setLastEpoch(old);
    const key = keccak256(stringToHex('legacy-intent'));
    journal.intents.record({ key, kind: 'synth-mint', payload: {} });
    const request = journal.approvals.request({
      intentKey: key,
      calldataHash: key,
      payload: { summary: 'mint', to: FEED, data: '0x', sizeUsd: 1, expiresAtEpoch: old + 3 },
      id: 'legacy-1',
    });
    const changed = renumberLegacyEpochs(journal);
    const exact = 2 * 2 ** 32 + 41;
    expect(changed).toEqual({ lastEpoch: { from: old, to: exact }, expired: [request.id] });
    expect(journal.state.lastEpoch()).toBe(exact);
    expect(journal.approvals.get(request.id)?.status).toBe('expired');
    expect(journal.entries({ kind: 'note' }).at(-1)?.payload).toMatchObject({
      epochsRenumbered: { from: old, to: exact, round: round.toString() },
    });
    expect(journal.verify().ok).toBe(true);
    // Already in the current numbering: nothing more to do.
    expect(renumberLegacyEpochs(journal)).toEqual({ expired: [] });
    journal.close();
  });
});
