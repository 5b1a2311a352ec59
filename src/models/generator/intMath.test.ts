import { describe, expect, test } from 'vitest';
import {
  divFloor,
  divRound,
  gaussianQ,
  getGaussianTable,
  getSinTable,
  getTanhTable,
  isqrt,
  isqrtBig,
  sigmoidQ,
  sinQ,
  tanhQ,
} from './intMath.js';

describe('integer helpers', () => {
  test('divFloor and divRound are exact for mixed signs', () => {
    for (let n = -50; n <= 50; n += 1) {
      for (const d of [1, 2, 3, 7, 10]) {
        expect(divFloor(n, d)).toBe(Math.floor(n / d));
        const q = n / d;
        const expected = q >= 0 ? Math.floor(q + 0.5) : -Math.floor(-q + 0.5);
        expect(divRound(n, d)).toBe(expected);
      }
    }
    expect(divFloor(2 ** 52 - 1, 3)).toBe(1501199875790165);
    expect(() => divFloor(1, 0)).toThrow(RangeError);
  });

  test('isqrt is the floor of the square root at and around perfect squares', () => {
    for (let r = 0; r < 3000; r += 1) {
      expect(isqrt(r * r)).toBe(r);
      if (r > 0) expect(isqrt(r * r - 1)).toBe(r - 1);
    }
    expect(isqrt(2 ** 53 - 1)).toBe(94906265);
    expect(isqrtBig(10n ** 40n)).toBe(10n ** 20n);
    expect(isqrtBig(10n ** 40n - 1n)).toBe(10n ** 20n - 1n);
  });
});

describe('activation tables', () => {
  test('sine table: exact landmarks and within one unit of the true value everywhere', () => {
    const t = getSinTable();
    expect(t.length).toBe(4096);
    expect([t[0], t[1024], t[2048], t[3072], t[512]]).toEqual([0, 4096, 0, -4096, 2896]);
    for (let i = 0; i < 4096; i += 1) {
      expect(Math.abs(t[i]! - 4096 * Math.sin((2 * Math.PI * i) / 4096))).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });

  test('tanh and gaussian tables are within half a unit of the true values', () => {
    const th = getTanhTable();
    const g = getGaussianTable();
    for (let i = 0; i < th.length; i += 1) {
      expect(Math.abs(th[i]! - 4096 * Math.tanh(i / 512))).toBeLessThanOrEqual(0.5 + 1e-9);
      expect(Math.abs(g[i]! - 4096 * Math.exp(-((i / 512) ** 2)))).toBeLessThanOrEqual(0.5 + 1e-9);
    }
    expect(th[512]).toBe(3119); // 4096 · tanh(1) = 3119.49
    expect(g[512]).toBe(1507); // 4096 · e^-1 = 1506.83
  });

  test('activations on Q12 integers', () => {
    const s = getSinTable();
    const th = getTanhTable();
    const g = getGaussianTable();
    expect(sinQ(6434, s)).toBe(4096); // π/2 · 4096 ≈ 6434
    expect(sinQ(-6434, s)).toBe(-4096);
    expect(sinQ(10 ** 9, s)).toBe(sinQ(1 << 17, s)); // clamped
    expect(tanhQ(4096, th)).toBe(3119);
    expect(tanhQ(-4096, th)).toBe(-3119);
    expect(tanhQ(1 << 20, th)).toBe(4096);
    expect(gaussianQ(0, g)).toBe(4096);
    expect(gaussianQ(-4096, g)).toBe(1507);
    expect(gaussianQ(16384, g)).toBe(0);
    expect(sigmoidQ(0, th)).toBe(2048);
    expect(sigmoidQ(1 << 20, th)).toBe(4096);
    expect(sigmoidQ(-(1 << 20), th)).toBe(0);
  });
});
