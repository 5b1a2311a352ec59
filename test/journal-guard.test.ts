/**
 * The journal's protection beyond the hash chain: `audit verify` re-derives the side tables the agent
 * reads (intents, approvals, tx_records, the halt state) from the entries and names every edited value,
 * and `agent run` refuses to start on a journal that fails (JournalTamperedError naming the first bad
 * seq), appending nothing. Real SQLite files edited with raw SQL, a real anvil, real signed transactions.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Address, type Hex, keccak256, stringToHex, toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  agentStatus,
  type Journal,
  JournalTamperedError,
  journalPath,
  openJournal,
} from '../src/agent/index.js';
import {
  createClients,
  createTxManager,
  DEVNET_MNEMONIC,
  type Devnet,
  devnetAccount,
  type ProvenantClients,
  startDevnet,
} from '../src/chain/index.js';
import { runCli } from './fixtures/cli.js';

const SINK: Address = '0x000000000000000000000000000000000000bEEF';
const key = (label: string): Hex => keccak256(stringToHex(label));

let devnet: Devnet;
let clients: ProvenantClients;

beforeAll(async () => {
  devnet = await startDevnet();
  clients = await createClients({ rpcUrls: [devnet.rpcUrl], account: devnetAccount(31), devnet: true });
});
afterAll(async () => {
  await devnet?.stop();
});

/**
 * A state dir whose journal went through the agent's own paths: intents decided, sent and confirmed
 * by a real transaction, one refused, one awaiting approval, approved and used, a halt and a resume.
 */
async function stateDir(label: string, account: number) {
  const dir = mkdtempSync(join(tmpdir(), `provenant-guard-${label}-`));
  const journal = openJournal(journalPath(dir));
  journal.setEpoch(7);
  const tx = createTxManager({
    clients,
    account: devnetAccount(account),
    store: journal.txStore(),
    pollIntervalMs: 20,
  });
  const sent = key(`${label}-sent`);
  const refused = key(`${label}-refused`);
  const approved = key(`${label}-approved`);
  journal.intents.record({ key: sent, kind: 'synth-mint', payload: { summary: 'mint 1 sWTI', sizeUsd: 60 } });
  journal.intents.setStatus(sent, 'sent');
  await tx.send({ key: sent, label: 'mint 1 sWTI', to: SINK, data: '0x01', gas: 30_000n });
  journal.intents.setStatus(sent, 'confirmed');
  journal.intents.record({
    key: refused,
    kind: 'synth-mint',
    payload: { summary: 'mint 9 sWTI', sizeUsd: 900 },
  });
  journal.intents.setStatus(refused, 'refused', 'the vault would be under-collateralised');
  journal.intents.record({
    key: approved,
    kind: 'synth-mint',
    payload: { summary: 'mint 50 sWTI', sizeUsd: 3000 },
    status: 'awaiting-approval',
  });
  const data: Hex = '0x1234';
  const approval = journal.approvals.request({
    intentKey: approved,
    calldataHash: keccak256(data),
    payload: { summary: 'mint 50 sWTI', to: SINK, data, sizeUsd: 3000 },
    id: `${label}-approval`,
  });
  journal.approvals.approve(approval.id, 'test');
  journal.approvals.consume(approval.id, keccak256(data));
  journal.state.halt('drawdown: equity 900 USD is 12.0% below its peak', { equity: 900, peak: 1023 });
  journal.state.resume('test');
  journal.state.halt('operator: maintenance', { by: 'provenant agent halt' });
  return { dir, path: journalPath(dir), journal, keys: { sent, refused, approved }, approvalId: approval.id };
}

/** What someone with the file can do: open it with plain SQLite and edit. */
function edit(path: string, sql: string, ...params: unknown[]): void {
  const db = new Database(path);
  db.exec('DROP TRIGGER IF EXISTS entries_no_update; DROP TRIGGER IF EXISTS entries_no_delete;');
  db.prepare(sql).run(...params);
  db.close();
}

function reopen(path: string): Journal {
  return openJournal(path, { readonly: true });
}

