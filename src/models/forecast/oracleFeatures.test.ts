import { describe, expect, test } from 'vitest';
import { loadDataset, toAnswer } from '../../data/index.js';
import {
  buildOracleFeatures,
  datasetAnswers,
  floorDiv,
  ORACLE_FEATURE_ANSWERS,
  OracleFeatureError,
  oracleDatasetFeatures,
  oracleFeaturesFixed,
  oracleReturnsFixed,
} from './oracleFeatures.js';

const S = 20;

describe('oracle features (fixed point, the circuit arithmetic)', () => {
  test('floorDiv rounds toward −∞ for both signs', () => {
    expect(floorDiv(7n, 2n)).toBe(3n);
    expect(floorDiv(-7n, 2n)).toBe(-4n);
    expect(floorDiv(-8n, 2n)).toBe(-4n);
    expect(floorDiv(0n, 5n)).toBe(0n);
    expect(floorDiv(-1n, 3n)).toBe(-1n);
  });

  test('returns and features by hand on a small window', () => {
    // 20 flat answers, then +10 %: one return of exactly 0.1 · 2^20 floored, the rest 0.
    const answers = [...Array.from({ length: 20 }, () => 100_00000000n), 110_00000000n];
    const r = oracleReturnsFixed(answers, S);
    expect(r).toHaveLength(20);
    expect(r.slice(0, 19).every((v) => v === 0n)).toBe(true);
    expect(r[19]).toBe(floorDiv(10_00000000n << 20n, 100_00000000n)); // 104857 (0.1 · 2^20 = 104857.6)
    expect(r[19]).toBe(104_857n);
    expect(oracleFeaturesFixed(answers, S)).toEqual([104_857n, 0n, 0n, 104_857n, 104_857n]);
    // A fall floors away from zero: −10 % is −104858, and |r| counts it as 104858.
    const down = [...Array.from({ length: 20 }, () => 100_00000000n), 90_00000000n];
    expect(oracleFeaturesFixed(down, S)).toEqual([-104_858n, 0n, 0n, -104_858n, 104_858n]);
  });

  test('needs exactly 21 answers, every one > 0, and says so', () => {
    const ok = Array.from({ length: ORACLE_FEATURE_ANSWERS }, (_, i) => 70_00000000n + BigInt(i));
    expect(() => oracleFeaturesFixed(ok.slice(1), S)).toThrow(/20 answers given, expected 21/);
    const zero = [...ok];
    zero[5] = 0n;
    expect(() => oracleFeaturesFixed(zero, S)).toThrow(OracleFeatureError);
    expect(() => oracleFeaturesFixed(zero, S)).toThrow(/answer 5 of the window is 0/);
    const lastNegative = [...ok];
    lastNegative[20] = -3_698_000_000n;
    expect(() => oracleFeaturesFixed(lastNegative, S)).toThrow(/last answer .* must be > 0/);
  });
});

describe('oracle feature set of the shipped WTI series', () => {
  const set = oracleDatasetFeatures('wti-daily', { scaleBits: S });

  test('each row is oracleFeaturesFixed of the 21 answers the feed would hold, / 2^s exactly', () => {
    const { dates, answers } = datasetAnswers('wti-daily');
    for (const date of ['1990-08-02', '2008-09-15', '2020-03-09', '2024-03-15']) {
      const row = set.dates.indexOf(date);
      const at = dates.indexOf(date);
      expect(row).toBeGreaterThanOrEqual(0);
      const fixed = oracleFeaturesFixed(answers.slice(at - 20, at + 1), S);
      expect(set.X[row]).toEqual(fixed.map((v) => Number(v) / 2 ** S));
      // what the demo publishes: toAnswer(value, 8) of the dataset value
      expect(answers[at]).toBe(toAnswer(loadDataset('wti-daily').series.points[at]!.value, 8));
    }
    expect(set.names).toEqual(['oret_0', 'oret_1', 'oret_2', 'omom_20', 'oabs_20']);
  });

  test('no look-ahead: changing the future does not change past rows', () => {
    const series = loadDataset('wti-daily').series;
    const cut = series.points.findIndex((p) => p.date >= '2015-01-02');
    const shuffled = {
      ...series,
      points: [
        ...series.points.slice(0, cut),
        ...series.points.slice(cut).map((p, i, all) => ({ ...p, value: all[all.length - 1 - i]!.value })),
      ],
    };
    const a = buildOracleFeatures(series, { scaleBits: S });
    const b = buildOracleFeatures(shuffled, { scaleBits: S });
    const last = a.dates.findIndex((d) => d >= '2015-01-02') - 1;
    expect(last).toBeGreaterThan(5000);
    expect(b.X.slice(0, last + 1)).toEqual(a.X.slice(0, last + 1));
    // y of the last row before the cut is the return into the changed future: it may differ; the features may not.
    expect(b.X[last + 5]).not.toEqual(a.X[last + 5]);
  });
});
