import { DEFAULT_DATA_DIR } from '../../data/index.js';
import {
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatus,
  QUIET_DRIFT_STATUS,
} from '../drift/index.js';
import {
  datasetFeatures,
  exportForecaster,
  type FeatureSet,
  type FloatFit,
  type ForecastDataset,
  type ForecasterKind,
  fitFloat,
  inferFixedReal,
  predictFloat,
  toForecast,
} from '../forecast/index.js';
import type { ModelFile } from '../modelFile.js';
import {
  ewmaVariance,
  fhsFromTail,
  fitGarch,
  type GarchFit,
  gaussianVaR,
  type ResidualTail,
  residualTail,
  sizePosition,
} from '../risk/index.js';
import { CALM_PERIODS, KNOWN_BREAKS } from './periods.js';
import { type CoverageResult, type DieboldMarianoResult, dieboldMariano, varCoverage } from './tests.js';

export type BacktestOptions = {
  dataset?: ForecastDataset;
  dataDir?: string;
  /** Pre-built features (tests inject modified futures here); default: built from `dataset`. */
  features?: FeatureSet & { frequency: 'daily' | 'monthly' };
  /** The model that drives positions (fixed-point inference). Default 'mlp'. */
  model?: ForecasterKind;
  /** Rows between refits. Default 21 (daily ≈ monthly) or 12 (monthly ≈ yearly). */
  refitEvery?: number;
  /** Rolling training window in rows. Default 2520 (daily, ≈10 y) or 240 (monthly, 20 y). */
  trainWindow?: number;
  /** Rows needed before the first forecast. Default 1000 (daily) or 120 (monthly). */
  minTrain?: number;
  /** Forecasts are evaluated from this date on (training may use earlier rows). */
  start?: string;
  /** Forecasts stop at this date. */
  end?: string;
  seed?: number;
  /** MLP epochs for the first fit and for each warm-started refit. */
  epochs?: { initial: number; refit: number };
  targetVol?: number;
  cap?: number;
  drift?: DriftMonitorOptions;
  /** Fixed-point agreement tolerance of each refit's export (default `exportForecaster`'s 1e-5). */
  fixedTolerance?: number;
  /** Look-back of the single-round outlier check (rows). Default 60. */
  outlierWindow?: number;
  /**
   * Receives exactly the calls the backtest makes on its `DriftMonitor` (same arguments, same
   * order), e.g. monitors with other thresholds fed the same error stream (drift calibration).
   */
  driftObserver?: DriftObserver;
  /**
   * Fit only the primary model (default false). The other model's column then repeats the primary
   * model's forecast, so its metrics are meaningless; for runs that only need the primary model's
   * errors (drift calibration on simulated data).
   */
  primaryOnly?: boolean;
};

/** What a drift monitor is fed by the backtest: a reference at each refit, then each row. */
export type DriftObserver = {
  /** `errorVols[k]`: the risk model's conditional σ of `errors[k]` (used by `errorScale: 'garch'`). */
  setReference(features: number[][], errors: number[], errorVols?: number[]): void;
  /** `errorVol`: the conditional σ of `error` that the VaR used on the previous row. */
  update(features: number[], error?: number, errorVol?: number): unknown;
};

export type BacktestRow = {
  date: string;
  /** The return realised on this row's own date (what the outlier check looks at). */
  observed: number;
  /** The next-period return being forecast. */
  actual: number;
  rw: number;
  ridge: number;
  mlp: number;
  /** Mean of the primary model, fixed-point inference. */
  mean: number;
  /** Volatility of the primary model's own output head. */
  modelVol: number;
  garchVol: number;
  ewmaVol: number;
  var95: number;
  var99: number;
  es95: number;
  es99: number;
  var99Gaussian: number;
  halt: boolean;
  haltReason: string | undefined;
  errorAlarm: boolean;
  inputAlarm: boolean;
  /** The error detector's Page–Hinkley statistic after this row (its λ: the refit's `driftLambda`, `driftLambdaOn`). */
  pageHinkley: number;
  /** Not acted on because of the single-round outlier rule: the row was held or rejected (`outlierAction`). */
  outlier: boolean;
  /** 'held': this row's own return was flagged and held back; 'rejected': this row reverted the held one. */
  outlierAction: 'held' | 'rejected' | undefined;
  position: number;
  pnl: number;
};

