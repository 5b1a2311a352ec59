import { describe, expect, test } from 'vitest';
import { driftLambdaOn, driftLambdaRange } from './driftThresholds.js';

const refits = [
  { date: '2000-01-03', driftLambda: 15 },
  { date: '2000-02-01', driftLambda: 31.5 },
  { date: '2000-03-01', driftLambda: 22 },
];

describe('drift λ over a walk-forward', () => {
  test('the λ in force on each date is the last refit on or before it, NaN before the first', () => {
    expect(
      driftLambdaOn(refits, [
        '1999-12-31',
        '2000-01-03',
        '2000-01-31',
        '2000-02-01',
        '2000-02-29',
        '2001-01-01',
      ]),
    ).toEqual([Number.NaN, 15, 15, 31.5, 31.5, 22]);
    expect(driftLambdaOn([], ['2000-01-03'])).toEqual([Number.NaN]);
  });

  test('min / median / max over the refits (the middle two averaged for an even count); none without refits', () => {
    expect(driftLambdaRange(refits)).toEqual({ min: 15, median: 22, max: 31.5 });
    expect(driftLambdaRange(refits.slice(0, 2))).toEqual({ min: 15, median: 23.25, max: 31.5 });
    expect(driftLambdaRange([])).toBeUndefined();
  });
});
