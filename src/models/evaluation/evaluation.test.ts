import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { loadDataset, type Series } from '../../data/index.js';
import { buildFeatures, datasetFeatures, FixedPointToleranceError, mulberry32 } from '../forecast/index.js';
import { modelFileBytes, parseModelFile } from '../modelFile.js';
import { type BacktestRow, computeMetrics, runBacktest } from './runBacktest.js';
import { buildShippedForecaster, SHIPPED_FORECASTER_PATH } from './shippedForecaster.js';
import { dieboldMariano, varCoverage } from './tests.js';
import { writeModelReport } from './writeModelReport.js';

describe('statistical tests', () => {
  test('Kupiec on a worked example (n = 1000, 20 exceedances of a 99% VaR)', () => {
    const hits = Array.from({ length: 1000 }, (_, i) => i % 50 === 7);
    const c = varCoverage(hits, 0.99);
    expect(c.exceedances).toBe(20);
    expect(c.kupiecLR).toBeCloseTo(7.8274, 3);
    expect(c.kupiecP).toBeCloseTo(0.00515, 4);
    expect(
      varCoverage(
        Array.from({ length: 1000 }, (_, i) => i % 100 === 3),
        0.99,
      ).kupiecP,
    ).toBeGreaterThan(0.99);
  });

  test('Christoffersen rejects clustered exceedances that Kupiec accepts', () => {
    const hits = Array.from({ length: 1000 }, (_, i) => i >= 500 && i < 510);
    const c = varCoverage(hits, 0.99);
    expect(c.kupiecP).toBeGreaterThan(0.9);
    expect(c.independenceP).toBeLessThan(0.001);
  });

  test('Diebold–Mariano: equal errors give 0, a worse model a small p(worse)', () => {
    const r = mulberry32(5);
    const e = Array.from({ length: 2000 }, () => r() - 0.5);
    expect(dieboldMariano(e, e).statistic).toBe(0);
    const worse = dieboldMariano(
      e.map((v) => v + 0.2),
      e,
    );
    expect(worse.pWorse).toBeLessThan(1e-6);
    expect(worse.pBetter).toBeGreaterThan(0.99);
  });
});

