/**
 * The agent's Minted-log check (`mintLanded`, here through recovery) scans from the block its decision was
 * read at (`decision.readBlock`, journaled with the intent), not from the suite's deployment block: on a
 * months-old chain that is one or two `eth_getLogs` calls instead of hundreds. Journals written before the
 * read block was recorded still scan from the deployment block.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { expect, test } from 'vitest';
import { recoveryAgent } from '../../test/fixtures/recoveryAgent.js';
import { MINT_SCAN_REORG_MARGIN } from '../chain/index.js';
import { openJournal } from './journal/index.js';

const VAULT = '0x00000000000000000000000000000000000000aa' as Address;
const KEY = `0x${'11'.repeat(32)}` as Hex;
const ACCOUNT = privateKeyToAccount(`0x${'01'.repeat(32)}`);
const DEPLOYED = 500n;
const HEAD = 1_500_000n;
const READ_AT = 1_480_000n;
const MINT_HASH = `0x${'33'.repeat(32)}` as Hex;

/** Recovers a journal holding one sent synth mint (no tx record) on a chain whose Minted log is at READ_AT + 1. */
async function recoverWith(payload: Record<string, unknown>) {
  const journal = openJournal(join(mkdtempSync(join(tmpdir(), 'provenant-mintscan-')), 'journal.sqlite'));
  journal.intents.record({ key: KEY, kind: 'synth-mint', epoch: 1, payload });
  journal.intents.setStatus(KEY, 'sent');
  const windows: [bigint, bigint][] = [];
  const publicClient = {
    getBlockNumber: async () => HEAD,
    getContractEvents: async (p: { args: { intentId: Hex }; fromBlock: bigint; toBlock: bigint }) => {
      windows.push([p.fromBlock, p.toBlock]);
      const at = READ_AT + 1n;
      if (p.args.intentId !== KEY || at < p.fromBlock || at > p.toBlock) return [];
      return [
        {
          transactionHash: MINT_HASH,
          blockNumber: at,
          logIndex: 0,
          args: {
            owner: ACCOUNT.address,
            modelId: `0x${'c3'.repeat(32)}`,
            intentId: KEY,
            amount: 1n,
            fee: 0n,
            collateralAdded: 0n,
          },
        },
      ];
    },
  };
  await recoveryAgent({
    publicClient,
    journal,
    account: ACCOUNT,
    vault: VAULT,
    fromBlock: DEPLOYED,
  }).recover();
  const intent = journal.intents.get(KEY);
  journal.close();
  return { intent, windows };
}

test('a synth mint decided at a read block: its Minted log is found scanning from there, in fewer calls', async () => {
  const bounded = await recoverWith({
    to: VAULT,
    decision: { action: 'mint', readBlock: READ_AT.toString() },
  });
  const legacy = await recoverWith({ to: VAULT, decision: { action: 'mint' } });
  // Both find the mint: the intent is confirmed by its Minted log.
  for (const { intent } of [bounded, legacy]) {
    expect(intent?.status, intent?.note ?? '').toBe('confirmed');
    expect(intent?.note).toContain(MINT_HASH);
  }
  // Bounded by the decision (less the reorg margin, so never after the mint's block): 20,065 blocks to the
  // head, 3 windows.
  expect(bounded.windows[0]![0]).toBe(READ_AT - MINT_SCAN_REORG_MARGIN);
  expect(bounded.windows.length).toBe(3);
  // An older journal (no read block): from the deployment block, one call per 10,000 blocks.
  expect(legacy.windows[0]![0]).toBe(DEPLOYED);
  expect(legacy.windows.length).toBe(150);
});
