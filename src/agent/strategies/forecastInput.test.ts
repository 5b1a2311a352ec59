import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import {
  datasetAnswers,
  fixedToPpm,
  inferFixedReal,
  ORACLE_FEATURE_ANSWERS,
  toForecast,
} from '../../models/index.js';
import { featuresFromObservation } from '../market.js';
import { trainAgentForecaster } from '../models.js';
import { forecastInput, type ProvenForecastRef, replayForecast } from './art.js';

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
    const r = forecastInput(proven, 100n, 19, { returnPpm: 12_300, modelId: ID });
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
    expect(forecastInput(proven, 119n, 19, { returnPpm: 10_000, modelId: ID }).proof?.kind).toBe('groth16');
    const stale = forecastInput(proven, 120n, 19, { returnPpm: 12_300, modelId: ID });
    expect(stale.proof).toBeUndefined();
    expect(stale.forecast).toEqual({ returnPpm: 12_300, modelId: ID.toLowerCase() });
  });

  test('no proof, or a proof newer than the render’s prices, gives replay with the current forecast', () => {
    expect(forecastInput(undefined, 100n, 19, { returnPpm: -2_000, modelId: ID })).toEqual({
      forecast: { returnPpm: -2_000, modelId: ID.toLowerCase() },
    });
    expect(forecastInput(proven, 99n, 19, { returnPpm: 0, modelId: ID }).proof).toBeUndefined();
    expect(forecastInput(proven, undefined, 19, { returnPpm: 0, modelId: ID }).proof).toBeUndefined();
    // No replay forecast (too few or non-consecutive rounds) and no usable proof: no forecast at all.
    expect(forecastInput(proven, 120n, 19, undefined)).toEqual({});
  });
});

const ID = `0x${'Ef'.repeat(32)}` as Hex;

describe('replayForecast: the replay forecast is the forecaster’s fixed-point output on the 21 newest rounds', () => {
  const forecaster = trainAgentForecaster({
    kind: 'ridge',
    trainEnd: '2020-02-28',
    stateDir: mkdtempSync(join(tmpdir(), 'provenant-replay-forecast-')),
  });
  // Real WTI closes of 2020-02-03 … 2020-03-31 as the feed publishes them (8 decimals), one round each.
  const { dates, answers } = datasetAnswers('wti-daily');
  const from = dates.indexOf('2020-02-03');
  const to = dates.indexOf('2020-03-31');
  const rounds = answers
    .slice(from, to + 1)
    .map((answer, i) => ({ roundId: 1_000n + BigInt(i), answer, updatedAt: 0n }));

  test('default: equals the agent inference (same integers), ppm by fixedToPpm, model id lowercased', () => {
    expect(rounds.length).toBeGreaterThan(ORACLE_FEATURE_ANSWERS);
    const r = replayForecast({ model: forecaster.model, id: forecaster.id.toUpperCase() as Hex }, rounds)!;
    const window = rounds.slice(-ORACLE_FEATURE_ANSWERS);
    const { features } = featuresFromObservation(
      { wti: window.map((x) => ({ ...x, startedAt: 0n, answeredInRound: x.roundId })) },
      forecaster.model.scaleBits,
    );
    const mean = toForecast(inferFixedReal(forecaster.model, features)).mean;
    expect(r.output).toBe(BigInt(mean * 2 ** forecaster.model.scaleBits));
    expect(r.returnPpm).toBe(fixedToPpm(r.output, forecaster.model.scaleBits));
    expect(r.modelId).toBe(forecaster.id.toLowerCase());
    expect(Math.abs(r.returnPpm - mean * 1e6)).toBeLessThanOrEqual(0.5);
  });

  test('behavior: only the 21 newest rounds count (order given does not matter)', () => {
    const newest = replayForecast(forecaster, rounds);
    expect(replayForecast(forecaster, rounds.slice(-ORACLE_FEATURE_ANSWERS))).toEqual(newest);
    expect(replayForecast(forecaster, [...rounds].reverse())).toEqual(newest);
    expect(replayForecast(forecaster, rounds.slice(0, -1))).not.toEqual(newest);
  });

  test('behavior: fewer than 21 rounds, or a gap in the round ids, gives no forecast', () => {
    expect(replayForecast(forecaster, rounds.slice(-(ORACLE_FEATURE_ANSWERS - 1)))).toBeUndefined();
    const gap = rounds
      .slice(-ORACLE_FEATURE_ANSWERS)
      .map((r, i) => (i < 10 ? r : { ...r, roundId: r.roundId + 1n }));
    expect(replayForecast(forecaster, gap)).toBeUndefined();
  });

  test('behavior: a window across one aggregator upgrade (old phase tail, new phase from round 1) gives the same forecast', () => {
    const window = rounds.slice(-ORACLE_FEATURE_ANSWERS);
    const bridged = window.map((r, i) => ({
      ...r,
      roundId: i < 15 ? (1n << 64n) | (500n + BigInt(i)) : (2n << 64n) | BigInt(i - 14),
    }));
    expect(replayForecast(forecaster, bridged)).toEqual(replayForecast(forecaster, window));
  });
});
