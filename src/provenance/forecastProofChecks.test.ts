import { describe, expect, test } from 'vitest';
import { provenRoundPlace } from './forecastProofChecks.js';

const id = (phase: bigint, n: bigint) => (phase << 64n) | n;

describe('provenRoundPlace (zk-forecast-rounds: where the proof ends among the render rounds)', () => {
  test('counts rounds, not ids: across an aggregator upgrade the ids jump by 2^64', () => {
    const window = [id(1n, 41n), id(1n, 42n), id(2n, 1n), id(2n, 2n)];
    expect(provenRoundPlace(id(1n, 42n), window)).toBe("2 round(s) before the render's latest");
    expect(provenRoundPlace(id(2n, 2n), window)).toBe("0 round(s) before the render's latest");
  });

  test('names a proof after the render, and one older than every round it used', () => {
    expect(provenRoundPlace(9n, [5n, 6n, 7n])).toBe("after the render's latest round");
    expect(provenRoundPlace(3n, [5n, 6n, 7n])).toBe('older than every round the render used');
  });
});