export type BacktestResult = {
  options: Required<
    Pick<BacktestOptions, 'model' | 'refitEvery' | 'trainWindow' | 'minTrain' | 'seed' | 'targetVol' | 'cap'>
  > & {
    dataset: string;
    frequency: 'daily' | 'monthly';
  };
  rows: BacktestRow[];
  /** Per refit: its date, GARCH fit, fixed-point scale and error, and the drift detector's λ from then on (it moves only with `drift.referenceThreshold`). */
  refits: {
    date: string;
    garch: GarchFit;
    scaleBits: number;
    fixedMaxAbsError: number;
    driftLambda: number;
  }[];
  scaleBits: number;
  /** The model file of the last refit (what would be deployed now). */
  lastModel: ModelFile;
  metrics: BacktestMetrics;
  elapsedMs: number;
};

export type BacktestMetrics = {
  n: number;
  mse: { rw: number; ridge: number; mlp: number };
  oosR2: { ridge: number; mlp: number };
  directionalHitRate: { ridge: number; mlp: number };
  dm: { ridge: DieboldMarianoResult; mlp: DieboldMarianoResult };
  coverage: { fhs95: CoverageResult; fhs99: CoverageResult; gaussian99: CoverageResult };
  drift: {
    errorAlarms: number;
    inputAlarms: number;
    haltedFraction: number;
    breaks: {
      name: string;
      date: string;
      unit: string;
      /** Rows from the break to the first error-drift (Page–Hinkley) alarm at or after it; undefined if none within the horizon. */
      errorDelay: number | undefined;
      /** Rows from the break to the first halt of any kind; 0 when already halted on the break date. */
      delay: number | undefined;
      alreadyHalted: boolean;
      haltOnset: string | undefined;
      /** Why the halt counted in `delay` began. */
      haltReason: string | undefined;
    }[];
    calmYears: number;
    calmFalseAlarms: number;
    falseAlarmsPerDecade: number;
  };
  /** Rows not acted on under the outlier rule (held rows and the rows that reverted them). */
  outliersFlagged: { date: string; value: number }[];
  /** Held rows whose jump the next row confirmed (their errors were fed late, in order). */
  outliersConfirmed: { date: string; value: number }[];
  /** Held rows whose jump the next row reverted (their errors discarded). */
  outliersRejected: { date: string; value: number }[];
  fixedVsFloatMaxAbs: number;
  strategy: { annualisedReturn: number; annualisedVol: number; meanPosition: number };
};

/**
 * Walk-forward backtest with periodic refits and no look-ahead. At row i (close of `dates[i]`) the
 * forecast of y[i] (the return to the next row) uses only rows j < i for fitting — their targets
 * y[j] are realised by then — and row i's own features. Models: random walk (mean 0), ridge, MLP;
 * the primary one runs through fixed-point inference. Volatility: GARCH(1,1) refit with the
 * models, filtered forward each row. VaR/ES by filtered historical simulation (and Gaussian for
 * comparison). Drift: `DriftMonitor` re-armed at each refit; a halted row has position 0; a row
 * whose own return is a single-round outlier keeps the previous position and is held back from the
 * drift monitor and the GARCH filter until the next row confirms or reverts it (`OutlierGate`: the
 * issue's "flagged and not acted on", a correctness fix, not a tuning).
 */
