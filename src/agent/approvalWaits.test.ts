import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, test } from 'vitest';
import { rehash, tamper } from '../../test/fixtures/journal.js';
import { createAgent } from './agent.js';
import { approvalWaits, dueExpiries, expireApprovals, heldBy } from './approvalWaits.js';
import { agentStatus } from './cli-support.js';
import { ApprovalError, ApprovalExpiredError, type Journal, openJournal } from './journal/index.js';
import { parseAgentOptions } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-approval-waits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KILL_CHILD = join(dirname(fileURLToPath(import.meta.url)), 'approvalExpiry.killChild.fixture.ts');

const VAULT = '0x00000000000000000000000000000000000000Aa';
const DATA: Hex = '0x40c10f19';

let n = 0;
/** A real journal holding one synth-mint intent that asked for approval (as the agent records it). */
function requested(): { journal: Journal; key: Hex; id: string } {
  const journal = openJournal(join(dir, `j${n++}.sqlite`));
  const key = keccak256(`0x${(n + 1).toString(16).padStart(2, '0')}`);
  journal.intents.record({ key, kind: 'synth-mint', payload: { to: VAULT, data: DATA } });
  const approval = journal.approvals.request({
    intentKey: key,
    calldataHash: keccak256(DATA),
    payload: { summary: 'mint 1500 sWTI', to: VAULT, data: DATA, sizeUsd: 90_000 },
  });
  journal.intents.setStatus(key, 'awaiting-approval', `approval ${approval.id}`);
  return { journal, key, id: approval.id };
}

describe('approvalWaits', () => {
  test('default: a pending request holds back its kind on its contract, nothing else', () => {
    const { journal, key, id } = requested();
    const waits = approvalWaits(journal);
    expect(waits).toEqual([
      {
        approvalId: id,
        intentKey: key,
        kind: 'synth-mint',
        to: VAULT.toLowerCase(),
        status: 'pending',
        expiresAtEpoch: null,
        reason: `synth-mint on ${VAULT.toLowerCase()} waits for approval ${id}: pending (\`provenant agent approve ${id}\`, or \`--reject <reason>\` to decide anew)`,
      },
    ]);
    expect(heldBy(waits, 'synth-mint', VAULT)?.approvalId).toBe(id);
    expect(heldBy(waits, 'synth-repay', VAULT)).toBeUndefined();
    expect(heldBy(waits, 'synth-mint', '0x00000000000000000000000000000000000000bb')).toBeUndefined();
    expect(agentStatus(journal).waiting).toEqual(waits);
    journal.close();
  });

  test('behavior: approved, then used and sent, the wait lasts until the intent settles', () => {
    const { journal, key, id } = requested();
    journal.approvals.approve(id, 'test');
    expect(approvalWaits(journal).map((w) => w.status)).toEqual(['approved']);
    journal.approvals.consume(id, keccak256(DATA));
    journal.intents.setStatus(key, 'sent');
    expect(approvalWaits(journal).map((w) => w.status)).toEqual(['sent']);
    journal.intents.setStatus(key, 'confirmed');
    expect(approvalWaits(journal)).toEqual([]);
    journal.close();
  });

  test('behavior: a rejected request, or an intent refused on-chain, waits for nothing', () => {
    const a = requested();
    a.journal.approvals.reject(a.id, 'test', 'not now');
    expect(approvalWaits(a.journal)).toEqual([]);
    a.journal.close();
    const b = requested();
    b.journal.approvals.approve(b.id, 'test');
    b.journal.approvals.consume(b.id, keccak256(DATA));
    b.journal.intents.setStatus(b.key, 'refused', 'Refused by policy …');
    expect(approvalWaits(b.journal)).toEqual([]);
    b.journal.close();
  });

  test('behavior: an approval used just before a crash, its intent never sent, is failed at recovery (no wait left)', async () => {
    const { journal, key, id } = requested();
    journal.approvals.approve(id, 'test');
    // A journal from before the approval's use and the intent's `sent` were one transaction: crash between.
    journal.approvals.consume(id, keccak256(DATA));
    expect(approvalWaits(journal).map((w) => w.status)).toEqual(['sent']);
    const agent = createAgent({
      clients: {} as never,
      account: privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'),
      addresses: {} as never,
      journal,
      tx: { recover: async () => ({ outcomes: [] }) } as never,
      options: parseAgentOptions({ approvalThresholdUsd: 1_000 }),
      feedRules: { maxAgeSeconds: 1e9, maxDeviationBps: 1e6 },
      forecaster: { model: {} as never, id: '0x00', reference: { X: [[0]], errors: [0] } },
      content: {} as never,
      strategies: [],
      decimals: 8,
    });
    await agent.recover();
    expect(journal.intents.get(key)?.status).toBe('failed');
    expect(approvalWaits(journal)).toEqual([]);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });
});

