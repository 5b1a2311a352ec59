import { describe, expect, test } from 'vitest';
import { isPhaseBridge, isRoundWindow, proxyRoundIdText } from './proxyRoundId.js';

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