export function runBacktest(options: BacktestOptions = {}): BacktestResult {
  const t0 = performance.now();
  const dataset = options.dataset ?? 'wti-daily';
  const f = options.features ?? datasetFeatures(dataset, options.dataDir ?? DEFAULT_DATA_DIR);
  const daily = f.frequency === 'daily';
  const primary = options.model ?? 'mlp';
  const refitEvery = options.refitEvery ?? (daily ? 21 : 12);
  const trainWindow = options.trainWindow ?? (daily ? 2520 : 240);
  const minTrain = options.minTrain ?? (daily ? 1000 : 120);
  const seed = options.seed ?? 42;
  const epochs = options.epochs ?? { initial: 20, refit: 3 };
  const targetVol = options.targetVol ?? 0.1;
  const cap = options.cap ?? 1;
  const ppy = daily ? 252 : 12;
  const outlierWindow = options.outlierWindow ?? 60;
  let first = Math.max(minTrain, outlierWindow);
  if (options.start) while (first < f.dates.length && f.dates[first]! < options.start) first++;
  let last = f.dates.length - 1;
  while (
    last >= 0 &&
    (Number.isNaN(f.y[last]!) || (options.end !== undefined && f.dates[last]! > options.end))
  )
    last--;

  const monitor = new DriftMonitor(options.drift);
  const rows: BacktestRow[] = [];
  const refits: BacktestResult['refits'] = [];
  const ewma = ewmaVariance(f.y.slice(0, last + 1));
  let ridgeFit: FloatFit | undefined;
  let mlpFit: FloatFit | undefined;
  let model: ModelFile | undefined;
  let scaleBits = 0;
  let garch: GarchFit | undefined;
  let garchVar = 0;
  let tail95: ResidualTail | undefined;
  let tail99: ResidualTail | undefined;
  let position = 0;
  let fixedVsFloat = 0;
  let lastRefitRow = -1;
  const outlierGate = monitor.outlierGate<{
    row: number;
    x: number[];
    error: number | undefined;
    vol: number | undefined;
  }>();
  let status: DriftStatus = QUIET_DRIFT_STATUS;

  for (let i = first; i <= last; i++) {
    if ((i - first) % refitEvery === 0) {
      const from = Math.max(0, i - trainWindow);
      const X = f.X.slice(from, i);
      const y = f.y.slice(from, i);
      if (!options.primaryOnly || primary === 'ridge') ridgeFit = fitFloat(X, y, { kind: 'ridge' });
      if (!options.primaryOnly || primary === 'mlp')
        mlpFit = fitFloat(X, y, {
          kind: 'mlp',
          mlp: { seed, epochs: mlpFit ? epochs.refit : epochs.initial },
          warmStart: mlpFit,
        });
      const fit = (primary === 'mlp' ? mlpFit : ridgeFit)!;
      const check = X.filter((_, k) => k % Math.max(1, Math.floor(X.length / 200)) === 0);
      const exportOptions = {
        name: `${dataset}-${primary}-walkforward`,
        featureNames: f.names,
        check,
        ...(options.fixedTolerance === undefined ? {} : { tolerance: options.fixedTolerance }),
      };
      // Keep the scale while it meets the tolerance; when a refit breaks it, re-pick ('auto'), and fail
      // with FixedPointToleranceError if no scale meets it.
      let exported = exportForecaster(fit, {
        ...exportOptions,
        scaleBits: model ? scaleBits : 'auto',
        requireTolerance: !model,
      });
      if (!exported.withinTolerance)
        exported = exportForecaster(fit, { ...exportOptions, scaleBits: 'auto', requireTolerance: true });
      model = exported.model;
      scaleBits = exported.scaleBits;
      garch = fitGarch(y, garch ? { start: garch } : {});
      const path = garchVarianceWithResiduals(y, garch);
      garchVar = path.next;
      lastRefitRow = i;
      tail95 = residualTail(path.standardized, 0.95);
      tail99 = residualTail(path.standardized, 0.99);
      const errors = y.map((v, k) => v - predictFloat(fit.net, X[k]!)[0]!);
      monitor.setReference(X, errors, path.vols);
      options.driftObserver?.setReference(X, errors, path.vols);
      refits.push({
        date: f.dates[i]!,
        garch,
        scaleBits: exported.scaleBits,
        fixedMaxAbsError: Math.max(...exported.maxAbsError),
        driftLambda: monitor.errorThreshold,
      });
    }
    const x = f.X[i]!;
    const prev = rows.length ? rows[rows.length - 1]! : undefined;
    const prevError = prev ? prev.actual - prev.mean : undefined;
    // The σ the VaR used for that row's return (ex ante): what 'garch' error scaling divides by.
    const prevVol = prev?.garchVol;
    // Single-round outliers (OutlierGate, docs/models.md): the row's own return r[i] decides whether
    // this row's monitor input (features, the error of the forecast of r[i]) and the GARCH update
    // with r[i] are fed now, held back until the next row confirms the jump, or discarded.
    const gate = outlierGate.step(f.r[i]!, f.r.slice(i - outlierWindow, i), {
      row: i,
      x,
      error: prevError,
      vol: prevVol,
    });
    for (const fed of gate.feed) {
      status = monitor.update(fed.x, fed.error, fed.vol);
      options.driftObserver?.update(fed.x, fed.error, fed.vol);
      // r[row] = y[row − 1]; a refit at row R already filtered y up to y[R − 1] = r[R].
      if (fed.row > lastRefitRow) {
        const e = f.y[fed.row - 1]! - garch!.mu;
        garchVar = garch!.omega + garch!.alpha * e * e + garch!.beta * garchVar;
      }
    }
    const outlier = gate.action !== 'act';
    const fixedOut = inferFixedReal(model!, x);
    const fc = toForecast(fixedOut);
    const floatOut = predictFloat((primary === 'mlp' ? mlpFit : ridgeFit)!.net, x);
    fixedVsFloat = Math.max(
      fixedVsFloat,
      Math.abs(floatOut[0]! - fixedOut[0]!),
      Math.abs(floatOut[1]! - fixedOut[1]!),
    );
    const ridgeMean = primary === 'ridge' || !ridgeFit ? fc.mean : predictFloat(ridgeFit.net, x)[0]!;
    const mlpMean = primary === 'mlp' || !mlpFit ? fc.mean : predictFloat(mlpFit.net, x)[0]!;
    const vol = Math.sqrt(garchVar);
    const v95 = fhsFromTail(fc.mean, vol, tail95!);
    const v99 = fhsFromTail(fc.mean, vol, tail99!);
    // A held or rejected row is not acted on: the status is the last one fed and the position is kept.
    if (outlier) {
      // position unchanged
    } else if (status.halt) position = 0;
    else
      position = sizePosition({
        forecastMean: fc.mean,
        forecastVol: vol,
        targetVol,
        cap,
        periodsPerYear: ppy,
      }).size;
    const actual = f.y[i]!;
    rows.push({
      date: f.dates[i]!,
      observed: f.r[i]!,
      actual,
      rw: 0,
      ridge: primary === 'ridge' ? fc.mean : ridgeMean,
      mlp: mlpMean,
      mean: fc.mean,
      modelVol: fc.vol,
      garchVol: vol,
      ewmaVol: Math.sqrt(ewma[i]!),
      var95: v95.var,
      var99: v99.var,
      es95: v95.es,
      es99: v99.es,
      var99Gaussian: gaussianVaR(fc.mean, vol, 0.99).var,
      halt: status.halt,
      haltReason: status.reason,
      errorAlarm: status.errorAlarm,
      inputAlarm: status.inputAlarm,
      pageHinkley: status.pageHinkley,
      outlier,
      outlierAction: gate.action === 'hold' ? 'held' : gate.action === 'reject' ? 'rejected' : undefined,
      position,
      pnl: position * actual,
    });
    // The GARCH filter moves forward with y[i] = r[i + 1] at the next row, through the outlier gate.
  }
  const opts = {
    dataset,
    frequency: f.frequency,
    model: primary,
    refitEvery,
    trainWindow,
    minTrain,
    seed,
    targetVol,
    cap,
  };
  const metrics = computeMetrics(rows, f.frequency, fixedVsFloat);
  return {
    options: opts,
    rows,
    refits,
    scaleBits,
    lastModel: model!,
    metrics,
    elapsedMs: performance.now() - t0,
  };
}

