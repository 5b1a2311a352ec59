import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterEach, describe, expect, test } from 'vitest';
import { ANCHOR_INTENT_KIND, anchorJournalHead, anchorSources, openJournal } from './index.js';

const contract: Address = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const agent: Address = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const apiKey = 'sk-live-0123456789abcdef';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An error as viem throws it for a dead endpoint: the URL (with its API key) in the message and a field. */
function deadRpcError(): Error {
  const url = `https://eth-mainnet.example.com/v2/${apiKey}`;
  return Object.assign(new Error(`HTTP request to ${url} failed: connect ECONNREFUSED\n\nURL: ${url}`), {
    url,
    details: 'connect ECONNREFUSED',
  });
}

/** A journal whose first epoch is 100 and whose head is signed-looking (a few decisions). */
function journalAt(epoch: number) {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-anchor-unit-'));
  dirs.push(dir);
  const journal = openJournal(join(dir, 'journal.sqlite'));
  for (let e = 100; e <= epoch; e++) journal.append({ kind: 'decision', epoch: e, payload: { round: e } });
  return journal;
}

describe('anchorJournalHead', () => {
  test('behavior: an unreachable node fails the anchor (retried) without its URL or API key in the outcome', async () => {
    const journal = journalAt(101);
    const outcome = await anchorJournalHead({
      journal,
      tx: {
        address: agent,
        chainId: 1,
        send: () => {
          throw new Error('not reached: the read before the send fails');
        },
      },
      publicClient: {
        readContract: () => {
          throw deadRpcError();
        },
      } as never,
      contract,
      epoch: 101,
      everyEpochs: 1,
    });
    expect(outcome.status).toBe('failed');
    if (outcome.status !== 'failed') return;
    expect(outcome.retry).toBe(true);
    // `agent run --json` prints the epoch reports, this outcome included (bigints as strings, as toJson does).
    const printed = JSON.stringify(outcome, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    expect(printed).not.toContain(apiKey);
    expect(outcome.error).toContain('connect ECONNREFUSED');
    expect(outcome.error).not.toContain('\n');
    journal.close();
  });
});

describe('anchorSources', () => {
  test('behavior: an anchor intent to the deployment contract keeps the scan from its deployment block, not block 0', () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'provenant-anchor-sources-'));
    dirs.push(stateDir);
    mkdirSync(join(stateDir, 'deployments'));
    const manifest = {
      chainId: 1,
      contracts: { JournalAnchor: { address: contract, blockNumber: '19000000' } },
    };
    writeFileSync(join(stateDir, 'deployments', '1.json'), JSON.stringify(manifest));
    const journal = openJournal(join(stateDir, 'journal.sqlite'));
    journal.intents.record({
      key: `0x${'11'.repeat(32)}`,
      kind: ANCHOR_INTENT_KIND,
      epoch: 5,
      payload: { chainId: 1, contract: contract.toLowerCase(), seq: 1, head: `0x${'22'.repeat(32)}` },
    });
    // On mainnet a scan from block 0 is some 2,000 getLogs windows before the contract even existed.
    expect(anchorSources(journal, stateDir)).toEqual([{ chainId: 1, contract, fromBlock: 19_000_000n }]);
    // A contract only the journal names (no manifest entry): its deployment block is unknown, so from 0.
    const other: Address = '0x0000000000000000000000000000000000000A11';
    journal.intents.record({
      key: `0x${'33'.repeat(32)}`,
      kind: ANCHOR_INTENT_KIND,
      epoch: 6,
      payload: { chainId: 1, contract: other, seq: 2, head: `0x${'44'.repeat(32)}` },
    });
    expect(anchorSources(journal, stateDir)).toContainEqual({ chainId: 1, contract: other, fromBlock: 0n });
    journal.close();
  });
});
