import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, keccak256, stringToHex } from 'viem';
import { describe, expect, test } from 'vitest';
import { ApprovalError, entryHash, GENESIS_HASH, type Journal, openJournal, verifyJournal } from './index.js';

const key = (label: string): Hex => keccak256(stringToHex(label));

/** A journal in a fresh temp dir, with a fixed clock, holding `n` entries. */
function filled(n: number): { journal: Journal; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'provenant-journal-')), 'journal.sqlite');
  let t = 1_700_000_000_000;
  const journal = openJournal(path, { now: () => (t += 1000) });
  for (let i = 1; i <= n; i++) {
    journal.append({
      kind: i % 2 ? 'decision' : 'preflight',
      key: key(`k${i}`),
      epoch: i,
      payload: { i, amount: BigInt(i) * 10n ** 18n },
    });
  }
  return { journal, path };
}

/** What an attacker with the file can do: drop the append-only triggers, then edit. */
function tamper(journal: Journal, sql: string): void {
  journal.db.exec('DROP TRIGGER entries_no_update; DROP TRIGGER entries_no_delete;');
  journal.db.exec(sql);
}

describe('openJournal', () => {
  test('default: entries are hash-chained and verify', () => {
    const { journal } = filled(5);
    const entries = journal.entries();
    expect(entries.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entries[0]?.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < entries.length; i++) expect(entries[i]?.prevHash).toBe(entries[i - 1]?.hash);
    expect(entries[2]?.payload).toEqual({ amount: '3000000000000000000', i: 3 });
    expect(journal.head()).toEqual({ seq: 5, hash: entries[4]?.hash });
    expect(journal.verify()).toMatchObject({ ok: true, entries: 5, issues: [] });
  });

  test('behavior: the hash covers seq, time, epoch, kind, key, payload and prev_hash', () => {
    const row = {
      seq: 1,
      time: 1,
      epoch: 0,
      kind: 'note',
      key: null,
      payload: '{}',
      prev_hash: GENESIS_HASH,
    };
    const base = entryHash(row);
    for (const change of [
      { seq: 2 },
      { time: 2 },
      { epoch: 1 },
      { kind: 'halt' },
      { key: '0x01' },
      { payload: '{"a":1}' },
      { prev_hash: `0x${'11'.repeat(32)}` },
    ])
      expect(entryHash({ ...row, ...change })).not.toBe(base);
  });

  test('behavior: rows are append-only through SQL as well', () => {
    const { journal } = filled(2);
    expect(() => journal.db.exec("UPDATE entries SET payload = '{}' WHERE seq = 1")).toThrow(/append-only/);
    expect(() => journal.db.exec('DELETE FROM entries WHERE seq = 2')).toThrow(/append-only/);
  });

  test('behavior: survives close and reopen, and continues the chain', () => {
    const { journal, path } = filled(3);
    const head = journal.head();
    journal.close();
    const again = openJournal(path);
    expect(again.head()).toEqual(head);
    again.append({ kind: 'note', payload: { after: 'reopen' } });
    expect(again.verify({ anchor: head }).ok).toBe(true);
  });
});

describe('verifyJournal', () => {
  test('error: an edited payload is named by seq', () => {
    const { journal } = filled(6);
    tamper(journal, `UPDATE entries SET payload = '{"amount":"1","i":3}' WHERE seq = 3`);
    const report = verifyJournal(journal);
    expect(report.ok).toBe(false);
    expect(report.issues).toHaveLength(1);
    expect(report.issues[0]).toMatchObject({ seq: 3, problem: 'content-mismatch' });
    expect(report.issues[0]?.detail).toMatch(/edited/);
  });

  test('error: an edited row with a recomputed hash breaks the next link', () => {
    const { journal } = filled(6);
    const row = journal.db.prepare('SELECT * FROM entries WHERE seq = 3').get() as Parameters<
      typeof entryHash
    >[0];
    const forged = { ...row, payload: '{"amount":"1","i":3}' };
    tamper(
      journal,
      `UPDATE entries SET payload = '${forged.payload}', hash = '${entryHash(forged)}' WHERE seq = 3`,
    );
    const report = verifyJournal(journal);
    expect(report.issues).toEqual([expect.objectContaining({ seq: 4, problem: 'broken-link' })]);
    expect(report.issues[0]?.detail).toContain('seq 3 was rewritten');
  });

  test('error: a removed row is named by seq', () => {
    const { journal } = filled(6);
    tamper(journal, 'DELETE FROM entries WHERE seq = 4');
    const report = verifyJournal(journal);
    expect(report.issues.map((i) => [i.seq, i.problem])).toEqual([
      [4, 'missing'],
      [5, 'broken-link'],
    ]);
    expect(report.issues[0]?.detail).toBe('seq 4 missing: the row(s) were removed');
  });

  test('error: two swapped rows are named as reordered', () => {
    const { journal } = filled(6);
    tamper(
      journal,
      `UPDATE entries SET seq = -1 WHERE seq = 2;
       UPDATE entries SET seq = 2 WHERE seq = 5;
       UPDATE entries SET seq = 5 WHERE seq = -1;`,
    );
    const report = verifyJournal(journal);
    expect(report.issues.map((i) => [i.seq, i.problem])).toEqual([
      [2, 'reordered'],
      [5, 'reordered'],
    ]);
    expect(report.issues[0]?.detail).toBe(
      'the row at seq 2 is the entry written as seq 5 (rows were reordered)',
    );
  });

  test('error: truncating the tail is only seen against an anchor', () => {
    const { journal } = filled(6);
    const anchor = journal.head();
    tamper(journal, 'DELETE FROM entries WHERE seq >= 5');
    expect(verifyJournal(journal).ok).toBe(true);
    const report = verifyJournal(journal, { anchor });
    expect(report.issues).toEqual([expect.objectContaining({ seq: 6, problem: 'truncated' })]);
  });
});

