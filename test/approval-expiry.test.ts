import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type Agent,
  ApprovalExpiredError,
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
import { runCli } from './fixtures/cli.js';
import { rewriteEntry } from './fixtures/journal.js';

// Two epochs to answer: a request made in epoch e expires at the start of epoch e + 2.
const OPTIONS = parseAgentOptions({ approvalThresholdUsd: 1_000, approvalExpiryEpochs: 2 });

const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
const awaiting = (report: EpochReport) =>
  report.intents.filter((i) => i.outcome === 'awaiting-approval').map((i) => i.key);

// Approval mode on a real anvil: a request nobody answers expires after `approvalExpiryEpochs` new rounds; its
// intent is closed (never sent), a later approve is refused, and the agent decides anew on the current market.
describe('approval mode: an unanswered request expires', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-approval-expiry-'));
  const jdir = mkdtempSync(join(tmpdir(), 'provenant-approval-expiry-journal-'));
  let stack: Stack;
  const acting: ReplayEpoch[] = [];
  let epoch: number;
  let journal: Journal;
  let agent: Agent;

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

  let expiredId: string;
  let freshId: string;

  test('behavior: pending until its deadline, expired at it, and a fresh request when the market still calls for one', async () => {
    const first = await agent.runEpoch(await advance());
    const [mint] = awaiting(first);
    expect(mint, show(first.intents)).toBeDefined();
    const requestedAt = epoch;
    const [request] = journal.approvals.list({ status: 'pending' });
    expect(request?.intentKey).toBe(mint);
    expect((request?.payload as { expiresAtEpoch?: number } | undefined)?.expiresAtEpoch).toBe(
      requestedAt + 2,
    );
    expiredId = request!.id;

    // One round later, still unanswered: not expired, held back, no second request.
    const next = await agent.runEpoch(await advance());
    expect(next.expired).toBeUndefined();
    expect(awaiting(next)).toEqual([]);
    expect(journal.approvals.get(expiredId)?.status).toBe('pending');
    expect(agentStatus(journal).pendingApprovals).toEqual([
      expect.objectContaining({ id: expiredId, expiresAtEpoch: requestedAt + 2 }),
    ]);

    // The deadline round: expired first (journaled, intent closed), then decided anew: a new request.
    const due = await agent.runEpoch(await advance());
    expect(due.expired?.map((e) => [e.approvalId, e.requestedEpoch, e.expiredAtEpoch])).toEqual([
      [expiredId, requestedAt, requestedAt + 2],
    ]);
    expect(journal.approvals.get(expiredId)?.status).toBe('expired');
    expect(journal.intents.get(mint!)?.status).toBe('failed');
    const [fresh] = awaiting(due);
    expect(fresh, show(due.intents)).toBeDefined();
    expect(fresh).not.toBe(mint);
    const pending = journal.approvals.list({ status: 'pending' });
    expect(pending.map((a) => a.intentKey)).toEqual([fresh]);
    freshId = pending[0]!.id;
    expect(agentStatus(journal).waiting.map((w) => w.approvalId)).toEqual([freshId]);
    // The expired intent was never sent.
    expect(await journal.txStore().get(mint!)).toBeUndefined();
    expect(journal.verify().ok).toBe(true);
  });

  test('behavior: `agent approve` on the expired request is refused and changes nothing; status shows it apart', async () => {
    const head = journal.head();
    const approve = await runCli(['--state-dir', jdir, 'agent', 'approve', expiredId]);
    expect(approve.code).toBe(1);
    expect(approve.err).toContain(`Approval ${expiredId} cannot be decided: it expired at epoch`);
    expect(approve.err).toContain('Nothing was changed.');
    expect(() => journal.approvals.approve(expiredId, 'test')).toThrow(ApprovalExpiredError);
    expect(journal.head()).toEqual(head);
    expect(journal.approvals.get(expiredId)?.status).toBe('expired');

    const text = await runCli(['--state-dir', jdir, 'agent', 'status']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('1 pending, 0 approved and not yet sent (sent by the next epoch), 1 expired');
    expect(text.out).toMatch(
      new RegExp(`EXPIRED ${expiredId}: .* expired at epoch \\d+ \\(.*\\): unanswered at epoch \\d+`),
    );
    expect(text.out).toMatch(new RegExp(`approval ${freshId}: .*, expires at epoch \\d+`));
    const json = await runCli(['--state-dir', jdir, 'agent', 'status', '--json']);
    const status = JSON.parse(json.out) as {
      pendingApprovals: { id: string }[];
      expiredApprovals: { approvalId: string }[];
    };
    expect(status.pendingApprovals.map((a) => a.id)).toEqual([freshId]);
    expect(status.expiredApprovals.map((a) => a.approvalId)).toEqual([expiredId]);
  });

  test('behavior: a request approved in time is sent by the next epoch, at the latest its deadline epoch, across a restart', async () => {
    journal.approvals.approve(freshId, 'test');
    // Restart between (state from the journal only), then two rounds: the deadline passes, it was approved.
    journal.close();
    start();
    await agent.recover();
    await advance();
    const sending = await agent.runEpoch(await advance());
    expect(sending.expired).toBeUndefined();
    expect(journal.approvals.get(freshId)).toMatchObject({ status: 'approved', used: true });
    const key = journal.approvals.get(freshId)!.intentKey;
    expect(sending.intents.find((i) => i.key === key)?.outcome, show(sending.intents)).toBe('confirmed');
    expect(journal.verify().ok).toBe(true);
  });

  test('behavior: approved in time but found unsent after its deadline (the agent did not run), it expires and is never sent', async () => {
    // The market still calls for a mint after the last one landed: the agent asks again.
    let requested: EpochReport | undefined;
    for (let i = 0; i < 6 && requested === undefined; i++) {
      const report = await agent.runEpoch(await advance());
      if (awaiting(report).length > 0) requested = report;
    }
    expect(requested, 'no new approval request within six rounds').toBeDefined();
    const [key] = awaiting(requested!);
    const [late] = journal.approvals.list({ status: 'pending' });
    expect(late?.intentKey).toBe(key);
    // Approved at once, but the agent is stopped for three rounds (one past the deadline epoch).
    journal.approvals.approve(late!.id, 'test');
    journal.close();
    await advance();
    await advance();
    await advance();
    start();
    await agent.recover();
    const resumed = await agent.runEpoch(await advance());
    expect(resumed.expired?.map((e) => e.approvalId)).toEqual([late!.id]);
    expect(resumed.expired?.[0]?.reason).toContain('approved but not sent by its deadline epoch');
    expect(journal.approvals.get(late!.id)).toMatchObject({ status: 'expired', used: false });
    expect(journal.intents.get(key!)?.status).toBe('failed');
    expect(await journal.txStore().get(key!)).toBeUndefined();
    expect(journal.verify().ok).toBe(true);
  });

  test('behavior: `audit verify` passes on the journal with its expiry and fails once the expiry entry is rewritten', async () => {
    const expiry = journal.approvals.expiry(expiredId)!;
    journal.close();
    const ok = await runCli(['--state-dir', jdir, 'audit', 'verify']);
    expect(ok.code, ok.out + ok.err).toBe(0);
    const entry = openJournal(journalPath(jdir), { readonly: true });
    const payload = entry.db.prepare('SELECT payload FROM entries WHERE seq = ?').get(expiry.seq) as {
      payload: string;
    };
    entry.close();
    expect(payload.payload).toContain('"status":"expired"');
    rewriteEntry(journalPath(jdir), expiry.seq, payload.payload.replace('"expired"', '"rejected"'));
    const bad = await runCli(['--state-dir', jdir, 'audit', 'verify']);
    expect(bad.code).not.toBe(0);
    expect(bad.out + bad.err).toContain(expiredId);
  });
});
