import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Agent,
  agentStatus,
  buildAgent,
  type EpochReport,
  type Journal,
  journalPath,
  openJournal,
  parseAgentOptions,
  type ReplayEpoch,
  type Stack,
} from '../src/agent/index.js';
import { createTxManager } from '../src/chain/index.js';
import { openReplayStack, publishDay } from './fixtures/chain.js';

const OPTIONS = parseAgentOptions({ approvalThresholdUsd: 1_000 });

/** The `approvalWaits` state entries the journal holds, in order (one per change of what the agent waits on). */
const waitEntries = (journal: Journal) =>
  journal
    .entries({ kind: 'state' })
    .map((e) => e.payload as { name: string; value: { approvalId: string; status: string }[] })
    .filter((p) => p.name === 'approvalWaits')
    .map((p) => p.value);

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));

const awaiting = (report: EpochReport) =>
  report.intents.filter((i) => i.outcome === 'awaiting-approval').map((i) => i.key);

// Approval mode on a real anvil: a mint waiting for `agent approve` (or approved and about to be sent) is one
// decision; the agent prepares no second mint on the vault until it is settled, and resumes after it lands.
describe('approval mode: one request per decision in flight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-approval-'));
  const jdir = mkdtempSync(join(tmpdir(), 'provenant-approval-journal-'));
  let stack: Stack;
  const acting: ReplayEpoch[] = [];
  let epoch: number;
  let journal: Journal;
  let agent: Agent;

  /** (Re)opens the journal and builds an agent on it, as `provenant agent run` does after a restart. */
  function start() {
    journal = openJournal(journalPath(jdir));
    const tx = createTxManager({
      clients: stack.agent,
      account: stack.agentAccount,
      store: journal.txStore(),
      pollIntervalMs: 20,
    });
    agent = buildAgent(stack, journal, tx, OPTIONS);
  }

  async function advance(): Promise<number> {
    const day = acting.shift();
    if (!day) throw new Error('replay exhausted');
    await publishDay(stack, day);
    epoch += 1;
    return epoch;
  }

  beforeAll(async () => {
    const opened = await openReplayStack({
      stateDir: dir,
      statePath: null,
      start: '2020-01-02',
      end: '2020-02-14',
      warmupDays: 70,
      trainEnd: '2020-01-01',
    });
    stack = opened.stack;
    acting.push(...opened.acting);
    epoch = acting[0]!.index - 1;
    start();
  });
  afterAll(async () => {
    if (journal?.db.open) journal.close();
    await stack?.close();
  });

  test('behavior: a waiting, then an approved mint gets no second request; decisions resume once it lands', async () => {
    // 1. An over-threshold mint waits for a person.
    const first = await agent.runEpoch(await advance());
    const [mint] = awaiting(first);
    expect(mint).toBeDefined();
    const [request] = journal.approvals.list({ status: 'pending' });
    expect(request?.intentKey).toBe(mint);

    // 2. Next rounds, nobody has approved yet: no second request, and one journal entry says why it waits.
    for (let i = 0; i < 2; i++) {
      const report = await agent.runEpoch(await advance());
      expect(awaiting(report), show(report.intents)).toEqual([]);
    }
    expect(journal.approvals.list().map((a) => a.id)).toEqual([request!.id]);
    expect(waitEntries(journal)).toEqual([
      [expect.objectContaining({ approvalId: request!.id, status: 'pending', kind: 'synth-mint' })],
    ]);
    expect(agentStatus(journal).waiting).toEqual([
      expect.objectContaining({ approvalId: request!.id, intentKey: mint, status: 'pending' }),
    ]);

    // 3. Approved, then the agent restarts (state from the journal only): the epoch that sends the approved
    //    mint does not decide a second one.
    journal.approvals.approve(request!.id, 'test');
    journal.close();
    start();
    await agent.recover();
    const sending = await agent.runEpoch(await advance());
    expect(sending.intents.find((i) => i.key === mint)?.outcome).toBe('confirmed');
    expect(awaiting(sending), show(sending.intents)).toEqual([]);
    expect(journal.approvals.list({ status: 'pending' })).toEqual([]);
    // Only the approved mint was prepared since epoch 1 (whose over-cap first try was refused by preflight).
    expect(journal.approvals.list().map((a) => a.id)).toEqual([request!.id]);
    expect(
      journal.intents
        .list()
        .filter((r) => r.kind === 'synth-mint' && r.status !== 'refused')
        .map((r) => r.key),
    ).toEqual([mint]);

    // 4. It landed: the wait is over (journaled once), `agent status` shows none, decisions resume.
    expect(waitEntries(journal).at(-1)).toEqual([]);
    expect(agentStatus(journal).waiting).toEqual([]);
    let resumed: EpochReport | undefined;
    for (let i = 0; i < 6 && !resumed; i++) {
      const report = await agent.runEpoch(await advance());
      if (report.intents.some((x) => x.kind === 'synth-mint' || x.kind === 'synth-repay')) resumed = report;
    }
    expect(resumed, 'the strategy decided again after the approved mint landed').toBeDefined();
    expect(journal.verify().ok).toBe(true);
  });

  test('behavior: a rejected request ends the wait', async () => {
    // Find (or make) a pending request, reject it, and the next decision may ask again.
    let pending = journal.approvals.list({ status: 'pending' })[0];
    for (let i = 0; i < 6 && !pending; i++) {
      await agent.runEpoch(await advance());
      pending = journal.approvals.list({ status: 'pending' })[0];
    }
    expect(pending, 'a later decision asked for approval').toBeDefined();
    journal.approvals.reject(pending!.id, 'test', 'not now');
    expect(agentStatus(journal).waiting).toEqual([]);
    const before = waitEntries(journal).length;
    await agent.runEpoch(await advance());
    // The wait's end is journaled (or a new request began a new wait): never the rejected one again.
    const after = waitEntries(journal);
    expect(after.length).toBeGreaterThan(before);
    expect(after.at(-1)?.map((w) => w.approvalId)).not.toContain(pending!.id);
    expect(journal.verify().ok).toBe(true);
  });
});