describe('audit verify re-derives the side tables from the entries', () => {
  test('default: a journal written by the agent paths verifies, chain and tables', async () => {
    const s = await stateDir('clean', 32);
    const report = s.journal.verify();
    expect(report.issues).toEqual([]);
    expect(report.tables).toEqual([]);
    expect(report.ok).toBe(true);
    s.journal.close();
    const cli = await runCli(['--state-dir', s.dir, 'audit', 'verify']);
    expect(cli.code).toBe(0);
    expect(cli.out).toMatch(/^✓ audit verify: \d+ entries, hash chain intact/);
    expect(cli.out).toContain('✓ side tables (intents, approvals, tx_records, halt state) match');
    // What is not derivable is said, not silently skipped.
    expect(cli.out).toContain('kv equityPeak, consecutiveRefusals');
  });

  test("behavior: the reviewer's edit (an intent confirmed -> refused) changes `agent status` and is named by table, key and column", async () => {
    const s = await stateDir('intent', 33);
    const before = agentStatus(s.journal).intents;
    s.journal.close();
    edit(s.path, "UPDATE intents SET status = 'refused' WHERE key = ?", s.keys.sent);

    const j = reopen(s.path);
    const after = agentStatus(j).intents;
    expect([after.confirmed ?? 0, after.refused ?? 0]).toEqual([
      (before.confirmed ?? 0) - 1,
      (before.refused ?? 0) + 1,
    ]);
    const report = j.verify();
    j.close();
    expect(report.issues).toEqual([]); // the chain alone says "intact"
    expect(report.ok).toBe(false);
    expect(report.tables).toEqual([
      expect.objectContaining({
        table: 'intents',
        key: s.keys.sent,
        column: 'status',
        stored: 'refused',
        derived: 'confirmed',
      }),
    ]);

    const text = await runCli(['--state-dir', s.dir, 'audit', 'verify']);
    expect(text.code).toBe(1);
    expect(text.out).toContain(
      `  intents ${s.keys.sent} status: stored refused, the entries say confirmed (seq`,
    );
    expect(text.err).toContain(`table intents, key ${s.keys.sent}, column status`);
    const json = await runCli(['--state-dir', s.dir, 'audit', 'verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({
      ok: false,
      issues: [],
      tables: [{ table: 'intents', key: s.keys.sent, column: 'status' }],
    });
  });

  test('behavior: a replayable approval (used reset to 0) and a cleared halt are named', async () => {
    const s = await stateDir('approval', 34);
    s.journal.close();
    edit(s.path, 'UPDATE approvals SET used = 0 WHERE id = ?', s.approvalId);
    edit(s.path, `UPDATE kv SET value = '{"halted":false}' WHERE name = 'halt'`);
    const j = reopen(s.path);
    expect(agentStatus(j)).toMatchObject({ halted: false, approvedUnused: 1 });
    const report = j.verify();
    j.close();
    expect(report.tables.map((t) => [t.table, t.key, t.column, t.stored, t.derived])).toEqual([
      ['approvals', s.approvalId, 'used', '0', '1'],
      ['kv', 'halt', 'halted', 'false', 'true'],
    ]);
  });

  test('behavior: the halt counters are chained: a lowered drawdown peak or reset refusal count is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-guard-counters-'));
    const path = journalPath(dir);
    const journal = openJournal(path);
    // A journal from before the counters were chained: a bare kv value is not compared.
    journal.state.set('equityPeak', 900_000);
    expect(journal.verify().tables).toEqual([]);
    journal.state.setChained('equityPeak', 1_000_000);
    journal.state.setChained('equityPeak', 1_000_000); // unchanged: no second entry
    journal.state.setChained('consecutiveRefusals', { synth: 2 });
    expect(journal.entries({ kind: 'state' }).map((e) => e.payload)).toEqual([
      { name: 'equityPeak', value: 1_000_000 },
      { name: 'consecutiveRefusals', value: { synth: 2 } },
    ]);
    expect(journal.verify().ok).toBe(true);
    journal.close();
    // Lowering the peak would postpone a drawdown halt; resetting the count, a repeated-refusal halt.
    edit(path, `UPDATE kv SET value = '500000' WHERE name = 'equityPeak'`);
    edit(path, `UPDATE kv SET value = '{"synth":0}' WHERE name = 'consecutiveRefusals'`);
    const j = reopen(path);
    const report = j.verify();
    j.close();
    expect(report.ok).toBe(false);
    expect(report.tables.map((t) => [t.table, t.key, t.column, t.stored, t.derived])).toEqual([
      ['kv', 'equityPeak', 'value', '500000', '1000000'],
      ['kv', 'consecutiveRefusals', 'value', '{"synth":0}', '{"synth":2}'],
    ]);
    expect(() => openJournal(path, { requireIntact: true })).toThrow(JournalTamperedError);
  });

  test('behavior: swapped signed bytes, a forged receipt, a deleted and an inserted row are named', async () => {
    const s = await stateDir('tx', 35);
    s.journal.close();
    const db = new Database(s.path);
    const row = db.prepare('SELECT attempts FROM tx_records WHERE key = ?').get(s.keys.sent) as {
      attempts: string;
    };
    db.close();
    const attempts = JSON.parse(row.attempts) as { raw: Hex }[];
    const other = await mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: 35 }).signTransaction({
      chainId: 31337,
      type: 'eip1559',
      to: SINK,
      data: '0x02',
      gas: 30_000n,
      nonce: 1,
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 1n,
    });
    (attempts[0] as { raw: Hex }).raw = other;
    edit(
      s.path,
      'UPDATE tx_records SET attempts = ?, gas_used = 1 WHERE key = ?',
      JSON.stringify(attempts),
      s.keys.sent,
    );
    edit(s.path, 'DELETE FROM intents WHERE key = ?', s.keys.refused);
    edit(
      s.path,
      "INSERT INTO intents (key, kind, status, epoch, payload, note, created_at, updated_at) VALUES (?, 'synth-mint', 'confirmed', 7, '{}', NULL, 1, 1)",
      key('forged'),
    );
    const j = reopen(s.path);
    const report = j.verify();
    j.close();
    expect(report.issues).toEqual([]);
    expect(report.tables.map((t) => [t.table, t.key, t.column])).toEqual(
      expect.arrayContaining([
        ['tx_records', s.keys.sent, 'gas_used'],
        ['tx_records', s.keys.sent, 'attempts[0].raw'],
        ['intents', s.keys.refused, '(row)'],
        ['intents', key('forged'), '(row)'],
      ]),
    );
    expect(report.tables).toHaveLength(4);
    expect(report.tables.find((t) => t.column === 'attempts[0].raw')?.detail).toContain(
      `the signed bytes hash to ${keccak256(other)}`,
    );
  });

  test('behavior: entries removed from the end no longer pass unnoticed when a side table outlives them', async () => {
    const s = await stateDir('truncated', 36);
    const last = s.journal.entries({ kind: 'intent', key: s.keys.sent }).at(-1);
    expect(last?.payload).toMatchObject({ status: 'confirmed' });
    s.journal.close();
    // Drop every entry from the intent's confirmation on: the shorter chain is valid by itself.
    edit(s.path, 'DELETE FROM entries WHERE seq >= ?', last?.seq);
    const j = reopen(s.path);
    const report = j.verify();
    j.close();
    expect(report.issues).toEqual([]);
    expect(report.tables).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          table: 'intents',
          key: s.keys.sent,
          column: 'status',
          stored: 'confirmed',
          derived: 'sent',
        }),
      ]),
    );
  });
});