describe('journal tables', () => {
  test('default: intents record once and journal each status change', () => {
    const { journal } = filled(0);
    journal.setEpoch(7);
    const k = key('mint-1');
    journal.intents.record({ key: k, kind: 'synth.mint', payload: { amount: 12n } });
    journal.intents.record({ key: k, kind: 'synth.mint', payload: { amount: 99n } });
    journal.intents.setStatus(k, 'sent');
    const row = journal.intents.get(k);
    expect(row).toMatchObject({ status: 'sent', epoch: 7, payload: { amount: '12' } });
    expect(journal.entries({ key: k }).map((e) => e.kind)).toEqual(['intent', 'intent']);
    expect(journal.intents.list({ status: 'sent' })).toHaveLength(1);
  });

  test('behavior: intents list by kind, by status, or both', () => {
    const { journal } = filled(0);
    journal.intents.record({ key: key('m1'), kind: 'synth.mint', payload: {} });
    journal.intents.record({ key: key('a1'), kind: 'journal-anchor', payload: {} });
    journal.intents.record({ key: key('a2'), kind: 'journal-anchor', payload: {} });
    journal.intents.setStatus(key('a2'), 'confirmed');
    // Rows of the same millisecond order by key: compared as sets.
    expect(
      journal.intents
        .list({ kind: 'journal-anchor' })
        .map((r) => r.key)
        .sort(),
    ).toEqual([key('a1'), key('a2')].sort());
    expect(journal.intents.list({ kind: 'journal-anchor', status: 'confirmed' }).map((r) => r.key)).toEqual([
      key('a2'),
    ]);
    expect(journal.intents.list({ kind: 'synth.mint', status: 'confirmed' })).toEqual([]);
    expect(journal.intents.list()).toHaveLength(3);
  });

  test('behavior: an approval is bound to its calldata hash and cannot be replayed', () => {
    const { journal } = filled(0);
    const calldata = keccak256('0x1234');
    const a = journal.approvals.request({
      id: 'a1',
      intentKey: key('big'),
      calldataHash: calldata,
      payload: { amount: 5000n },
    });
    expect(a.status).toBe('pending');
    expect(() => journal.approvals.consume('a1', calldata)).toThrow(ApprovalError);
    journal.approvals.approve('a1', 'alice');
    expect(() => journal.approvals.consume('a1', keccak256('0x9999'))).toThrow(/not 0x/);
    expect(journal.approvals.consume('a1', calldata).used).toBe(true);
    expect(() => journal.approvals.consume('a1', calldata)).toThrow(/already used/);
    expect(
      journal.entries({ kind: 'approval' }).map((e) => (e.payload as { status: string }).status),
    ).toEqual(['pending', 'approved', 'used']);
  });

  test('behavior: halt and resume are kept and journaled', () => {
    const { journal, path } = filled(0);
    journal.state.halt('drift alarm', { statistic: 12.5 });
    journal.state.setLastEpoch(41);
    journal.close();
    const again = openJournal(path);
    expect(again.state.halted()).toMatchObject({
      halted: true,
      reason: 'drift alarm',
      details: { statistic: 12.5 },
    });
    expect(again.state.lastEpoch()).toBe(41);
    again.state.resume('bob');
    expect(again.state.halted()).toEqual({ halted: false });
    expect(again.entries().map((e) => e.kind)).toEqual(['halt', 'resume']);
    expect(again.verify().ok).toBe(true);
  });
});
