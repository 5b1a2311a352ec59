import { describe, expect, test } from 'vitest';
import { fixedToPpm, quantize } from './fixedPoint.js';

describe('fixedToPpm (a proven fixed-point forecast → ppm, integer arithmetic)', () => {
  test('exact values and rounding half away from zero', () => {
    expect(fixedToPpm(1n << 16n, 16)).toBe(1_000_000);
    expect(fixedToPpm(-(1n << 15n), 16)).toBe(-500_000);
    // 1 / 2^21 = 0.476837… ppm → 0; 3 / 2^21 = 1.43 ppm → 1; 2^20 + 1 at 2^21 scale rounds up.
    expect(fixedToPpm(1n, 21)).toBe(0);
    expect(fixedToPpm(-1n, 21)).toBe(0);
    expect(Object.is(fixedToPpm(-1n, 21), -0)).toBe(false);
    expect(fixedToPpm(3n, 21)).toBe(1);
    expect(fixedToPpm(-3n, 21)).toBe(-1);
    // A value exactly half-way between two ppm: 2^-7 = 7,812.5 ppm.
    expect(fixedToPpm(1n, 7)).toBe(7_813);
    expect(fixedToPpm(-1n, 7)).toBe(-7_813);
  });

  test('agrees with the float conversion on real-sized forecasts', () => {
    for (const value of [0.0123456, -0.0031415, 0.000049, -0.2, 0]) {
      const q = BigInt(quantize(value, 20));
      expect(fixedToPpm(q, 20)).toBe(Math.round((Number(q) / 2 ** 20) * 1e6) || 0);
    }
  });
});