/** A real journal with one synth-mint intent that asked for approval in `epoch`, as the agent records it. */
function requestedIn(epoch: number, expiresAtEpoch?: number): { journal: Journal; key: Hex; id: string } {
  const journal = openJournal(join(dir, `e${n++}.sqlite`));
  journal.setEpoch(epoch);
  const key = keccak256(`0x${(n + 0x40).toString(16).padStart(2, '0')}`);
  journal.intents.record({ key, kind: 'synth-mint', payload: { to: VAULT, data: DATA } });
  const approval = journal.approvals.request({
    intentKey: key,
    calldataHash: keccak256(DATA),
    payload: {
      summary: 'mint 1500 sWTI',
      to: VAULT,
      data: DATA,
      sizeUsd: 90_000,
      ...(expiresAtEpoch === undefined ? {} : { expiresAtEpoch }),
    },
    id: `req-${n}`,
  });
  journal.intents.setStatus(key, 'awaiting-approval', `approval ${approval.id}`);
  return { journal, key, id: approval.id };
}

describe('expireApprovals', () => {
  test('default: a pending request expires at its deadline epoch, not before', () => {
    const { journal, key, id } = requestedIn(10, 13);
    expect(approvalWaits(journal)[0]?.expiresAtEpoch).toBe(13);
    for (const epoch of [10, 11, 12]) {
      journal.setEpoch(epoch);
      expect(dueExpiries(journal, epoch, 3)).toEqual([]);
      expect(expireApprovals(journal, epoch, 3)).toEqual([]);
    }
    expect(journal.approvals.get(id)?.status).toBe('pending');
    journal.setEpoch(13);
    const [expiry] = expireApprovals(journal, 13, 3);
    expect(expiry).toEqual({
      approvalId: id,
      requestedEpoch: 10,
      expiredAtEpoch: 13,
      expiredAt: expect.any(Number),
      seq: journal.head().seq - 1, // then the intent's `failed` entry, in the same transaction
      reason: 'unanswered at epoch 13 (deadline epoch 13): decided on a market that has moved on',
    });
    expect(journal.approvals.get(id)).toMatchObject({ status: 'expired', decidedBy: 'agent', used: false });
    // The intent is closed (never sent) and holds nothing back.
    expect(journal.intents.get(key)).toMatchObject({
      status: 'failed',
      note: `approval ${id} expired at epoch 13: unanswered at epoch 13 (deadline epoch 13): decided on a market that has moved on`,
    });
    expect(approvalWaits(journal)).toEqual([]);
    // The entry that records it, hash-chained: what `audit verify` derives the row from.
    const entry = journal.entries({ kind: 'approval', key }).at(-1);
    expect(entry).toMatchObject({
      epoch: 13,
      payload: { id, status: 'expired', by: 'agent', requestedEpoch: 10 },
    });
    // Idempotent: a second pass (a restart in the same or a later epoch) records nothing more.
    const head = journal.head();
    expect(expireApprovals(journal, 13, 3)).toEqual([]);
    expect(expireApprovals(journal, 20, 1)).toEqual([]);
    expect(journal.approvals.expire(id, { epoch: 21, reason: 'again' }).status).toBe('expired');
    expect(journal.head()).toEqual(head);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  test('behavior: the deadline recorded with the request wins; without one, the request epoch plus the setting; null never', () => {
    const recorded = requestedIn(5, 6);
    expect(dueExpiries(recorded.journal, 6, 100).map((d) => d.expiresAtEpoch)).toEqual([6]);
    recorded.journal.close();
    const legacy = requestedIn(5);
    // The request epoch comes from its hash-chained `pending` entry.
    expect(legacy.journal.approvals.requestedEpoch(legacy.id)).toBe(5);
    expect(legacy.journal.approvals.requestedEpoch('no-such-request')).toBeUndefined();
    expect(approvalWaits(legacy.journal)[0]?.expiresAtEpoch).toBeNull();
    expect(dueExpiries(legacy.journal, 6, 2)).toEqual([]);
    expect(dueExpiries(legacy.journal, 7, 2).map((d) => d.expiresAtEpoch)).toEqual([7]);
    expect(dueExpiries(legacy.journal, 1_000, null)).toEqual([]);
    // `agent status` and the wait list show the deadline the agent applies, given the same setting.
    const [wait] = approvalWaits(legacy.journal, 2);
    expect(wait?.expiresAtEpoch).toBe(7);
    expect(wait?.reason).toContain('expires at epoch 7');
    expect(agentStatus(legacy.journal, 2).pendingApprovals[0]?.expiresAtEpoch).toBe(7);
    expect(agentStatus(legacy.journal).pendingApprovals[0]?.expiresAtEpoch).toBeNull();
    legacy.journal.close();
  });

  test('config: approvalExpiryEpochs out of range is refused with what to set instead', () => {
    expect(() => parseAgentOptions({ approvalExpiryEpochs: 0 })).toThrow(/at least 1/);
    expect(() => parseAgentOptions({ approvalExpiryEpochs: 10_001 })).toThrow(/at most 10000 epochs/);
    expect(() => parseAgentOptions({ approvalExpiryEpochs: 2.5 })).toThrow(/whole number/);
    expect(parseAgentOptions({}).approvalExpiryEpochs).toBe(3);
    expect(parseAgentOptions({ approvalExpiryEpochs: null }).approvalExpiryEpochs).toBeNull();
  });

  test('behavior: an approved request not yet sent is left for an epoch up to its deadline, and expires after it', () => {
    const { journal, key, id } = requestedIn(10, 11);
    journal.approvals.approve(id, 'test');
    // Up to the deadline epoch the approval stands: that epoch sends it.
    for (const epoch of [10, 11]) {
      journal.setEpoch(epoch);
      expect(expireApprovals(journal, epoch, 1)).toEqual([]);
    }
    expect(journal.approvals.get(id)?.status).toBe('approved');
    expect(approvalWaits(journal)[0]).toMatchObject({ status: 'approved', expiresAtEpoch: 11 });
    // Found unsent after it (the agent did not run in between): expired like an unanswered one.
    journal.setEpoch(50);
    const [expiry] = expireApprovals(journal, 50, 1);
    expect(expiry).toMatchObject({ approvalId: id, requestedEpoch: 10, expiredAtEpoch: 50 });
    expect(expiry?.reason).toContain('approved but not sent by its deadline epoch 11 (now epoch 50');
    expect(journal.approvals.get(id)).toMatchObject({ status: 'expired', used: false });
    expect(journal.intents.get(key)?.status).toBe('failed');
    expect(approvalWaits(journal)).toEqual([]);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  test('behavior: a used approval (its transaction on its way) and a rejected request never expire', () => {
    const used = requestedIn(10, 11);
    used.journal.approvals.approve(used.id, 'test');
    used.journal.approvals.consume(used.id, keccak256(DATA));
    used.journal.setEpoch(50);
    expect(expireApprovals(used.journal, 50, 1)).toEqual([]);
    expect(() => used.journal.approvals.expire(used.id, { epoch: 50, reason: 'x' })).toThrow(ApprovalError);
    expect(used.journal.approvals.get(used.id)).toMatchObject({ status: 'approved', used: true });
    used.journal.close();
    const rejected = requestedIn(10, 11);
    rejected.journal.approvals.reject(rejected.id, 'test', 'no');
    rejected.journal.setEpoch(50);
    expect(expireApprovals(rejected.journal, 50, 1)).toEqual([]);
    expect(() => rejected.journal.approvals.expire(rejected.id, { epoch: 50, reason: 'x' })).toThrow(
      ApprovalError,
    );
    rejected.journal.close();
  });

  test('behavior: approving (or rejecting) an expired request is refused and changes nothing', () => {
    const { journal, key, id } = requestedIn(10, 12);
    journal.setEpoch(12);
    expireApprovals(journal, 12, 2);
    const head = journal.head();
    const row = journal.approvals.get(id);
    let thrown: unknown;
    try {
      journal.approvals.approve(id, 'alice');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ApprovalExpiredError);
    const error = thrown as ApprovalExpiredError;
    expect({ requested: error.requestedEpoch, expired: error.expiredAtEpoch }).toEqual({
      requested: 10,
      expired: 12,
    });
    expect(error.shortMessage.replace(/\(\d{4}-[^)]*\)/, '(<time>)')).toBe(
      `Approval ${id} cannot be decided: it expired at epoch 12 (<time>), 2 epoch(s) after it was requested at epoch 10. Nothing was changed.`,
    );
    expect(error.message).toContain('asks again with a new id if the market still calls for it');
    expect(() => journal.approvals.reject(id, 'alice', 'too late')).toThrow(ApprovalExpiredError);
    expect(() => journal.approvals.consume(id, keccak256(DATA))).toThrow(ApprovalError);
    expect(journal.head()).toEqual(head);
    expect(journal.approvals.get(id)).toEqual(row);
    expect(journal.intents.get(key)?.status).toBe('failed');
    journal.close();
  });

  test('behavior: `agent status` lists an expired request apart from the pending ones', () => {
    const { journal, id } = requestedIn(10, 11);
    journal.setEpoch(11);
    expireApprovals(journal, 11, 1);
    const s = agentStatus(journal);
    expect(s.pendingApprovals).toEqual([]);
    expect(s.waiting).toEqual([]);
    expect(s.expiredApprovals).toEqual([
      expect.objectContaining({
        approvalId: id,
        requestedEpoch: 10,
        expiredAtEpoch: 11,
        summary: 'mint 1500 sWTI',
      }),
    ]);
    journal.close();
  });
});

describe('expired approvals in the journal audit', () => {
  function expiredJournal(): { path: string; key: Hex; id: string; seq: number } {
    const { journal, key, id } = requestedIn(10, 11);
    journal.setEpoch(11);
    const [expiry] = expireApprovals(journal, 11, 1);
    expect(journal.verify().ok).toBe(true);
    const path = journal.path;
    journal.close();
    return { path, key, id, seq: expiry!.seq };
  }

  test('default: a journal with an expiry verifies, its table re-derived from the entries', () => {
    const { path } = expiredJournal();
    const journal = openJournal(path, { requireIntact: true });
    expect(journal.verify()).toMatchObject({ ok: true, issues: [], tables: [] });
    journal.close();
  });

  test('behavior: an edited expiry entry breaks the hash chain; rewritten and re-hashed, the table no longer matches', () => {
    const edited = expiredJournal();
    tamper(edited.path, (db) => {
      const row = db.prepare('SELECT payload FROM entries WHERE seq = ?').get(edited.seq) as {
        payload: string;
      };
      db.prepare('UPDATE entries SET payload = ? WHERE seq = ?').run(
        row.payload.replace('"expired"', '"approved"'),
        edited.seq,
      );
    });
    let journal = openJournal(edited.path, { readonly: true });
    expect(journal.verify().issues.map((i) => [i.seq, i.problem])).toContainEqual([
      edited.seq,
      'content-mismatch',
    ]);
    journal.close();

    const rewritten = expiredJournal();
    tamper(rewritten.path, (db) => {
      const row = db.prepare('SELECT payload FROM entries WHERE seq = ?').get(rewritten.seq) as {
        payload: string;
      };
      db.prepare('UPDATE entries SET payload = ? WHERE seq = ?').run(
        row.payload.replace('"expired"', '"approved"'),
        rewritten.seq,
      );
      rehash(db);
    });
    journal = openJournal(rewritten.path, { readonly: true });
    const report = journal.verify();
    expect(report.issues).toEqual([]);
    expect(report.tables).toContainEqual(
      expect.objectContaining({
        table: 'approvals',
        key: rewritten.id,
        column: 'status',
        stored: 'expired',
        derived: 'approved',
      }),
    );
    journal.close();
  });

  test('behavior: an expired row edited back to pending (to approve it after all) is named', () => {
    const { path, id } = expiredJournal();
    tamper(path, (db) => {
      db.prepare("UPDATE approvals SET status = 'pending', decided_by = NULL WHERE id = ?").run(id);
    });
    const journal = openJournal(path, { readonly: true });
    expect(journal.verify().tables).toContainEqual(
      expect.objectContaining({
        table: 'approvals',
        key: id,
        column: 'status',
        stored: 'pending',
        derived: 'expired',
      }),
    );
    journal.close();
  });

  test('behavior: an approval entry appended after the expiry does not revive it', () => {
    const { path, key, id } = expiredJournal();
    const journal = openJournal(path);
    // A forged approval entry plus the matching row edit: the derivation keeps the request expired.
    journal.append({
      kind: 'approval',
      key,
      payload: { id, status: 'approved', by: 'mallory', calldataHash: keccak256(DATA) },
    });
    journal.db
      .prepare("UPDATE approvals SET status = 'approved', decided_by = 'mallory' WHERE id = ?")
      .run(id);
    expect(journal.verify().tables).toContainEqual(
      expect.objectContaining({
        table: 'approvals',
        key: id,
        column: 'status',
        stored: 'approved',
        derived: 'expired',
      }),
    );
    journal.close();
  });
});

describe('approval expiry across a kill', () => {
  test('behavior: killed inside the expiry transaction, the restarted agent records the same expiry once', () => {
    const { journal, key, id } = requestedIn(10, 11);
    const path = journal.path;
    const before = journal.head();
    journal.close();
    // A real process, SIGKILLed after it expired the request but before the transaction committed.
    const child = spawnSync(process.execPath, ['--import', 'tsx', KILL_CHILD, path, id], {
      encoding: 'utf8',
    });
    expect(child.signal).toBe('SIGKILL');
    const restarted = openJournal(path, { requireIntact: true });
    expect(restarted.head()).toEqual(before);
    expect(restarted.approvals.get(id)?.status).toBe('pending');
    restarted.setEpoch(11);
    expect(
      expireApprovals(restarted, 11, 1).map((e) => [e.approvalId, e.requestedEpoch, e.expiredAtEpoch]),
    ).toEqual([[id, 10, 11]]);
    expect(restarted.intents.get(key)?.status).toBe('failed');
    expect(
      restarted
        .entries({ kind: 'approval', key })
        .filter((e) => (e.payload as { status: string }).status === 'expired'),
    ).toHaveLength(1);
    expect(restarted.verify().ok).toBe(true);
    restarted.close();
  });
});
