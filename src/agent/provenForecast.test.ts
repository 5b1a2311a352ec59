import type { PublicClient } from 'viem';
import { describe, expect, test } from 'vitest';
import { latestProvenForecast } from './provenForecast.js';

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
