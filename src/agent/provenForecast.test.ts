import type { PublicClient } from 'viem';
import { describe, expect, test } from 'vitest';
import { latestProvenForecast, windowRoundIds } from './provenForecast.js';

const GATE = '0x00000000000000000000000000000000000000aa' as const;
const MODEL = `0x${'11'.repeat(32)}` as const;

/** A ForecastProven log as viem decodes it (only the fields the follower reads). */
const proven = (blockNumber: bigint, lastRoundId: bigint) => ({
  blockNumber,
  args: {
    proofId: `0x${blockNumber.toString(16).padStart(64, '0')}`,
    modelId: MODEL,
    firstRoundId: lastRoundId - 20n,
    lastRoundId,
    forecast: [5n, 7n],
  },
});

describe('latestProvenForecast', () => {
  test('a log the log node did not have yet (it lagged the head node) is found on the next call', async () => {
    const logs = [proven(8n, 40n), proven(10n, 42n)];
    let lag = 1n; // the first eth_getLogs is answered by a node one block behind the head
    const client = {
      getBlockNumber: async () => 10n,
      getContractEvents: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) =>
        logs.filter((l) => l.blockNumber >= fromBlock && l.blockNumber <= toBlock - lag),
    } as unknown as PublicClient;
    const latest = latestProvenForecast({ client, gate: GATE, modelId: MODEL, scaleBits: 20 });
    expect((await latest())?.roundIds.at(-1)).toBe(40n);
    lag = 0n;
    // No new block: before, the follower skipped the scan (head < next block) and never saw round 42's proof.
    expect((await latest())?.roundIds.at(-1)).toBe(42n);
    expect((await latest())?.roundIds.at(-1)).toBe(42n);
  });
});

const P1 = 1n << 64n;
const P2 = 2n << 64n;

describe('windowRoundIds', () => {
  test('default: consecutive ids inside one phase', () => {
    expect(windowRoundIds(P2 | 5n, P2 | 25n, 21)).toEqual(
      Array.from({ length: 21 }, (_, k) => P2 | BigInt(5 + k)),
    );
  });

  test('behavior: across one aggregator upgrade, the old phase last 21 - n rounds then rounds 1..n', () => {
    // Phase 1 ended at round 72; the window ends at phase 2's round 3.
    expect(windowRoundIds(P1 | 55n, P2 | 3n, 21)).toEqual([
      ...Array.from({ length: 18 }, (_, k) => P1 | BigInt(55 + k)),
      P2 | 1n,
      P2 | 2n,
      P2 | 3n,
    ]);
    expect(windowRoundIds(P1 | 72n, P2 | 20n, 21)[0]).toBe(P1 | 72n);
    expect(windowRoundIds(P1 | 72n, P2 | 20n, 21)[1]).toBe(P2 | 1n);
  });

  test('behavior: ids that are no window are refused', () => {
    expect(() => windowRoundIds(P2 | 1n, P2 | 20n, 21)).toThrow(
      /20 round\(s\) of one phase, not a window of 21/,
    );
    expect(() => windowRoundIds(P1 | 50n, P2 | 21n, 21)).toThrow(/cannot be a window of 21 across one/);
    expect(() => windowRoundIds(P2 | 50n, P1 | 3n, 21)).toThrow(/cannot be a window/);
  });
});

/** A ForecastProven log at block 5 whose window crosses the upgrade: phase 1 #60..#78, phase 2 #1..#2. */
const acrossUpgrade = (proofByte: string) => ({
  blockNumber: 5n,
  args: {
    proofId: `0x${proofByte.repeat(32)}`,
    modelId: MODEL,
    firstRoundId: P1 | 60n,
    lastRoundId: P2 | 2n,
    forecast: [1n, 2n],
  },
});
const acrossUpgradeIds = [...Array.from({ length: 19 }, (_, k) => P1 | BigInt(60 + k)), P2 | 1n, P2 | 2n];

describe('latestProvenForecast across an aggregator upgrade', () => {
  test('a statement whose first round lies in the phase before names the rounds across the bridge', async () => {
    const log = acrossUpgrade('22');
    const read: string[] = [];
    const client = {
      getBlockNumber: async () => 5n,
      getContractEvents: async () => [log],
      readContract: async ({ functionName }: { functionName: string }) => {
        read.push(functionName);
        return 21n;
      },
    } as unknown as PublicClient;
    const latest = await latestProvenForecast({ client, gate: GATE, modelId: MODEL, scaleBits: 20 })();
    expect(latest?.roundIds).toEqual(acrossUpgradeIds);
    expect(read).toEqual(['N_ANSWERS']);
  });
});

describe('latestProvenForecast when the window length cannot be read', () => {
  test('a failed N_ANSWERS read is retried on the next call, and the statement is not lost', async () => {
    // The statement is 20 blocks before the head: older than the rescanned suffix.
    const log = acrossUpgrade('33');
    let failures = 1;
    const client = {
      getBlockNumber: async () => 25n,
      getContractEvents: async ({ fromBlock, toBlock }: { fromBlock: bigint; toBlock: bigint }) =>
        log.blockNumber >= fromBlock && log.blockNumber <= toBlock ? [log] : [],
      readContract: async () => {
        if (failures-- > 0) throw new Error('HTTP request failed: 503');
        return 21n;
      },
    } as unknown as PublicClient;
    const latest = latestProvenForecast({ client, gate: GATE, modelId: MODEL, scaleBits: 20 });
    await expect(latest()).rejects.toThrow('503');
    // Before: the rejected read was cached (every later call failed) and the scan had moved past block 5.
    expect((await latest())?.roundIds).toEqual(acrossUpgradeIds);
  });
});
