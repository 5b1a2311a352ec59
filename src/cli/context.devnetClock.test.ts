import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, http } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { startDevnet } from '../chain/index.js';
import { openChain } from './context.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-devnet-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 2020-01-31T20:00:00Z: a market day of the demo's replay. */
const MARKET_TIME = 1_580_500_800n;

// The demo's devnet runs at market time (2020) and is saved to the state dir. Every command that sends a
// transaction on the embedded devnet resumes that saved chain: it must keep the chain's own clock. Before
// this, anvil resumed at the wall clock, so the first `faucet` after `npm start` moved the chain to today.
describe('openChain on a saved embedded devnet', () => {
  test('behavior: a transaction sent after resuming is stamped at the chain own time, not the wall clock', async () => {
    const statePath = join(dir, 'devnet-state.json');
    const first = await startDevnet({ statePath, genesisTimestamp: MARKET_TIME });
    const savedAt = (await createPublicClient({ transport: http(first.rpcUrl) }).getBlock()).timestamp;
    await first.stop();
    expect(savedAt).toBeLessThan(MARKET_TIME + 3_600n);

    const context = await openChain({ stateDir: dir });
    try {
      const { walletClient, publicClient, account } = context.clients;
      const hash = await walletClient.sendTransaction({
        account,
        to: account.address,
        value: 0n,
        chain: null,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      const block = await publicClient.getBlock({ blockNumber: receipt.blockNumber });
      // Within an hour of where the chain stopped, not ~2026.
      expect(block.timestamp).toBeGreaterThanOrEqual(savedAt);
      expect(block.timestamp).toBeLessThan(savedAt + 3_600n);
    } finally {
      await context.close();
    }
  });
});
