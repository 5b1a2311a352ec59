import { describe, expect, test } from 'vitest';
import { DEFAULT_REFERENCE_THRESHOLD, DriftMonitor, type DriftMonitorOptions } from '../drift/index.js';
import { datasetFeatures } from '../forecast/index.js';
import { simulateGarch } from '../risk/index.js';
import {
  calibrateDriftPair,
  calibrateDriftThreshold,
  type DriftNullModel,
  fitDriftNullModel,
  nullHaltRates,
  syntheticFeatures,
} from './calibrateDrift.js';
import { type BacktestOptions, runBacktest } from './runBacktest.js';

// Short walk-forward settings so the pipeline runs in about a second per path.
const backtest = {
  minTrain: 300,
  trainWindow: 300,
  refitEvery: 21,
  epochs: { initial: 3, refit: 1 },
} as const;
const nullModel = (alpha: number, beta: number): DriftNullModel => {
  const v = 4e-4;
  return {
    garch: { omega: v * (1 - alpha - beta), alpha, beta, mu: 0, persistence: alpha + beta },
    studentT: 5,
    initVariance: v,
    fittedOn: { from: 'test', to: 'test', rows: 0 },
  };
};

/**
 * The short ridge walk-forward on `features` with `drift`, and the halts of a twin monitor fed through
 * `driftObserver` (what the calibration does with one extra monitor per λ).
 */
function backtestWithTwin(features: NonNullable<BacktestOptions['features']>, drift?: DriftMonitorOptions) {
  const twin = new DriftMonitor(drift);
  const halts: boolean[] = [];
  const result = runBacktest({
    features,
    model: 'ridge',
    primaryOnly: true,
    ...backtest,
    ...(drift ? { drift } : {}),
    driftObserver: {
      setReference: (X, e, v) => twin.setReference(X, e, v),
      update: (x, e, v) => halts.push(twin.update(x, e, v).halt),
    },
  });
  return { halts, r: result };
}

