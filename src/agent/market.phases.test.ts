import { BaseError, ContractFunctionRevertedError, type PublicClient } from 'viem';
import { describe, expect, test } from 'vitest';
import { datasetAnswers } from '../models/index.js';
import { readFeedWindow } from '../oracle/index.js';
import { featuresFromObservation } from './market.js';

// A Chainlink-style proxy (ids `phase << 64 | n`, `phaseAggregators(q)`) over aggregators whose rounds are
// real WTI closes of 2019, served through a stand-in PublicClient that answers the reads the reader makes.
const PROXY = '0x00000000000000000000000000000000000000a0' as const;
const aggregatorOf = (phase: number) => `0x${phase.toString(16).padStart(40, '0')}` as const;
const id = (phase: number, n: number) => (BigInt(phase) << 64n) | BigInt(n);
const { dates, answers } = datasetAnswers('wti-daily');
const real = answers.slice(dates.indexOf('2019-01-02'));

/** Phases with `sizes[q - 1]` rounds each (phase q's aggregator has rounds 1..size). */
function proxyClient(sizes: number[]): { client: PublicClient; reads: string[] } {
  const reads: string[] = [];
  const offset = (phase: number) => sizes.slice(0, phase - 1).reduce((a, b) => a + b, 0);
  const round = (phase: number, n: number, roundId: bigint) => {
    if (n < 1 || n > sizes[phase - 1]!) throw revert('No data present');
    const k = offset(phase) + n - 1;
    return [roundId, real[k]!, BigInt(k), BigInt(k), roundId] as const;
  };
  const client = {
    readContract: async ({
      address,
      functionName,
      args,
    }: {
      address: string;
      functionName: string;
      args?: readonly (bigint | number)[];
    }) => {
      reads.push(`${functionName}(${args?.join(',') ?? ''})`);
      if (address === PROXY) {
        const phase = sizes.length;
        if (functionName === 'latestRoundData')
          return round(phase, sizes[phase - 1]!, id(phase, sizes[phase - 1]!));
        if (functionName === 'phaseAggregators') return aggregatorOf(Number(args![0]));
        const roundId = BigInt(args![0]!);
        return round(Number(roundId >> 64n), Number(roundId & ((1n << 64n) - 1n)), roundId);
      }
      const phase = Number.parseInt(address.slice(2), 16);
      if (sizes[phase - 1] === 0) throw revert('no rounds yet');
      return round(phase, sizes[phase - 1]!, BigInt(sizes[phase - 1]!));
    },
  } as unknown as PublicClient;
  return { client, reads };
}

const revert = (reason: string) =>
  new BaseError('execution reverted', {
    cause: new ContractFunctionRevertedError({ abi: [], functionName: 'getRoundData', message: reason }),
  });

describe('readFeedWindow across an aggregator upgrade', () => {
  test('default: the new phase round 1 follows the old phase last round (one bridge)', async () => {
    const { client } = proxyClient([70, 1]);
    const wti = await readFeedWindow(client, PROXY, 30);
    expect(wti.map((r) => r.roundId)).toEqual([
      ...Array.from({ length: 29 }, (_, k) => id(1, 42 + k)),
      id(2, 1),
    ]);
    // The answers are the feed's, in order (the zk window is the last 21 of them).
    expect(wti.map((r) => r.answer)).toEqual(real.slice(41, 71));
    // The features are those of the same answers under consecutive ids: the ids play no part.
    const plain = wti.map((r, k) => ({ ...r, roundId: BigInt(k + 1) }));
    expect(featuresFromObservation({ wti }, 20).features).toEqual(
      featuresFromObservation({ wti: plain }, 20).features,
    );
  });

  test('behavior: a phase without rounds is passed over, as the accumulator passes over it', async () => {
    const { client } = proxyClient([25, 0, 3]);
    const wti = await readFeedWindow(client, PROXY, 21);
    expect(wti.map((r) => r.roundId)).toEqual([
      ...Array.from({ length: 18 }, (_, k) => id(1, 8 + k)),
      id(3, 1),
      id(3, 2),
      id(3, 3),
    ]);
  });

  test('behavior: a window never crosses a second upgrade, so the agent still waits (and says why)', async () => {
    const { client } = proxyClient([30, 5, 3]);
    const wti = await readFeedWindow(client, PROXY, 30);
    expect(wti.map((r) => r.roundId)).toEqual([
      ...Array.from({ length: 5 }, (_, k) => id(2, 1 + k)),
      id(3, 1),
      id(3, 2),
      id(3, 3),
    ]);
    expect(() => featuresFromObservation({ wti }, 20)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: not enough oracle history for features (8 rounds, 21 needed; the window crosses at most one aggregator upgrade and stops at round 36893488147419103233, the first of phase 2: the agent acts again once the rounds from there reach 21)]`,
    );
  });

  test('behavior: inside one phase no aggregator is read', async () => {
    const { client, reads } = proxyClient([10, 40]);
    const wti = await readFeedWindow(client, PROXY, 21);
    expect(wti.map((r) => r.roundId)).toEqual(Array.from({ length: 21 }, (_, k) => id(2, 20 + k)));
    expect(reads.some((r) => r.startsWith('phaseAggregators'))).toBe(false);
  });

  test('behavior: the first phase stops the window (a plain too-short history)', async () => {
    const { client } = proxyClient([4, 3]);
    const wti = await readFeedWindow(client, PROXY, 21);
    expect(wti).toHaveLength(7);
    expect(() => featuresFromObservation({ wti }, 20)).toThrow(
      /^not enough oracle history for features \(7 rounds, 21 needed\)$/,
    );
  });
});
