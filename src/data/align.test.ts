import { describe, expect, test } from 'vitest';
import {
  alignAsOf,
  cpiAvailability,
  firstOfMonthAfter,
  monthlyAverageAvailability,
  toMonthlyLast,
  yearOnYear,
} from './align.js';
import { loadDataset } from './datasets.js';

describe('alignAsOf', () => {
  const cpi = loadDataset('cpi-us').series;

  test('CPI for a month is not visible before the first day of month M+2', () => {
    const [a, b, c] = alignAsOf(['2020-04-30', '2020-05-01', '2020-05-31'], cpi, cpiAvailability);
    const value = (d: string) => cpi.points.find((p) => p.date === d)!.value;
    expect(a).toBe(value('2020-02-01'));
    expect(b).toBe(value('2020-03-01'));
    expect(c).toBe(value('2020-03-01'));
  });

  test('behavior: nothing available before the first release', () => {
    expect(alignAsOf(['1913-02-15'], cpi, cpiAvailability)).toEqual([undefined]);
  });

  test('no look-ahead: changing values after a date does not change alignment up to it', () => {
    const wtiDates = loadDataset('wti-daily').series.points.map((p) => p.date);
    const base = alignAsOf(wtiDates, cpi, cpiAvailability);
    const cut = '2008-06-01';
    const changed = {
      ...cpi,
      points: cpi.points.map((p) => (p.date >= '2008-04-01' ? { ...p, value: p.value * 2 } : p)),
    };
    const after = alignAsOf(wtiDates, changed, cpiAvailability);
    wtiDates.forEach((d, i) => {
      if (d < cut) expect(after[i]).toBe(base[i]);
    });
    expect(after[wtiDates.findIndex((d) => d >= cut)]).not.toBe(base[wtiDates.findIndex((d) => d >= cut)]);
  });
});

describe('helpers', () => {
  test('firstOfMonthAfter crosses years', () => {
    expect(firstOfMonthAfter('2019-11-15', 2)).toBe('2020-01-01');
    expect(monthlyAverageAvailability('2020-12-15')).toBe('2021-01-01');
  });

  test('toMonthlyLast keeps the last close of each month', () => {
    const m = toMonthlyLast(loadDataset('wti-daily').series);
    expect(m.points[0]).toEqual({ date: '1986-01-01', value: 18.95 });
  });

  test('yearOnYear of CPI', () => {
    const y = yearOnYear(loadDataset('cpi-us').series);
    expect(y.points[0]!.date).toBe('1914-01-01');
    expect(y.points.find((p) => p.date === '2022-06-01')!.value).toBeCloseTo(Math.log(296.311 / 271.696), 6);
  });
});