/** The causal GARCH filter over the fit window: σ_t before each y_t (`vols`), the residuals standardised by it, and σ² for the next row. */
function garchVarianceWithResiduals(
  y: number[],
  p: GarchFit,
): { next: number; standardized: number[]; vols: number[] } {
  const m = y.reduce((a, b) => a + b, 0) / y.length;
  let v = y.reduce((a, b) => a + (b - m) ** 2, 0) / y.length;
  const standardized = new Array<number>(y.length);
  const vols = new Array<number>(y.length);
  for (let t = 0; t < y.length; t++) {
    const e = y[t]! - p.mu;
    vols[t] = Math.sqrt(v);
    standardized[t] = e / vols[t]!;
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  return { next: v, standardized, vols };
}

function onsets(flags: boolean[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] && (i === 0 || !flags[i - 1])) out.push(i);
  return out;
}

export function computeMetrics(
  rows: BacktestRow[],
  frequency: 'daily' | 'monthly',
  fixedVsFloat: number,
): BacktestMetrics {
  const n = rows.length;
  const err = (k: 'rw' | 'ridge' | 'mlp') => rows.map((r) => r.actual - r[k]);
  const mse = (e: number[]) => e.reduce((a, v) => a + v * v, 0) / e.length;
  const e = { rw: err('rw'), ridge: err('ridge'), mlp: err('mlp') };
  const m = { rw: mse(e.rw), ridge: mse(e.ridge), mlp: mse(e.mlp) };
  const hit = (k: 'ridge' | 'mlp') => {
    const valid = rows.filter((r) => r.actual !== 0 && r[k] !== 0);
    return valid.filter((r) => Math.sign(r.actual) === Math.sign(r[k])).length / Math.max(1, valid.length);
  };
  const errorOnsets = onsets(rows.map((r) => r.errorAlarm));
  const inputOnsets = onsets(rows.map((r) => r.inputAlarm));
  const haltOnsets = onsets(rows.map((r) => r.halt));
  const horizon = frequency === 'daily' ? 126 : 12;
  const breaks = KNOWN_BREAKS.map((b) => {
    const idx = rows.findIndex((r) => r.date >= b.date);
    const unit = frequency === 'daily' ? 'trading days' : 'months';
    if (idx < 0) {
      return {
        name: b.name,
        date: b.date,
        unit,
        errorDelay: undefined,
        delay: undefined,
        alreadyHalted: false,
        haltOnset: undefined,
        haltReason: undefined,
      };
    }
    const eo = errorOnsets.find((o) => o >= idx);
    const errorDelay = eo !== undefined && eo - idx <= horizon ? eo - idx : undefined;
    const alreadyHalted = rows[idx]!.halt;
    const on = alreadyHalted
      ? [...haltOnsets].reverse().find((o) => o <= idx)
      : haltOnsets.find((o) => o >= idx);
    const delay = alreadyHalted ? 0 : on !== undefined && on - idx <= horizon ? on - idx : undefined;
    const haltOnset = on !== undefined && (alreadyHalted || delay !== undefined) ? rows[on]!.date : undefined;
    const haltReason = haltOnset !== undefined ? rows[on!]!.haltReason : undefined;
    return { name: b.name, date: b.date, unit, errorDelay, delay, alreadyHalted, haltOnset, haltReason };
  });
  let calmDays = 0;
  let calmFalse = 0;
  for (const c of CALM_PERIODS) {
    const inside = rows.map((r, i) => [r, i] as const).filter(([r]) => r.date >= c.from && r.date <= c.to);
    if (!inside.length) continue;
    calmDays +=
      (Date.parse(inside[inside.length - 1]![0].date) - Date.parse(inside[0]![0].date)) / 86_400_000;
    const set = new Set(inside.map(([, i]) => i));
    calmFalse += haltOnsets.filter((o) => set.has(o)).length;
  }
  const calmYears = calmDays / 365.25;
  const ppy = frequency === 'daily' ? 252 : 12;
  const pnl = rows.map((r) => r.pnl);
  const pm = pnl.reduce((a, b) => a + b, 0) / n;
  const psd = Math.sqrt(pnl.reduce((a, b) => a + (b - pm) ** 2, 0) / n);
  return {
    n,
    mse: m,
    oosR2: { ridge: 1 - m.ridge / m.rw, mlp: 1 - m.mlp / m.rw },
    directionalHitRate: { ridge: hit('ridge'), mlp: hit('mlp') },
    dm: { ridge: dieboldMariano(e.ridge, e.rw), mlp: dieboldMariano(e.mlp, e.rw) },
    coverage: {
      fhs95: varCoverage(
        rows.map((r) => -r.actual > r.var95),
        0.95,
      ),
      fhs99: varCoverage(
        rows.map((r) => -r.actual > r.var99),
        0.99,
      ),
      gaussian99: varCoverage(
        rows.map((r) => -r.actual > r.var99Gaussian),
        0.99,
      ),
    },
    drift: {
      errorAlarms: errorOnsets.length,
      inputAlarms: inputOnsets.length,
      haltedFraction: rows.filter((r) => r.halt).length / n,
      breaks,
      calmYears,
      calmFalseAlarms: calmFalse,
      falseAlarmsPerDecade: calmYears > 0 ? (calmFalse / calmYears) * 10 : 0,
    },
    outliersFlagged: rows.filter((r) => r.outlier).map((r) => ({ date: r.date, value: r.observed })),
    outliersConfirmed: rows
      .filter((r, k) => r.outlierAction === 'held' && k + 1 < n && !rows[k + 1]!.outlier)
      .map((r) => ({ date: r.date, value: r.observed })),
    outliersRejected: rows
      .filter((r, k) => r.outlierAction === 'held' && rows[k + 1]?.outlierAction === 'rejected')
      .map((r) => ({ date: r.date, value: r.observed })),
    fixedVsFloatMaxAbs: fixedVsFloat,
    strategy: {
      annualisedReturn: pm * ppy,
      annualisedVol: psd * Math.sqrt(ppy),
      meanPosition: rows.reduce((a, r) => a + r.position, 0) / n,
    },
  };
}