describe('computeMetrics: alarm delays and calm-period false alarms on a hand-made halt timeline', () => {
  // Weekday rows from 1992-06-01 to 2025-12-31.
  const dates: string[] = [];
  for (let t = Date.parse('1992-06-01'); t <= Date.parse('2025-12-31'); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) dates.push(d.toISOString().slice(0, 10));
  }
  const row = (date: string): BacktestRow => ({
    date,
    observed: 0,
    actual: 0.001,
    rw: 0,
    ridge: 0,
    mlp: 0,
    mean: 0,
    modelVol: 0.01,
    garchVol: 0.01,
    ewmaVol: 0.01,
    var95: 0.02,
    var99: 0.03,
    es95: 0.03,
    es99: 0.04,
    var99Gaussian: 0.03,
    halt: false,
    haltReason: undefined,
    errorAlarm: false,
    inputAlarm: false,
    pageHinkley: 0,
    outlier: false,
    outlierAction: undefined,
    position: 0,
    pnl: 0,
  });
  const rows = dates.map(row);
  const at = (date: string) => dates.indexOf(date);
  /** Halts rows [from, from + count) for `reason`; 'error' also sets errorAlarm, 'input' inputAlarm. */
  const halt = (from: number, count: number, kind: 'error' | 'input', errorFrom = from) => {
    for (let i = from; i < from + count; i++) {
      rows[i]!.halt = true;
      rows[i]!.haltReason = `${kind} drift: planted`;
      if (kind === 'error' || i >= errorFrom) rows[i]!.errorAlarm = true;
      if (kind === 'input') rows[i]!.inputAlarm = true;
    }
  };
  // Calm-period onsets: 1994-03-01 (8 rows), 1996-05-01 (1 row), 2012-06-01 (5 rows) → 3 false alarms.
  halt(at('1994-03-01'), 8, 'error');
  halt(at('1996-05-01'), 1, 'error');
  halt(at('2012-06-01'), 5, 'error');
  // A halt that begins before the first calm period and runs into it is not a calm false alarm.
  halt(at('1992-12-28'), 5, 'error');
  // Outside calm periods, not counted: 2001.
  halt(at('2001-09-12'), 3, 'error');
  // 2008-09-15: error-drift halt 5 rows after the break → delay 5, error delay 5.
  halt(at('2008-09-15') + 5, 20, 'error');
  // 2014-11-28: an input-drift halt since 2014-11-20 (already halted), error drift from 30 rows after.
  halt(at('2014-11-20'), 60, 'input', at('2014-11-28') + 30);
  // 2020-03-09: first halt 200 rows later, beyond the 126-row horizon → none.
  halt(at('2020-03-09') + 200, 2, 'error');
  // 2022-02-24: halt begins on the break date → already halted, delay 0, onset that date.
  halt(at('2022-02-24'), 10, 'error');

  const m = computeMetrics(rows, 'daily', 0);
  const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

  test('break delays', () => {
    const [b2008, b2014, b2020, b2022] = m.drift.breaks;
    expect(b2008).toMatchObject({ delay: 5, errorDelay: 5, alreadyHalted: false });
    expect(b2008!.haltOnset).toBe(dates[at('2008-09-15') + 5]);
    expect(b2014).toMatchObject({ delay: 0, errorDelay: 30, alreadyHalted: true, haltOnset: '2014-11-20' });
    expect(b2014!.haltReason).toBe('input drift: planted');
    expect(b2020).toMatchObject({ delay: undefined, errorDelay: undefined, haltOnset: undefined });
    expect(b2022).toMatchObject({ delay: 0, errorDelay: 0, alreadyHalted: true, haltOnset: '2022-02-24' });
  });

  test('calm false alarms per decade and halted fraction', () => {
    expect(m.drift.calmFalseAlarms).toBe(3);
    // Calm periods as covered by weekday rows (first and last weekday inside each).
    const calmDays =
      days('1993-01-01', '1997-06-30') +
      days('2010-01-01', '2014-05-30') +
      days('2016-07-01', '2019-12-31') +
      days('2023-07-03', '2025-12-31');
    expect(m.drift.calmYears).toBeCloseTo(calmDays / 365.25, 10);
    expect(m.drift.falseAlarmsPerDecade).toBeCloseTo((3 / (calmDays / 365.25)) * 10, 10);
    expect(m.drift.haltedFraction).toBeCloseTo((8 + 1 + 5 + 5 + 3 + 20 + 60 + 2 + 10) / rows.length, 12);
    // Error-alarm onsets: 8 planted error halts plus the late error alarm inside the 2014 input halt.
    expect(m.drift.errorAlarms).toBe(9);
    expect(m.drift.inputAlarms).toBe(1);
  });
});

