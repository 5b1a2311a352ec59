import { describe, expect, test } from 'vitest';
import {
  epochOfRound,
  isPhaseBridge,
  isRoundWindow,
  proxyRoundIdText,
  RoundIdOutOfRangeError,
} from './proxyRoundId.js';

const id = (phase: bigint, n: bigint) => (phase << 64n) | n;

describe('isRoundWindow (a window of the feed rounds in its own order)', () => {
  test('consecutive ids, and ids across one aggregator upgrade, are a window', () => {
    expect(isRoundWindow([5n, 6n, 7n])).toBe(true);
    expect(isRoundWindow([id(1n, 41n), id(1n, 42n), id(2n, 1n), id(2n, 2n)])).toBe(true);
    // An upgrade to a phase that skipped one without rounds (phase 3 after 1) is still one step.
    expect(isRoundWindow([id(1n, 42n), id(3n, 1n)])).toBe(true);
    expect(isRoundWindow([])).toBe(true);
  });

  test('a gap, a step to a later round than 1, round 0, or two upgrades are not', () => {
    expect(isRoundWindow([5n, 7n])).toBe(false);
    expect(isRoundWindow([id(1n, 42n), id(2n, 2n)])).toBe(false);
    expect(isRoundWindow([id(1n, 0n), id(2n, 1n)])).toBe(false);
    expect(isRoundWindow([id(1n, 42n), id(2n, 1n), id(3n, 1n)])).toBe(false);
    expect(isPhaseBridge(id(2n, 5n), id(1n, 1n))).toBe(false);
  });
});

describe('proxyRoundIdText', () => {
  test('a proxy id carries its phase and aggregator round; a plain id stays as it is', () => {
    expect(proxyRoundIdText(id(2n, 42n))).toBe(`${id(2n, 42n)} (phase 2 #42)`);
    expect(proxyRoundIdText(42n)).toBe('42');
  });
});

describe('epochOfRound (one agent epoch per feed round, exact)', () => {
  test('a plain aggregator: round r is epoch r − 1, as the demo counts', () => {
    expect(epochOfRound(1n)).toBe(0);
    expect(epochOfRound(42n)).toBe(41);
  });

  test('consecutive proxy rounds are consecutive epochs (a raw id above 2^53 would collapse them)', () => {
    const a = epochOfRound(id(1n, 100n));
    const b = epochOfRound(id(1n, 101n));
    expect(b - a).toBe(1);
    expect(Number.isSafeInteger(epochOfRound(id(65_535n, (1n << 32n) - 1n)))).toBe(true);
  });

  test('an aggregator upgrade keeps the order: every epoch of the new phase is after the old phase', () => {
    expect(epochOfRound(id(2n, 1n))).toBeGreaterThan(epochOfRound(id(1n, (1n << 32n) - 1n)));
    expect(epochOfRound(id(6n, 1n))).toBeGreaterThan(epochOfRound(id(5n, 7_000n)));
  });

  test('round 0, an aggregator round from 2^32 or a phase above 2^16 − 1 is refused with the id named', () => {
    for (const bad of [0n, id(1n, 0n), id(1n, 1n << 32n), id(1n << 16n, 1n)]) {
      expect(() => epochOfRound(bad)).toThrow(RoundIdOutOfRangeError);
    }
    expect(() => epochOfRound(id(1n, 0n))).toThrow(/latest round id 18446744073709551616 \(phase 1 #0\)/);
    expect(() => epochOfRound(0n)).toThrow(/latest round id 0 is outside/);
  });
});
