import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runDemo } from '../src/agent/index.js';
import { policyGuardAbi } from '../src/chain/index.js';
import { runCli } from './cliHarness.js';

describe('demo monitor (guardian key)', () => {
  test('behavior: a halt pauses the guard on-chain at once; only a governance proposal unpauses it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'provenant-monitor-'));
    // Real data through the March 2020 collapse: the drift detector halts the agent.
    const result = await runDemo({
      stateDir,
      start: '2020-02-03',
      end: '2020-03-27',
      persist: false,
      resumeAfterEpochs: 3,
      agent: { art: { size: 32, evolveEveryEpochs: 20, maxTokens: 2 }, zk: false },
    });
    try {
      const notes = result.journal
        .entries({ kind: 'note' })
        .map((e) => e.payload as { monitor?: string; governance?: string; date?: string });
      const pauses = notes.filter((n) => n.monitor);
      const unpauses = notes.filter((n) => n.governance);
      const halts = result.journal.entries({ kind: 'halt' });
      expect(halts.length).toBeGreaterThan(0);
      expect(pauses.length).toBe(halts.length);
      expect(pauses[0]?.monitor).toBe('guardian paused the guard on-chain');
      // Every resume went through governance; a halt still in force at the end leaves the guard paused.
      const stillHalted = result.journal.state.halted().halted;
      expect(unpauses.length).toBe(pauses.length - (stillHalted ? 1 : 0));
      // `provenant gov status` lists what the demo's governance did: the bootstrap, then every unpause.
      const statuses = JSON.parse(await runCli(result.stack, ['gov', 'status', '--json'], 0)) as {
        state: string;
        description: string;
        changes: string[];
      }[];
      expect(statuses.map((s) => s.state)).toEqual(Array(1 + unpauses.length).fill('Executed'));
      expect(
        statuses.filter((s) => s.changes.includes('unpause the whole guard (every agent action resumes)')),
      ).toHaveLength(unpauses.length);
      const paused = await result.stack.agent.publicClient.readContract({
        address: result.stack.addresses.guard,
        abi: policyGuardAbi,
        functionName: 'globallyPaused',
      });
      expect(paused).toBe(stillHalted);
      // The guardian itself can pause but never unpause.
      const { guard } = result.stack.addresses;
      if (!paused) {
        const hash = await result.stack.guardian.walletClient.writeContract({
          address: guard,
          abi: policyGuardAbi,
          functionName: 'pause',
        });
        await result.stack.guardian.publicClient.waitForTransactionReceipt({ hash });
      }
      await expect(
        result.stack.guardian.publicClient.simulateContract({
          account: result.stack.guardian.account,
          address: guard,
          abi: policyGuardAbi,
          functionName: 'unpause',
        }),
      ).rejects.toThrow(/PolicyUnauthorized/);
    } finally {
      result.journal.close();
      await result.stack.close();
    }
  }, 180_000);
});