describe('runBacktest', () => {
  const full = datasetFeatures('wti-daily');
  const n = 1700;
  const small = {
    ...full,
    dates: full.dates.slice(0, n),
    X: full.X.slice(0, n),
    y: full.y.slice(0, n),
    r: full.r.slice(0, n),
  };
  const base = { minTrain: 500, trainWindow: 500, refitEvery: 63, epochs: { initial: 5, refit: 1 } } as const;

  test('no look-ahead: shuffling the future does not change past forecasts', () => {
    const cut = 1300;
    const rand = mulberry32(99);
    const perm = Array.from({ length: n - cut }, (_, k) => cut + k);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const shuffled = {
      ...small,
      X: small.X.map((x, i) => (i < cut ? x : small.X[perm[i - cut]!]!)),
      y: small.y.map((v, i) => (i < cut ? v : small.y[perm[i - cut]!]!)),
      r: small.r.map((v, i) => (i < cut ? v : small.r[perm[i - cut]!]!)),
    };
    const a = runBacktest({ ...base, features: small });
    const b = runBacktest({ ...base, features: shuffled });
    const cutDate = small.dates[cut]!;
    const pick = (r: (typeof a.rows)[number]) => [
      r.date,
      r.mean,
      r.ridge,
      r.mlp,
      r.modelVol,
      r.garchVol,
      r.var95,
      r.var99,
      r.halt,
      r.position,
    ];
    expectPastEqualFutureChanged(a.rows, b.rows, cutDate, pick);
  });

  // Raw WTI / Brent / CPI, cut to the span of `small`, so tests can change PRICES and rebuild features.
  const raw = {
    target: loadDataset('wti-daily').series,
    cross: loadDataset('brent-daily').series,
    cpi: loadDataset('cpi-us').series,
  };
  const lastDate = small.dates[n - 1]!;
  const upTo = (s: Series): Series => ({ ...s, points: s.points.filter((p) => p.date <= lastDate) });
  const rebuild = (edit: { target?: Series; cross?: Series; cpi?: Series } = {}) => ({
    ...buildFeatures({
      target: upTo(edit.target ?? raw.target),
      cross: upTo(edit.cross ?? raw.cross),
      cpi: upTo(edit.cpi ?? raw.cpi),
    }),
    frequency: 'daily' as const,
  });
  const scaleFrom = (s: Series, from: string, factor: number, to = '9999'): Series => ({
    ...s,
    points: s.points.map((p) => (p.date >= from && p.date <= to ? { ...p, value: p.value * factor } : p)),
  });

  test('no look-ahead: changing raw WTI, Brent and CPI after a cut leaves every earlier forecast equal', () => {
    const cutDate = small.dates[1300]!;
    const rand = mulberry32(7);
    const noisy = (s: Series, from: string): Series => ({
      ...s,
      points: s.points.map((p) => (p.date >= from ? { ...p, value: p.value * (0.7 + 0.6 * rand()) } : p)),
    });
    // CPI: every observation from a year before the cut (releases lag, so a later CPI is unknown at the cut).
    const a = runBacktest({ ...base, features: rebuild() });
    const b = runBacktest({
      ...base,
      features: rebuild({
        target: noisy(raw.target, cutDate),
        cross: noisy(raw.cross, cutDate),
        cpi: noisy(raw.cpi, cutDate),
      }),
    });
    const pick = (r: (typeof a.rows)[number]) => [
      r.date,
      r.mean,
      r.ridge,
      r.mlp,
      r.var99,
      r.halt,
      r.position,
    ];
    // Row `cut − 1` forecasts the return into the cut date, so its `actual` changes; its forecast must not.
    expectPastEqualFutureChanged(a.rows, b.rows, cutDate, pick);
  });

  test('outlier rule: a single +50 % round that reverts is held, rejected, and never halts or moves the position', () => {
    const k = 900;
    const jumpDate = small.dates[k]!;
    const ridge = { ...base, model: 'ridge' as const, primaryOnly: true };
    const a = runBacktest({ ...ridge, features: rebuild() });
    const b = runBacktest({
      ...ridge,
      features: rebuild({ target: scaleFrom(raw.target, jumpDate, 1.5, jumpDate) }),
    });
    const at = (res: typeof a, date: string) => res.rows.findIndex((r) => r.date === date);
    const j = at(b, jumpDate);
    expect(b.rows[j]!.observed).toBeCloseTo(a.rows[j]!.observed + Math.log(1.5), 9);
    expect(b.rows[j]!.outlierAction).toBe('held');
    expect(b.rows[j + 1]!.outlierAction).toBe('rejected');
    for (const row of [b.rows[j]!, b.rows[j + 1]!]) {
      expect(row.halt).toBe(false);
      expect(row.position).toBe(b.rows[j - 1]!.position);
    }
    expect(b.rows[j - 1]!.position).toBe(a.rows[j - 1]!.position);
    expect(b.metrics.outliersRejected).toEqual([{ date: jumpDate, value: b.rows[j]!.observed }]);
    // Neither the glitch nor its reversal reached the drift monitor: like the clean run, no halt in the
    // month after it (later rows differ: the refits train on the glitch and the lagged features carry it).
    const month = (res: typeof a) => res.rows.slice(0, j + 21).map((r) => r.halt);
    expect(month(a).slice(j - 1)).not.toContain(true);
    expect(month(b)).toEqual(month(a));
  });

  test('outlier rule: a sustained +50 % jump is confirmed by the next round, fed late, and alarms on it', () => {
    const k = 900;
    const jumpDate = small.dates[k]!;
    const ridge = { ...base, model: 'ridge' as const, primaryOnly: true };
    const b = runBacktest({ ...ridge, features: rebuild({ target: scaleFrom(raw.target, jumpDate, 1.5) }) });
    const j = b.rows.findIndex((r) => r.date === jumpDate);
    expect(b.rows[j]!.outlierAction).toBe('held');
    expect(b.rows[j]!.halt).toBe(false);
    expect(b.rows[j]!.position).toBe(b.rows[j - 1]!.position);
    expect(b.rows[j + 1]!.outlier).toBe(false);
    expect(b.metrics.outliersConfirmed.map((o) => o.date)).toContain(jumpDate);
    expect(b.rows[j + 1]!.errorAlarm).toBe(true);
    expect(b.rows[j + 1]!.halt).toBe(true);
    expect(b.rows[j + 1]!.position).toBe(0);
  });

  test('fixed point: a refit that breaks the tolerance re-picks the scale; an unreachable tolerance fails clearly', () => {
    // At 5e-6 the first fit is within tolerance at 20 bits and later refits are not (probed: up to 9.9e-6).
    const r = runBacktest({ ...base, features: small, fixedTolerance: 5e-6 });
    const bits = r.refits.map((x) => x.scaleBits);
    expect(new Set(bits).size).toBeGreaterThan(1);
    expect(bits[0]).toBe(20);
    for (const x of r.refits) expect(x.fixedMaxAbsError).toBeLessThanOrEqual(5e-6);
    expect(() => runBacktest({ ...base, features: small, fixedTolerance: 1e-9 })).toThrow(
      FixedPointToleranceError,
    );
  });

  test('report: runs on shipped gold data and writes markdown, summary and five PNG charts', () => {
    const result = runBacktest({ dataset: 'gold-monthly' });
    expect(result.rows[0]!.date >= '1970-01-01').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'provenant-report-'));
    const { files } = writeModelReport(result, dir);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'drift-alarms.png',
      'drift-threshold.png',
      'forecast-vs-actual.png',
      'position-size.png',
      'report.md',
      'summary.json',
      'var-bands.png',
    ]);
    for (const f of files.filter((p) => p.endsWith('.png'))) {
      const png = PNG.sync.read(readFileSync(f));
      expect(png.width).toBe(1000);
    }
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('# Model backtest: gold-monthly (monthly)');
    expect(md).toMatch(/\| mlp \| [0-9.e-]+ \|/);
    expect(md).toContain('Kupiec');
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).metrics.n).toBe(result.metrics.n);
  });
});

describe('shipped forecaster', () => {
  test.runIf(existsSync(SHIPPED_FORECASTER_PATH))(
    'models/forecaster-wti.json is reproducible from the shipped data',
    () => {
      const bytes = readFileSync(SHIPPED_FORECASTER_PATH);
      const model = parseModelFile(bytes, SHIPPED_FORECASTER_PATH);
      expect(model.kind).toBe('forecaster');
      expect(Buffer.from(modelFileBytes(buildShippedForecaster().model)).equals(bytes)).toBe(true);
    },
  );
});

/**
 * The look-ahead property: every row dated before `cutDate` is the same in both runs (over 700 of them),
 * and the rows after it differ (so the first check cannot pass because nothing changed at all).
 */
function expectPastEqualFutureChanged<R extends { date: string }>(
  a: R[],
  b: R[],
  cutDate: string,
  pick: (r: R) => unknown[],
): void {
  const past = (rows: R[]) => rows.filter((r) => r.date < cutDate).map(pick);
  const future = (rows: R[]) => rows.filter((r) => r.date > cutDate).map(pick);
  expect(past(a).length).toBeGreaterThan(700);
  expect(past(b)).toEqual(past(a));
  expect(future(b)).not.toEqual(future(a));
}
