import { describe, expect, test } from 'vitest';
import {
  ApprovalExpiredError,
  agentStatus,
  type EpochReport,
  journalPath,
  openJournal,
} from '../src/agent/index.js';
import { runCli } from './fixtures/cli.js';
import { rewriteEntry } from './fixtures/journal.js';
import { awaitingApproval, show, useJanuaryReplayAgent } from './fixtures/replayAgent.js';

// Two epochs to answer: a request made in epoch e expires at the start of epoch e + 2.
const OPTIONS = { approvalThresholdUsd: 1_000, approvalExpiryEpochs: 2 };

// Approval mode on a real anvil: a request nobody answers expires after `approvalExpiryEpochs` new rounds; its
// intent is closed (never sent), a later approve is refused, and the agent decides anew on the current market.
describe('approval mode: an unanswered request expires', () => {
  const run = useJanuaryReplayAgent('approval-expiry', OPTIONS);

  let expiredId: string;
  let freshId: string;

  test('behavior: pending until its deadline, expired at it, and a fresh request when the market still calls for one', async () => {
    const first = await run().agent.runEpoch(await run().advance());
    const [mint] = awaitingApproval(first);
    expect(mint, show(first.intents)).toBeDefined();
    const requestedAt = run().epoch;
    const [request] = run().journal.approvals.list({ status: 'pending' });
    expect(request?.intentKey).toBe(mint);
    expect((request?.payload as { expiresAtEpoch?: number } | undefined)?.expiresAtEpoch).toBe(
      requestedAt + 2,
    );
    expiredId = request!.id;

    // One round later, still unanswered: not expired, held back, no second request.
    const next = await run().agent.runEpoch(await run().advance());
    expect(next.expired).toBeUndefined();
    expect(awaitingApproval(next)).toEqual([]);
    expect(run().journal.approvals.get(expiredId)?.status).toBe('pending');
    expect(agentStatus(run().journal).pendingApprovals).toEqual([
      expect.objectContaining({ id: expiredId, expiresAtEpoch: requestedAt + 2 }),
    ]);

    // The deadline round: expired first (journaled, intent closed), then decided anew: a new request.
    const due = await run().agent.runEpoch(await run().advance());
    expect(due.expired?.map((e) => [e.approvalId, e.requestedEpoch, e.expiredAtEpoch])).toEqual([
      [expiredId, requestedAt, requestedAt + 2],
    ]);
    expect(run().journal.approvals.get(expiredId)?.status).toBe('expired');
    expect(run().journal.intents.get(mint!)?.status).toBe('failed');
    const [fresh] = awaitingApproval(due);
    expect(fresh, show(due.intents)).toBeDefined();
    expect(fresh).not.toBe(mint);
    const pending = run().journal.approvals.list({ status: 'pending' });
    expect(pending.map((a) => a.intentKey)).toEqual([fresh]);
    freshId = pending[0]!.id;
    expect(agentStatus(run().journal).waiting.map((w) => w.approvalId)).toEqual([freshId]);
    // The expired intent was never sent.
    expect(await run().journal.txStore().get(mint!)).toBeUndefined();
    expect(run().journal.verify().ok).toBe(true);
  });

  test('behavior: `agent approve` on the expired request is refused and changes nothing; status shows it apart', async () => {
    const head = run().journal.head();
    const approve = await runCli(['--state-dir', run().dir, 'agent', 'approve', expiredId]);
    expect(approve.code).toBe(1);
    expect(approve.err).toContain(`Approval ${expiredId} cannot be decided: it expired at epoch`);
    expect(approve.err).toContain('Nothing was changed.');
    expect(() => run().journal.approvals.approve(expiredId, 'test')).toThrow(ApprovalExpiredError);
    expect(run().journal.head()).toEqual(head);
    expect(run().journal.approvals.get(expiredId)?.status).toBe('expired');

    const text = await runCli(['--state-dir', run().dir, 'agent', 'status']);
    expect(text.code).toBe(0);
    expect(text.out).toContain('1 pending, 0 approved and not yet sent (sent by the next epoch), 1 expired');
    expect(text.out).toMatch(
      new RegExp(`EXPIRED ${expiredId}: .* expired at epoch \\d+ \\(.*\\): unanswered at epoch \\d+`),
    );
    expect(text.out).toMatch(new RegExp(`approval ${freshId}: .*, expires at epoch \\d+`));
    const json = await runCli(['--state-dir', run().dir, 'agent', 'status', '--json']);
    const status = JSON.parse(json.out) as {
      pendingApprovals: { id: string }[];
      expiredApprovals: { approvalId: string }[];
    };
    expect(status.pendingApprovals.map((a) => a.id)).toEqual([freshId]);
    expect(status.expiredApprovals.map((a) => a.approvalId)).toEqual([expiredId]);
  });

  test('behavior: a request approved in time is sent by the next epoch, at the latest its deadline epoch, across a restart', async () => {
    run().journal.approvals.approve(freshId, 'test');
    // Restart between (state from the journal only), then two rounds: the deadline passes, it was approved.
    run().restart();
    await run().agent.recover();
    await run().advance();
    const sending = await run().agent.runEpoch(await run().advance());
    expect(sending.expired).toBeUndefined();
    expect(run().journal.approvals.get(freshId)).toMatchObject({ status: 'approved', used: true });
    const key = run().journal.approvals.get(freshId)!.intentKey;
    expect(sending.intents.find((i) => i.key === key)?.outcome, show(sending.intents)).toBe('confirmed');
    expect(run().journal.verify().ok).toBe(true);
  });

  test('behavior: approved in time but found unsent after its deadline (the agent did not run), it expires and is never sent', async () => {
    // The market still calls for a mint after the last one landed: the agent asks again.
    let requested: EpochReport | undefined;
    for (let i = 0; i < 6 && requested === undefined; i++) {
      const report = await run().agent.runEpoch(await run().advance());
      if (awaitingApproval(report).length > 0) requested = report;
    }
    expect(requested, 'no new approval request within six rounds').toBeDefined();
    const [key] = awaitingApproval(requested!);
    const [late] = run().journal.approvals.list({ status: 'pending' });
    expect(late?.intentKey).toBe(key);
    // Approved at once, but the agent is stopped for three rounds (one past the deadline epoch).
    run().journal.approvals.approve(late!.id, 'test');
    run().journal.close();
    await run().advance();
    await run().advance();
    await run().advance();
    run().restart();
    await run().agent.recover();
    const resumed = await run().agent.runEpoch(await run().advance());
    expect(resumed.expired?.map((e) => e.approvalId)).toEqual([late!.id]);
    expect(resumed.expired?.[0]?.reason).toContain('approved but not sent by its deadline epoch');
    expect(run().journal.approvals.get(late!.id)).toMatchObject({ status: 'expired', used: false });
    expect(run().journal.intents.get(key!)?.status).toBe('failed');
    expect(await run().journal.txStore().get(key!)).toBeUndefined();
    expect(run().journal.verify().ok).toBe(true);
  });

  test('behavior: `audit verify` passes on the journal with its expiry and fails once the expiry entry is rewritten', async () => {
    const expiry = run().journal.approvals.expiry(expiredId)!;
    run().journal.close();
    const ok = await runCli(['--state-dir', run().dir, 'audit', 'verify']);
    expect(ok.code, ok.out + ok.err).toBe(0);
    const entry = openJournal(journalPath(run().dir), { readonly: true });
    const payload = entry.db.prepare('SELECT payload FROM entries WHERE seq = ?').get(expiry.seq) as {
      payload: string;
    };
    entry.close();
    expect(payload.payload).toContain('"status":"expired"');
    rewriteEntry(journalPath(run().dir), expiry.seq, payload.payload.replace('"expired"', '"rejected"'));
    const bad = await runCli(['--state-dir', run().dir, 'audit', 'verify']);
    expect(bad.code).not.toBe(0);
    expect(bad.out + bad.err).toContain(expiredId);
  });
});
