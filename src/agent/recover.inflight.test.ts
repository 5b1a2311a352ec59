import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { expect, test } from 'vitest';
import { recoveryAgent } from '../../test/fixtures/recoveryAgent.js';
import type { TxStatus } from '../chain/index.js';
import { openJournal } from './journal/index.js';

const VAULT = '0x00000000000000000000000000000000000000aa' as Address;
const K_MINT = `0x${'11'.repeat(32)}` as Hex;
const K_REPAY = `0x${'22'.repeat(32)}` as Hex;

type Outcome = { key: Hex; label: string; nonce: number; status: string; hash: Hex | null; error?: unknown };

function agentWith(journal: ReturnType<typeof openJournal>, outcomes: Outcome[], rpcDown: boolean) {
  const publicClient = {
    getBlockNumber: async () => {
      if (rpcDown) throw new Error('fetch failed (ECONNREFUSED)');
      return 100n;
    },
    getContractEvents: async () => {
      if (rpcDown) throw new Error('fetch failed (ECONNREFUSED)');
      return [];
    },
  };
  return recoveryAgent({
    publicClient,
    journal,
    account: privateKeyToAccount(`0x${'01'.repeat(32)}`),
    vault: VAULT,
    fromBlock: 0n,
    outcomes,
  });
}

async function storeRecords(journal: ReturnType<typeof openJournal>, records: [Hex, TxStatus][]) {
  const store = journal.txStore();
  for (const [key, status] of records) {
    await store.reserve({
      key,
      label: key,
      chainId: 31337,
      from: '0x1a642f0E3c3aF545E7AcBD38b07251B3990914F1',
      to: VAULT,
      data: '0x',
      value: 0n,
      gas: 100_000n,
      minedHash: null,
      blockNumber: null,
      gasUsed: null,
      effectiveGasPrice: null,
      error: null,
      createdAt: 0,
    });
    await store.update(key, { status }, 1);
  }
}

test('an RPC error in the Minted-log check during recovery must not leave a mined repay to be marked failed on the next restart', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'provenant-recover-')), 'journal.sqlite');
  let journal = openJournal(path);
  journal.intents.record({ key: K_MINT, kind: 'synth-mint', epoch: 1, payload: { to: VAULT } });
  journal.intents.record({ key: K_REPAY, kind: 'synth-repay', epoch: 1, payload: { to: VAULT } });
  journal.intents.setStatus(K_MINT, 'sent');
  journal.intents.setStatus(K_REPAY, 'sent');
  // The tx manager's store (the journal's) holds both transactions, final after the first recovery.
  await storeRecords(journal, [
    [K_MINT, 'reverted'],
    [K_REPAY, 'mined'],
  ]);
  // First restart: the tx manager settles both records (now final in its store: reverted, mined); the RPC
  // then fails while the agent asks for the reverted mint's Minted log.
  const first = agentWith(
    journal,
    [
      { key: K_MINT, label: 'mint', nonce: 0, status: 'reverted', hash: null, error: new Error('reverted') },
      { key: K_REPAY, label: 'repay', nonce: 1, status: 'mined', hash: `0x${'33'.repeat(32)}` },
    ],
    true,
  );
  await expect(first.recover()).rejects.toThrow(/fetch failed/);
  journal.close();
  // Second restart, RPC back: the records are final, so the tx manager reports nothing for them.
  journal = openJournal(path);
  await agentWith(journal, [], false).recover();
  const repay = journal.intents.get(K_REPAY);
  journal.close();
  // The repay was mined (the tx store says so): it must be confirmed, not failed.
  expect(repay?.status, repay?.note ?? '').toBe('confirmed');
});

test('a synth mint still in flight after recovery (tx manager gave up waiting) is not marked failed', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'provenant-recover-')), 'journal.sqlite');
  const journal = openJournal(path);
  journal.intents.record({ key: K_MINT, kind: 'synth-mint', epoch: 1, payload: { to: VAULT } });
  journal.intents.setStatus(K_MINT, 'sent');
  await storeRecords(journal, [[K_MINT, 'broadcast']]);
  await agentWith(
    journal,
    [{ key: K_MINT, label: 'mint', nonce: 0, status: 'broadcast', hash: null, error: new Error('pending') }],
    false,
  ).recover();
  const mint = journal.intents.get(K_MINT);
  journal.close();
  expect(mint?.status, mint?.note ?? '').not.toBe('failed');
});