describe('drift threshold calibration', () => {
  test('the null model is fitted on the first fit window only (rows before the first forecast)', () => {
    const f = datasetFeatures('wti-daily');
    const m = fitDriftNullModel(f);
    expect(m.fittedOn).toEqual({ from: f.dates[0], to: f.dates[999], rows: 1000 });
    // Changing every row after the window does not change the fit.
    const later = { ...f, y: f.y.map((v, i) => (i < 1000 ? v : v * 3)) };
    expect(fitDriftNullModel(later).garch).toEqual(m.garch);
    expect(m.garch.persistence).toBeLessThan(1);
    expect(() => fitDriftNullModel(f, { firstFitRows: 10 })).toThrow(/firstFitRows/);
  });

  test('a monitor fed through driftObserver sees exactly what the backtest monitor sees', () => {
    const features = syntheticFeatures(simulateGarch(nullModel(0.1, 0.85).garch, 1100, 3, { studentT: 5 }));
    expect(features.X.length).toBe(1100 + 1 - 61); // n returns, n + 1 prices, 61 consumed by the windows
    const { halts, r } = backtestWithTwin(features);
    expect(halts).toEqual(r.rows.map((row) => row.halt));
  });

  test("with errorScale 'garch' the twin gets the risk model's σ and again matches the backtest", () => {
    const features = syntheticFeatures(simulateGarch(nullModel(0.1, 0.85).garch, 1100, 4, { studentT: 5 }));
    const drift = { errorScale: 'garch', pageHinkley: { delta: 0.25, lambda: 2 } } as const; // low λ: some halts
    const { halts, r } = backtestWithTwin(features, drift);
    expect(halts).toEqual(r.rows.map((row) => row.halt));
    expect(halts.some((h) => h)).toBe(true);
    expect(r.rows.find((row) => row.errorAlarm)?.haltReason).toMatch(/the risk model's filter/);
  });

  test('rates fall with λ, the chosen λ meets the budget, and the same seed gives the same table', () => {
    const options = {
      nullModel: nullModel(0.08, 0.88),
      model: 'ridge' as const,
      lambdas: [5, 10, 20, 40],
      paths: 2,
      monitoredRows: 1260,
      seed: 11,
      budgetPerDecade: 4,
      backtest,
    };
    const c = calibrateDriftThreshold(options);
    expect(c.monitoredRows).toBe(2 * 1260);
    const rates = c.rows.map((r) => r.haltsPerDecade);
    for (let k = 1; k < rates.length; k++) expect(rates[k]!).toBeLessThanOrEqual(rates[k - 1]!);
    expect(rates[0]!).toBeGreaterThan(options.budgetPerDecade); // the grid brackets the budget
    expect(c.chosen).toBeDefined();
    const chosen = c.rows.find((r) => r.lambda === c.chosen)!;
    expect(chosen.haltsPerDecade).toBeLessThanOrEqual(options.budgetPerDecade);
    expect(
      c.rows.filter((r) => r.lambda < c.chosen!).every((r) => r.haltsPerDecade > options.budgetPerDecade),
    ).toBe(true);
    expect(calibrateDriftThreshold(options).rows).toEqual(c.rows);
  });

  test('null halt rates: a fixed-λ config counts as the calibration row of that λ; λ from the reference is a config too', () => {
    const options = {
      nullModel: nullModel(0.08, 0.88),
      model: 'ridge' as const,
      paths: 2,
      monitoredRows: 1260,
      seed: 11,
      backtest: { ...backtest, minTrain: 1300, trainWindow: 1300 },
    };
    const r = nullHaltRates(options, [
      { pageHinkley: { delta: 0.25, lambda: 10 } },
      { referenceThreshold: { ...DEFAULT_REFERENCE_THRESHOLD, floor: 10 } },
    ]);
    const row = calibrateDriftThreshold({ ...options, lambdas: [10], budgetPerDecade: 1 }).rows[0]!;
    expect(r.rows[0]).toMatchObject({
      haltsPerDecade: row.haltsPerDecade,
      errorAlarmsPerDecade: row.errorAlarmsPerDecade,
    });
    expect(row.errorOnsets).toBeGreaterThan(0);
    // λ from each 1,300-row reference (budget 1 replayed onset) never sits below the floor, so it halts no more.
    expect(r.rows[1]!.errorAlarmsPerDecade).toBeLessThanOrEqual(r.rows[0]!.errorAlarmsPerDecade);
    expect(r.decades).toBe(1);
  });

  test('the signed CUSUM (meanShift) twin matches the backtest, and the pair calibration follows its split rule', () => {
    const features = syntheticFeatures(simulateGarch(nullModel(0.1, 0.85).garch, 1100, 5, { studentT: 5 }));
    const drift = {
      errorScale: 'garch',
      meanShift: { k: 0.25, h: 3, clip: 3 }, // low h: some CUSUM halts
      pageHinkley: { delta: 0.25, lambda: 1000 },
    } as const;
    const { halts, r } = backtestWithTwin(features, drift);
    expect(halts).toEqual(r.rows.map((row) => row.halt));
    expect(r.rows.find((row) => row.errorAlarm)?.haltReason).toMatch(/^error drift: CUSUM on signed error/);

    const options = {
      nullModel: nullModel(0.08, 0.88),
      model: 'ridge' as const,
      lambdas: [2, 5, 10],
      cusumH: [2, 4, 8, 16],
      paths: 2,
      monitoredRows: 1260,
      seed: 11,
      budgetEachPerDecade: 4,
      backtest,
    };
    const c = calibrateDriftPair(options);
    expect(c.monitoredRows).toBe(2 * 1260);
    expect(c.combined.length).toBe(3 * 4);
    const cu = c.cusum.map((row) => row.haltsPerDecade);
    expect(cu[0]!).toBeGreaterThan(options.budgetEachPerDecade); // the grid brackets the budget
    for (let k = 1; k < cu.length; k++) expect(cu[k]!).toBeLessThanOrEqual(cu[k - 1]!);
    // Split rule: the smallest λ and the smallest h within each detector's share of the budget.
    expect(c.chosen.h).toBe(c.cusum.find((row) => row.haltsPerDecade <= 4)?.h);
    expect(c.chosen.lambda).toBe(c.pageHinkley.find((row) => row.haltsPerDecade <= 4)?.lambda);
    expect(calibrateDriftPair(options).combined).toEqual(c.combined);
  });
  test('the confirmation-rule (confirm) twin matches the backtest, and its pair calibration follows the split rule', () => {
    const features = syntheticFeatures(simulateGarch(nullModel(0.1, 0.85).garch, 1100, 5, { studentT: 5 }));
    const drift = {
      errorScale: 'garch',
      // low thresholds so that both legs alarm and some pairs confirm
      confirm: { trailing: { delta: 0.25, lambda: 3 }, cusum: { k: 0.25, h: 3, clip: 3 }, window: 42 },
      pageHinkley: { delta: 0.25, lambda: 1000 },
    } as const;
    const { halts, r } = backtestWithTwin(features, drift);
    expect(halts).toEqual(r.rows.map((row) => row.halt));
    expect(r.rows.find((row) => row.errorAlarm)?.haltReason).toMatch(/^error drift: confirmed: /);

    const options = {
      nullModel: nullModel(0.08, 0.88),
      model: 'ridge' as const,
      lambdas: [2, 5, 10],
      cusumH: [2, 4, 8, 16],
      second: 'confirm' as const,
      confirm: { trailing: { delta: 0.25, lambda: 5 }, window: 42 },
      paths: 2,
      monitoredRows: 1260,
      seed: 11,
      budgetEachPerDecade: 4,
      backtest,
    };
    const c = calibrateDriftPair(options);
    expect(c.combined.length).toBe(3 * 4);
    // The confirmed pair alarms less often than the CUSUM alone at the same h (it needs leg T too).
    const alone = calibrateDriftPair({ ...options, second: 'cusum' });
    for (const [k, row] of c.cusum.entries())
      expect(row.errorOnsets).toBeLessThanOrEqual(alone.cusum[k]!.errorOnsets);
    expect(c.cusum.some((row, k) => row.errorOnsets < alone.cusum[k]!.errorOnsets)).toBe(true);
    expect(c.pageHinkley).toEqual(alone.pageHinkley);
    expect(c.chosen.h).toBe(c.cusum.find((row) => row.haltsPerDecade <= 4)?.h);
    expect(c.chosen.lambda).toBe(c.pageHinkley.find((row) => row.haltsPerDecade <= 4)?.lambda);
  });
});
