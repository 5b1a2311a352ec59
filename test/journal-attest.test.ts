/**
 * The agent signs the journal head it reached (journal/attest.ts). The two attacks the unkeyed hash chain
 * cannot see (review of session 6): a consistent rewrite (edit a value, re-hash every later entry, drop
 * the append-only triggers) and a cut end (delete the last entries). Both pass `verifyJournal`; both
 * fail the signed head. Real SQLite files edited with raw SQL, real secp256k1 signatures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import {
  attestJournalHead,
  checkJournalAttestation,
  JournalAttestationError,
  journalPath,
  openJournal,
  requireAttestedJournal,
} from '../src/agent/index.js';
import { devnetAccount } from '../src/chain/index.js';
import { canonicalJson } from '../src/models/index.js';
import { runCli } from './fixtures/cli.js';
import { rehash, tamper } from './fixtures/journal.js';

const agent = devnetAccount(1);
const stranger = devnetAccount(7);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A state dir whose journal holds a few agent entries (a drawdown peak, decisions, a halt), signed. */
async function signedJournal() {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-attest-'));
  dirs.push(dir);
  const path = journalPath(dir);
  const journal = openJournal(path);
  journal.state.setChained('equityPeak', 100_000);
  journal.append({ kind: 'decision', payload: { round: '1' } });
  journal.state.setChained('equityPeak', 120_000);
  journal.append({ kind: 'decision', payload: { round: '2' } });
  journal.state.halt('drawdown: equity 80000 USD is 33.3% below its peak', { equity: 80_000 });
  const attestation = await attestJournalHead(journal, agent);
  journal.close();
  return { dir, path, attestation };
}

describe('the agent-signed journal head', () => {
  test('default: a signed journal passes; the signature names the agent and the head', async () => {
    const { path, attestation } = await signedJournal();
    const journal = openJournal(path, { requireIntact: true });
    expect(await checkJournalAttestation(journal, agent.address)).toEqual({
      status: 'attested',
      attestation,
      unsignedAfter: 0,
    });
    // Entries appended after the signature are reported, not refused (the next epoch signs them).
    journal.append({ kind: 'note', payload: { text: 'after the signature' } });
    expect(await checkJournalAttestation(journal, agent.address)).toMatchObject({ unsignedAfter: 1 });
    journal.close();
  });

  test('tamper: a consistent rewrite (peak lowered, chain re-hashed) passes the chain check but not the signature', async () => {
    const { path, attestation } = await signedJournal();
    tamper(path, (db) => {
      const rows = db.prepare("SELECT seq, payload FROM entries WHERE kind = 'state'").all() as {
        seq: number;
        payload: string;
      }[];
      for (const r of rows) {
        const p = JSON.parse(r.payload) as { value: number };
        if (p.value === 120_000) {
          p.value = 100_001;
          db.prepare('UPDATE entries SET payload = ? WHERE seq = ?').run(canonicalJson(p), r.seq);
        }
      }
      rehash(db);
      db.prepare("UPDATE kv SET value = '100001' WHERE name = 'equityPeak'").run();
    });
    const journal = openJournal(path, { requireIntact: true });
    expect(journal.verify().ok).toBe(true); // the unkeyed chain cannot see it
    const found = await checkJournalAttestation(journal, agent.address);
    expect(found).toEqual({
      status: 'invalid',
      problem: `entry ${attestation.seq} hashes to ${journal.head().hash}, but the agent signed ${attestation.hash} for it: the chain up to it was rewritten`,
    });
    await expect(requireAttestedJournal(journal, agent)).rejects.toThrow(JournalAttestationError);
    journal.close();
  });

  test('tamper: a cut end (the halt removed) is refused, also when the signature is re-made by another key', async () => {
    const { path, attestation } = await signedJournal();
    tamper(path, (db) => {
      db.prepare("DELETE FROM entries WHERE kind = 'halt'").run();
      db.prepare("DELETE FROM kv WHERE name = 'halt'").run();
    });
    const journal = openJournal(path, { requireIntact: true });
    expect(journal.state.halted()).toEqual({ halted: false });
    expect(await checkJournalAttestation(journal, agent.address)).toEqual({
      status: 'invalid',
      problem: `the agent signed the head at seq ${attestation.seq}, but the journal ends at seq ${attestation.seq - 1}: entries were cut off`,
    });
    // Whoever cut it signs the new head with a key of their own: not the agent's.
    await attestJournalHead(journal, stranger);
    const error = await requireAttestedJournal(journal, agent).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(JournalAttestationError);
    expect(error!.message).toContain(`is signed by ${stranger.address}, not by the agent ${agent.address}`);
    journal.close();
  });

  test('behavior: a journal with entries and no signature (older Provenant, or a deleted one) needs --accept-unattested-journal once', async () => {
    const { path } = await signedJournal();
    tamper(path, (db) => db.prepare("DELETE FROM kv WHERE name = 'attestation'").run());
    const journal = openJournal(path, { requireIntact: true });
    const refused = await requireAttestedJournal(journal, agent).then(
      () => undefined,
      (e: unknown) => e as JournalAttestationError,
    );
    expect(refused?.message).toMatch(/it has 5 entries and no signed head/);
    expect(refused?.details).toContain('--accept-unattested-journal');
    expect(await requireAttestedJournal(journal, agent, { acceptUnattested: true })).toEqual({
      status: 'unattested',
      entries: 5,
    });
    expect(await checkJournalAttestation(journal, agent.address)).toMatchObject({
      status: 'attested',
      unsignedAfter: 0,
    });
    journal.close();
  });

  test('audit verify reports the signed head, and fails a rewrite the chain alone would pass', async () => {
    const good = await signedJournal();
    const ok = await runCli(['--state-dir', good.dir, 'audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`✓ signed head: seq ${good.attestation.seq} signed by ${agent.address}`);
    const bad = await signedJournal();
    tamper(bad.path, (db) => {
      db.prepare("UPDATE entries SET payload = ? WHERE kind = 'decision' AND payload = ?").run(
        canonicalJson({ round: '9' }),
        canonicalJson({ round: '2' }),
      );
      rehash(db);
    });
    const r = await runCli(['--state-dir', bad.dir, 'audit', 'verify']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✓ audit verify');
    expect(r.out).toContain('✗ signed head:');
    expect(r.err).toContain('the chain up to it was rewritten');
  });
});
