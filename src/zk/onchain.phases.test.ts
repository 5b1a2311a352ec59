import { describe, expect, test } from 'vitest';
import type { ProvenantClients } from '../chain/index.js';
import { latestRounds } from './onchain.js';

// `latestRounds` on a Chainlink-style proxy right after an aggregator upgrade: the window is completed with
// the rounds before the accumulator's bridge (its `bridgedFrom`), as ForecastProofGate.firstRoundOf takes it.
const FEED = '0x00000000000000000000000000000000000000a0' as const;
const ACC = '0x00000000000000000000000000000000000000ac' as const;
const P1 = 1n << 64n;
const P2 = 2n << 64n;

function clients(
  latest: bigint,
  bridgedFrom: bigint,
  lastAbsorbed = 0n,
): { clients: ProvenantClients; reads: string[] } {
  const reads: string[] = [];
  const publicClient = {
    getBlockNumber: async () => 500n,
    readContract: async ({
      address,
      functionName,
      args,
      blockNumber,
    }: {
      address: string;
      functionName: string;
      args?: readonly bigint[];
      blockNumber?: bigint;
    }) => {
      expect(blockNumber).toBe(500n); // every read at one block
      reads.push(`${address === ACC ? 'acc' : 'feed'}.${functionName}(${args?.join(',') ?? ''})`);
      if (functionName === 'bridgedFrom') return bridgedFrom;
      if (functionName === 'lastAbsorbed') return lastAbsorbed;
      const id = functionName === 'latestRoundData' ? latest : args![0]!;
      // The answer encodes the id, so the order of the answers can be checked.
      return [id, 1000n + (id >> 64n) * 100n + (id & 0xffn), 7n, 7n, id] as const;
    },
  };
  return { clients: { publicClient } as unknown as ProvenantClients, reads };
}

/** The error a read is refused with (a test failure when it resolves). */
async function refusal(read: Promise<unknown>): Promise<Error & { details?: string }> {
  return read.then(
    () => {
      throw new Error('expected a refusal, the window was read');
    },
    (error: unknown) => error as Error & { details?: string },
  );
}

describe('latestRounds across an aggregator upgrade', () => {
  test('default: phase 1 last 19 rounds (through the bridge) and phase 2 rounds 1..2', async () => {
    const { clients: c, reads } = clients(P2 | 2n, P1 | 72n);
    const w = await latestRounds(c, FEED, 21, { accumulator: ACC });
    expect(w.roundIds).toEqual([
      ...Array.from({ length: 19 }, (_, k) => P1 | BigInt(54 + k)),
      P2 | 1n,
      P2 | 2n,
    ]);
    expect(w.answers.at(0)).toBe(1154n);
    expect(w.answers.at(-1)).toBe(1202n);
    expect(reads).toContain(`acc.bridgedFrom(${P2})`);
  });

  test('behavior: inside one phase the accumulator is not read', async () => {
    const { clients: c, reads } = clients(P2 | 30n, P1 | 72n);
    const w = await latestRounds(c, FEED, 21, { accumulator: ACC });
    expect(w.roundIds).toEqual(Array.from({ length: 21 }, (_, k) => P2 | BigInt(10 + k)));
    expect(reads.some((r) => r.startsWith('acc.'))).toBe(false);
  });

  test('behavior: an old phase too short (a second upgrade inside the window) is refused, saying why', async () => {
    const { clients: c } = clients(P2 | 3n, P1 | 17n);
    await expect(latestRounds(c, FEED, 21, { accumulator: ACC })).rejects.toThrow(
      `the phase before it ends at round ${P1 | 17n}, 17 round(s): a window crosses at most one aggregator upgrade`,
    );
  });

  test('behavior: no bridge yet, or no accumulator, is refused naming the fix', async () => {
    await expect(latestRounds(clients(P2 | 3n, 0n).clients, FEED, 21, { accumulator: ACC })).rejects.toThrow(
      `has not bridged into the phase (absorb round ${P2 | 3n} first)`,
    );
    await expect(latestRounds(clients(P2 | 3n, P1 | 72n).clients, FEED, 21)).rejects.toThrow(
      'no accumulator was given to find the rounds before the phase',
    );
  });

  test('behavior: a feed with no phase before (phase 0, or a proxy in phase 1) is told to wait, not to absorb', async () => {
    // Before: bridgedFrom(0) / bridgedFrom(1 << 64) read 0 and the error said to absorb, which never helps.
    for (const latest of [12n, P1 | 12n]) {
      const { clients: c, reads } = clients(latest, 0n);
      const error = await refusal(latestRounds(c, FEED, 21, { accumulator: ACC }));
      expect(error.message).toContain('has 12 round(s) in its current phase');
      expect(error.message).toContain('there is no earlier phase to reach back into');
      expect(error.message).not.toContain('absorb');
      expect(error.details).toContain(
        `Prove again once the phase has 21 rounds (round ${(latest & ~0xffffn) | 21n})`,
      );
      expect(reads.some((r) => r.startsWith('acc.'))).toBe(false);
    }
  });

  test('behavior: a chain that starts in the phase (bridged before any round) is told to wait, not to absorb', async () => {
    const { clients: c } = clients(P2 | 3n, 0n, P2 | 3n);
    const error = await refusal(latestRounds(c, FEED, 21, { accumulator: ACC }));
    expect(error.message).toContain(`accumulator ${ACC} absorbed no round before the phase`);
    expect(error.details).toContain(`Prove again once the phase has 21 rounds (round ${P2 | 21n})`);
  });

  test('behavior: the refusal carries its own fix, not the circuit-layout text', async () => {
    const error = await refusal(latestRounds(clients(P2 | 3n, 0n).clients, FEED, 21, { accumulator: ACC }));
    expect(error.details).toContain(`FeedAccumulator.absorb(${P2 | 3n})`);
  });
});
