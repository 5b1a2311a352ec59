import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { datasetAnswers } from '../models/index.js';
import { createAgent } from './agent.js';
import { type Journal, openJournal } from './journal/index.js';
import { trainAgentForecaster } from './models.js';
import { parseAgentOptions } from './options.js';

// Review 5 (F5), "restart = uninterrupted run" with a re-baseline: when several epochs decide the same
// oracle round (epochs shorter than the round interval, an epoch re-run after a restart), the running
// agent must keep one re-baseline row per round, as the journal replay (`restoreInferState`) rebuilds
// them. Otherwise, after a person resumes the agent (`rebaseline`), a restarted agent and one that kept
// running set different drift references and their Page–Hinkley statistics disagree from then on.
//
// The real `createAgent` runs on an in-memory feed of real WTI closes (2019 on, the forecaster trained
// before 2019) and a real SQLite journal; each epoch stops right after the decision is journalled (every
// read the decide step makes throws), which is all the re-baseline rows depend on.
const stateDir = mkdtempSync(join(tmpdir(), 'provenant-restart-agent-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const forecaster = trainAgentForecaster({ kind: 'ridge', trainEnd: '2018-12-31', stateDir });
const { dates, answers } = datasetAnswers('wti-daily');
const start = dates.indexOf('2019-01-02') - 100;
const ANSWERS = answers.slice(start, start + 300);
const FEED = '0x0000000000000000000000000000000000000001' as Address;
const T0 = 1_600_000_000n;
const updatedAt = (id: bigint) => T0 + id * 86_400n;

/** A feed whose latest round is `feed.latest` (ids 1..); every other read throws. */
function fakeClients(feed: { latest: bigint }) {
  const round = (id: bigint) => [id, ANSWERS[Number(id) - 1]!, updatedAt(id), updatedAt(id), id] as const;
  const publicClient = {
    getBlock: async () => ({ timestamp: updatedAt(feed.latest) + 60n }),
    readContract: async (p: { functionName: string; args?: readonly unknown[] }) => {
      if (p.functionName === 'latestRoundData') return round(feed.latest);
      if (p.functionName === 'getRoundData') return round(p.args![0] as bigint);
      throw new Error(`stop after the decision (${p.functionName})`);
    },
  };
  return { publicClient, chain: { id: 31337 } };
}

type AgentUnderTest = ReturnType<typeof createAgent>;

function agentOn(journal: Journal, feed: { latest: bigint }): AgentUnderTest {
  return createAgent({
    clients: fakeClients(feed) as never,
    account: { address: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' } as never,
    addresses: { feeds: { WTI: FEED } } as never,
    journal,
    tx: {} as never,
    options: parseAgentOptions({}),
    feedRules: { maxAgeSeconds: 1e9, maxDeviationBps: 1e6 },
    forecaster,
    content: {} as never,
    strategies: [],
    decimals: 8,
  });
}

/** The drift status of every decision after the (last) re-baseline entry. */
function driftsAfterResume(journal: Journal): unknown[] {
  const payloads = journal
    .entries({ kind: 'decision' })
    .map((e) => e.payload as { rebaseline?: boolean; drift?: unknown });
  const from = payloads.findLastIndex((p) => p.rebaseline === true);
  expect(from).toBeGreaterThanOrEqual(0);
  return payloads.slice(from + 1).map((p) => p.drift);
}

const FIRST = 100n;
/** Rounds decided after the resume (one epoch each). */
const AFTER = 60n;

/**
 * `rounds` rounds from round `FIRST`, each decided by `epochsPerRound` epochs; then a person resumes
 * the agent (`rebaseline`) and `AFTER` more rounds are decided. Run twice: uninterrupted, and killed and
 * restarted from the journal after each epoch (counted from 1) in `killAfter` (the last epoch before the
 * resume is always one: killed, restarted, then resumed). Returns both runs' drift after the resume.
 */
async function scenario(epochsPerRound: number, rounds: bigint, killAfter: readonly number[] = []) {
  const run = async (restartAt: ReadonlySet<number>) => {
    const path = join(mkdtempSync(join(stateDir, 'run-')), 'journal.sqlite');
    const feed = { latest: FIRST };
    let journal = openJournal(path);
    let agent = agentOn(journal, feed);
    let epoch = 0;
    const step = async () => {
      await agent.runEpoch(epoch++).catch(() => undefined); // stops after the decision (see above)
      if (restartAt.has(epoch)) {
        journal.close();
        journal = openJournal(path);
        agent = agentOn(journal, feed);
      }
    };
    for (let id = FIRST; id < FIRST + rounds; id++) {
      feed.latest = id;
      for (let k = 0; k < epochsPerRound; k++) await step();
    }
    agent.rebaseline();
    for (let id = FIRST + rounds; id < FIRST + rounds + AFTER; id++) {
      feed.latest = id;
      await step();
    }
    const out = {
      decisions: journal.entries({ kind: 'decision' }).length,
      drift: driftsAfterResume(journal),
    };
    journal.close();
    return out;
  };
  const beforeResume = Number(rounds) * epochsPerRound;
  const uninterrupted = await run(new Set());
  const restarted = await run(new Set([...killAfter, beforeResume]));
  expect(restarted.decisions).toBe(uninterrupted.decisions);
  // The rounds after the resume are decided (a drift halt, the same in both runs, may end them early).
  expect(uninterrupted.drift.length).toBeGreaterThan(Number(AFTER) - 10);
  return { uninterrupted: uninterrupted.drift, restarted: restarted.drift };
}

describe('restart + resume: the re-baseline rows equal the uninterrupted run (real WTI rounds, real journal)', () => {
  test('control: one epoch per round, 70 rounds (re-baselined on the recent rows), resume, 60 more', async () => {
    const r = await scenario(1, 70n);
    expect(r.restarted).toEqual(r.uninterrupted);
  });

  test('two epochs per round, 70 rounds: both re-baseline on the same 70 rows (not 140 against 70)', async () => {
    const r = await scenario(2, 70n);
    expect(r.restarted).toEqual(r.uninterrupted);
  });

  test('two epochs per round, 40 rounds: both fall back to the training window (not 80 rows against 40)', async () => {
    const r = await scenario(2, 40n);
    expect(r.restarted).toEqual(r.uninterrupted);
  });

  test('killed between the two epochs of a round (the restarted agent repeats it), and before the resume', async () => {
    // Epoch 81 is the first of round FIRST + 40: the restarted agent decides that round again in epoch 82.
    const r = await scenario(2, 70n, [81, 101]);
    expect(r.restarted).toEqual(r.uninterrupted);
  });
});
