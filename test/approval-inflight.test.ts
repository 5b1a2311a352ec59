import { describe, expect, test } from 'vitest';
import { agentStatus, type EpochReport, type Journal } from '../src/agent/index.js';
import { awaitingApproval, show, useJanuaryReplayAgent } from './fixtures/replayAgent.js';

const OPTIONS = { approvalThresholdUsd: 1_000 };

/** The `approvalWaits` state entries the journal holds, in order (one per change of what the agent waits on). */
const waitEntries = (journal: Journal) =>
  journal
    .entries({ kind: 'state' })
    .map((e) => e.payload as { name: string; value: { approvalId: string; status: string }[] })
    .filter((p) => p.name === 'approvalWaits')
    .map((p) => p.value);

// Approval mode on a real anvil: a mint waiting for `agent approve` (or approved and about to be sent) is one
// decision; the agent prepares no second mint on the vault until it is settled, and resumes after it lands.
describe('approval mode: one request per decision in flight', () => {
  const run = useJanuaryReplayAgent('approval', OPTIONS);

  test('behavior: a waiting, then an approved mint gets no second request; decisions resume once it lands', async () => {
    // 1. An over-threshold mint waits for a person.
    const first = await run().agent.runEpoch(await run().advance());
    const [mint] = awaitingApproval(first);
    expect(mint).toBeDefined();
    const [request] = run().journal.approvals.list({ status: 'pending' });
    expect(request?.intentKey).toBe(mint);

    // 2. Next rounds, nobody has approved yet: no second request, and one journal entry says why it waits.
    for (let i = 0; i < 2; i++) {
      const report = await run().agent.runEpoch(await run().advance());
      expect(awaitingApproval(report), show(report.intents)).toEqual([]);
    }
    expect(
      run()
        .journal.approvals.list()
        .map((a) => a.id),
    ).toEqual([request!.id]);
    expect(waitEntries(run().journal)).toEqual([
      [expect.objectContaining({ approvalId: request!.id, status: 'pending', kind: 'synth-mint' })],
    ]);
    expect(agentStatus(run().journal).waiting).toEqual([
      expect.objectContaining({ approvalId: request!.id, intentKey: mint, status: 'pending' }),
    ]);

    // 3. Approved, then the agent restarts (state from the journal only): the epoch that sends the approved
    //    mint does not decide a second one.
    run().journal.approvals.approve(request!.id, 'test');
    run().restart();
    await run().agent.recover();
    const sending = await run().agent.runEpoch(await run().advance());
    expect(sending.intents.find((i) => i.key === mint)?.outcome).toBe('confirmed');
    expect(awaitingApproval(sending), show(sending.intents)).toEqual([]);
    expect(run().journal.approvals.list({ status: 'pending' })).toEqual([]);
    // Only the approved mint was prepared since epoch 1 (whose over-cap first try was refused by preflight).
    expect(
      run()
        .journal.approvals.list()
        .map((a) => a.id),
    ).toEqual([request!.id]);
    expect(
      run()
        .journal.intents.list()
        .filter((r) => r.kind === 'synth-mint' && r.status !== 'refused')
        .map((r) => r.key),
    ).toEqual([mint]);

    // 4. It landed: the wait is over (journaled once), `agent status` shows none, decisions resume.
    expect(waitEntries(run().journal).at(-1)).toEqual([]);
    expect(agentStatus(run().journal).waiting).toEqual([]);
    let resumed: EpochReport | undefined;
    for (let i = 0; i < 6 && !resumed; i++) {
      const report = await run().agent.runEpoch(await run().advance());
      if (report.intents.some((x) => x.kind === 'synth-mint' || x.kind === 'synth-repay')) resumed = report;
    }
    expect(resumed, 'the strategy decided again after the approved mint landed').toBeDefined();
    expect(run().journal.verify().ok).toBe(true);
  });

  test('behavior: a rejected request ends the wait', async () => {
    // Find (or make) a pending request, reject it, and the next decision may ask again.
    let pending = run().journal.approvals.list({ status: 'pending' })[0];
    for (let i = 0; i < 6 && !pending; i++) {
      await run().agent.runEpoch(await run().advance());
      pending = run().journal.approvals.list({ status: 'pending' })[0];
    }
    expect(pending, 'a later decision asked for approval').toBeDefined();
    run().journal.approvals.reject(pending!.id, 'test', 'not now');
    expect(agentStatus(run().journal).waiting).toEqual([]);
    const before = waitEntries(run().journal).length;
    await run().agent.runEpoch(await run().advance());
    // The wait's end is journaled (or a new request began a new wait): never the rejected one again.
    const after = waitEntries(run().journal);
    expect(after.length).toBeGreaterThan(before);
    expect(after.at(-1)?.map((w) => w.approvalId)).not.toContain(pending!.id);
    expect(run().journal.verify().ok).toBe(true);
  });
});
