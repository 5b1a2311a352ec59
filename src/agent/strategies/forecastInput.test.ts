import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { forecastInput, type ProvenForecastRef } from './art.js';

const proven: ProvenForecastRef = {
  gate: '0xAbCdEf0000000000000000000000000000000001' as Address,
  modelId: `0x${'AB'.repeat(32)}` as Hex,
  proofId: `0x${'Cd'.repeat(32)}` as Hex,
  roundIds: [99n, 100n],
  outputs: [-3_277n, 40_000n], // at 2^16: -0.05000305… → -50,003 ppm
  scaleBits: 16,
};

describe('forecastInput: the art uses a proven forecast only when it was made on prices in its window', () => {
  test('a proof on the latest rounds gives a groth16 section and the proven forecast, lowercased', () => {
    const r = forecastInput(proven, 100n, 19, 0.0123);
    expect(r.forecast).toEqual({ returnPpm: -50_003, modelId: `0x${'ab'.repeat(32)}` });
    expect(r.proof).toEqual({
      kind: 'groth16',
      forecastProof: { modelId: `0x${'ab'.repeat(32)}`, proofId: `0x${'cd'.repeat(32)}` },
      gate: '0xabcdef0000000000000000000000000000000001',
      roundIds: ['99', '100'],
      outputs: ['-3277', '40000'],
      scaleBits: 16,
    });
  });

  test('inside the window (lag = window - 1) still proven; one round older falls back to replay', () => {
    expect(forecastInput(proven, 119n, 19, 0.01).proof?.kind).toBe('groth16');
    const stale = forecastInput(proven, 120n, 19, 0.0123);
    expect(stale.proof).toBeUndefined();
    expect(stale.forecast).toEqual({ returnPpm: 12_300 });
  });

  test('no proof, or a proof newer than the render’s prices, gives replay with the current forecast', () => {
    expect(forecastInput(undefined, 100n, 19, -0.002)).toEqual({ forecast: { returnPpm: -2_000 } });
    expect(forecastInput(proven, 99n, 19, 0).proof).toBeUndefined();
    expect(forecastInput(proven, undefined, 19, 0).proof).toBeUndefined();
  });
});