describe('agent run refuses to start on a journal that fails verification', () => {
  test('behavior: openJournal(requireIntact) throws JournalTamperedError naming the first bad seq and appends nothing', async () => {
    const s = await stateDir('open', 37);
    const target = s.journal.entries({ kind: 'intent' })[2];
    const head = s.journal.head();
    s.journal.close();
    edit(
      s.path,
      "UPDATE entries SET payload = replace(payload, 'confirmed', 'refused') WHERE seq = ?",
      target?.seq,
    );
    const error = (() => {
      try {
        openJournal(s.path, { requireIntact: true });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(JournalTamperedError);
    const tampered = error as JournalTamperedError;
    expect(tampered.firstBadSeq).toBe(target?.seq);
    expect(tampered.message).toContain(`broken at seq ${target?.seq} (content-mismatch`);
    expect(tampered.details).toContain('provenant audit verify');
    expect(tampered.details).toContain('backup');
    expect(tampered.details).toContain('new state dir');
    const j = reopen(s.path);
    expect(j.head()).toEqual(head);
    j.close();
  });

  test('default: an intact journal opens with requireIntact and the agent appends to it', async () => {
    const s = await stateDir('intact', 38);
    const head = s.journal.head();
    s.journal.close();
    const j = openJournal(s.path, { requireIntact: true });
    j.append({ kind: 'note', payload: { started: true } });
    expect(j.head().seq).toBe(head.seq + 1);
    expect(j.verify().ok).toBe(true);
    j.close();
  });

  test('behavior: `agent run --once` on a tampered journal exits 1 naming the seq and what to do, and appends nothing', async () => {
    const s = await stateDir('run', 39);
    const target = s.journal.entries({ kind: 'tx' })[1];
    const head = s.journal.head();
    s.journal.close();
    const agentKey = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: 39 }).getHdKey().privateKey;
    const run = async () => {
      process.env.PROVENANT_PRIVATE_KEY = toHex(agentKey as Uint8Array);
      try {
        return await runCli(['--rpc-url', devnet.rpcUrl, '--state-dir', s.dir, 'agent', 'run', '--once']);
      } finally {
        delete process.env.PROVENANT_PRIVATE_KEY;
      }
    };
    // Intact: the journal check passes, the run goes on (and stops later: nothing is deployed on this chain).
    const intact = await run();
    expect(intact.err).not.toContain('failed its integrity check');

    const j0 = reopen(s.path);
    const headBefore = j0.head();
    j0.close();
    expect(headBefore.seq).toBeGreaterThanOrEqual(head.seq);
    edit(s.path, 'UPDATE entries SET time = time + 1 WHERE seq = ?', target?.seq);
    const tampered = await run();
    expect(tampered.code).toBe(1);
    expect(tampered.err).toContain(`broken at seq ${target?.seq} (content-mismatch`);
    expect(tampered.err).toContain('provenant audit verify');
    const j = reopen(s.path);
    expect(j.head()).toEqual(headBefore);
    j.close();
  });
});
