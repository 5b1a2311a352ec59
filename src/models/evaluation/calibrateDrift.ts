import {
  DEFAULT_CONFIRM,
  DEFAULT_ERROR_SCALE,
  DEFAULT_PAGE_HINKLEY,
  DriftMonitor,
  type DriftMonitorOptions,
} from '../drift/index.js';
import { buildFeatures, type FeatureSet, type ForecasterKind } from '../forecast/index.js';
import { fitGarch, type GarchParams, simulateGarch } from '../risk/index.js';
import { type BacktestOptions, runBacktest } from './runBacktest.js';

/**
 * Stationary null model for calibrating the error-drift threshold: GARCH(1,1) with unit-variance
 * Student-t innovations. Fitted only on data that precedes every evaluation period.
 */
export type DriftNullModel = {
  garch: GarchParams & { persistence: number };
  /** Degrees of freedom of the innovations (fixed in advance, not estimated). */
  studentT: number;
  /** Variance the simulated paths start from: the sample variance of the fit window. */
  initVariance: number;
  fittedOn: { from: string; to: string; rows: number };
};

/**
 * Fits the null model on the targets of the first `firstFitRows` rows of a real feature set: the
 * walk-forward's first fit window (runBacktest's daily `minTrain`, 1000 rows, is the default), so
 * no row the backtest evaluates is used. GARCH by Gaussian QMLE (`fitGarch`), t degrees of freedom
 * fixed in advance (default 5).
 */
export function fitDriftNullModel(
  features: FeatureSet,
  options: { firstFitRows?: number; studentT?: number } = {},
): DriftNullModel {
  const rows = options.firstFitRows ?? 1000;
  if (!(Number.isInteger(rows) && rows >= 100 && rows <= features.y.length))
    throw new RangeError(
      `firstFitRows must be an integer between 100 and the ${features.y.length} rows given, got ${rows}; use the backtest's minTrain (1000 for daily data)`,
    );
  const y = features.y.slice(0, rows);
  const mean = y.reduce((a, b) => a + b, 0) / rows;
  const initVariance = y.reduce((a, b) => a + (b - mean) ** 2, 0) / rows;
  const g = fitGarch(y);
  return {
    garch: { omega: g.omega, alpha: g.alpha, beta: g.beta, mu: g.mu, persistence: g.persistence },
    studentT: options.studentT ?? 5,
    initVariance,
    fittedOn: { from: features.dates[0]!, to: features.dates[rows - 1]!, rows },
  };
}

/** Weekday dates from 2200-01-01 on: synthetic rows never coincide with a real break or calm period. */
function syntheticDates(n: number): string[] {
  const out: string[] = [];
  let t = Date.UTC(2200, 0, 1);
  while (out.length < n) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
    t += 86_400_000;
  }
  return out;
}

/**
 * A synthetic daily price path from simulated log returns, turned into the backtest's features by
 * the same `buildFeatures` (no cross asset and no CPI: `infl_yoy` and `xratio_dev` are constant 0).
 */
export function syntheticFeatures(returns: number[]): FeatureSet & { frequency: 'daily' } {
  const dates = syntheticDates(returns.length + 1);
  let price = 100;
  const points = [{ date: dates[0]!, value: price }];
  returns.forEach((r, k) => {
    price *= Math.exp(r);
    points.push({ date: dates[k + 1]!, value: price });
  });
  return {
    ...buildFeatures({ target: { name: 'simulated', frequency: 'daily', points } }),
    frequency: 'daily',
  };
}

export type DriftCalibrationOptions = {
  nullModel: DriftNullModel;
  /** The forecaster whose errors the monitor watches (the backtest's primary model). */
  model: ForecasterKind;
  /** Page–Hinkley thresholds to evaluate (δ from `drift.pageHinkley`, default 0.25). */
  lambdas: number[];
  /** Number of simulated paths (seeds seed, seed + 1, …). */
  paths: number;
  /** Monitored (out-of-sample) rows per path; 2520 = ten years of trading days. */
  monitoredRows: number;
  seed: number;
  /** False alarms (halt onsets) per decade (2520 monitored rows) allowed under the null. */
  budgetPerDecade: number;
  /** Base DriftMonitor options (everything but λ), as in the backtest. Default: the defaults. */
  drift?: DriftMonitorOptions;
  /** Walk-forward settings; defaults are runBacktest's daily defaults. */
  backtest?: Pick<BacktestOptions, 'minTrain' | 'trainWindow' | 'refitEvery' | 'epochs' | 'seed'>;
  /** Progress callback after each path. */
  onPath?: (path: number, haltOnsets: number[]) => void;
};

export type DriftCalibrationRow = {
  lambda: number;
  /** Halt onsets (error alarm or input alarm) over all paths. */
  haltOnsets: number;
  /** Error-drift (Page–Hinkley) alarm onsets over all paths. */
  errorOnsets: number;
  haltsPerDecade: number;
  errorAlarmsPerDecade: number;
  /** Largest number of halt onsets on a single path (how uneven the alarms are). */
  maxPerPath: number;
};

export type DriftCalibration = {
  rows: DriftCalibrationRow[];
  /** Smallest λ whose halt rate is within the budget; undefined if none on the grid is. */
  chosen: number | undefined;
  /** Input-drift (PSI) alarm onsets over all paths: independent of λ. */
  inputOnsets: number;
  monitoredRows: number;
  decades: number;
  elapsedMs: number;
};

function onsets(flags: boolean[]): number {
  let n = 0;
  for (let i = 0; i < flags.length; i++) if (flags[i] && (i === 0 || !flags[i - 1])) n++;
  return n;
}

/**
 * Calibrates the Page–Hinkley threshold λ of the error-drift detector on simulated stationary data:
 * for each path, simulates GARCH(1,1)-t returns, builds the features, runs the real walk-forward
 * (`runBacktest`: same forecaster, same refits, same error scaling; only the primary model is fitted)
 * and feeds one extra monitor per λ the exact calls the backtest's monitor receives. A row is halted
 * under λ when that monitor's error alarm is latched or the backtest's input (PSI) alarm holds (the
 * input alarm does not depend on λ). Counts halt onsets per decade and picks the smallest λ within
 * the budget. Deterministic given the seeds.
 */
export function calibrateDriftThreshold(options: DriftCalibrationOptions): DriftCalibration {
  const t0 = performance.now();
  const lambdas = [...options.lambdas].sort((a, b) => a - b);
  if (!lambdas.length || lambdas.some((l) => !(l > 0)))
    throw new RangeError(`lambdas must be a non-empty list of positive thresholds, got [${options.lambdas}]`);
  const delta = options.drift?.pageHinkley?.delta ?? DEFAULT_PAGE_HINKLEY.delta;
  const counts = shadowCounts(
    options,
    lambdas.map((lambda) => ({ pageHinkley: { delta, lambda } })),
  );
  const { halts, maxPerPath, inputOnsets, monitored } = counts;
  const errs = counts.errors;
  const decades = monitored / 2520;
  const rows = lambdas.map((lambda, k) => ({
    lambda,
    haltOnsets: halts[k]!,
    errorOnsets: errs[k]!,
    haltsPerDecade: halts[k]! / decades,
    errorAlarmsPerDecade: errs[k]! / decades,
    maxPerPath: maxPerPath[k]!,
  }));
  return {
    rows,
    chosen: rows.find((row) => row.haltsPerDecade <= options.budgetPerDecade)?.lambda,
    inputOnsets,
    monitoredRows: monitored,
    decades,
    elapsedMs: performance.now() - t0,
  };
}

export type NullHaltRate = {
  config: DriftMonitorOptions;
  haltsPerDecade: number;
  errorAlarmsPerDecade: number;
  maxPerPath: number;
};

/**
 * Halt onsets per decade of each monitor config on the simulated null, through the same pipeline as
 * `calibrateDriftThreshold` (e.g. λ set from each reference, rationale 11, next to a fixed λ).
 */
export function nullHaltRates(
  options: Omit<DriftCalibrationOptions, 'lambdas' | 'budgetPerDecade'>,
  configs: DriftMonitorOptions[],
): { rows: NullHaltRate[]; inputAlarmsPerDecade: number; decades: number } {
  const c = shadowCounts(options, configs);
  const decades = c.monitored / 2520;
  return {
    rows: configs.map((config, k) => ({
      config,
      haltsPerDecade: c.halts[k]! / decades,
      errorAlarmsPerDecade: c.errors[k]! / decades,
      maxPerPath: c.maxPerPath[k]!,
    })),
    inputAlarmsPerDecade: c.inputOnsets / decades,
    decades,
  };
}

type ShadowCounts = {
  halts: number[];
  errors: number[];
  maxPerPath: number[];
  inputOnsets: number;
  monitored: number;
};

/**
 * Runs the walk-forward on each simulated null path and feeds one extra monitor per config the exact
 * calls the backtest's monitor receives; counts, per config, halt onsets (its error alarm or the
 * backtest's input alarm), error-alarm onsets and the most halts on one path.
 */
function shadowCounts(
  options: Omit<DriftCalibrationOptions, 'lambdas' | 'budgetPerDecade'>,
  configs: DriftMonitorOptions[],
): ShadowCounts {
  const bt = options.backtest ?? {};
  const minTrain = bt.minTrain ?? 1000;
  const nm = options.nullModel;
  const out: ShadowCounts = {
    halts: configs.map(() => 0),
    errors: configs.map(() => 0),
    maxPerPath: configs.map(() => 0),
    inputOnsets: 0,
    monitored: 0,
  };
  for (let p = 0; p < options.paths; p++) {
    const n = minTrain + options.monitoredRows + 61;
    const returns = simulateGarch(nm.garch, n, options.seed + p, {
      studentT: nm.studentT,
      initVariance: nm.initVariance,
    });
    const features = syntheticFeatures(returns);
    // Each shadow runs one fixed λ of the grid: with the trailing scale, λ from the reference
    // (rationale 11) would override it, so it is off in the shadows unless a config turns it on.
    const fixedLambda =
      (options.drift?.errorScale ?? DEFAULT_ERROR_SCALE) === 'trailing'
        ? { referenceThreshold: false as const }
        : {};
    const shadows = configs.map(
      (c) => new DriftMonitor({ ...options.drift, ...fixedLambda, ...c, psiFeatures: [] }),
    );
    const errorFlags: boolean[][] = configs.map(() => []);
    const r = runBacktest({
      features,
      dataset: 'wti-daily',
      model: options.model,
      primaryOnly: true,
      ...(options.drift ? { drift: options.drift } : {}),
      ...bt,
      driftObserver: {
        setReference: (X, e, v) => {
          for (const s of shadows) s.setReference(X, e, v);
        },
        update: (x, e, v) => {
          shadows.forEach((s, k) => {
            errorFlags[k]!.push(s.update(x, e, v).errorAlarm);
          });
        },
      },
    });
    const input = r.rows.map((row) => row.inputAlarm);
    out.inputOnsets += onsets(input);
    out.monitored += r.rows.length;
    const perPath = configs.map((_, k) => onsets(errorFlags[k]!.map((f, i) => f || input[i]!)));
    configs.forEach((_, k) => {
      out.halts[k]! += perPath[k]!;
      out.errors[k]! += onsets(errorFlags[k]!);
      out.maxPerPath[k] = Math.max(out.maxPerPath[k]!, perPath[k]!);
    });
    options.onPath?.(p, perPath);
  }
  return out;
}

export type DriftPairCalibrationOptions = Omit<DriftCalibrationOptions, 'budgetPerDecade'> & {
  /**
   * What the second detector is (default 'cusum'): 'cusum', the standalone signed CUSUM of
   * `meanShift` (rationale 9); 'confirm', the confirmation rule of `confirm` (rationale 10: the
   * trailing-scale Page–Hinkley AND the signed CUSUM within `confirmWindow` rows), whose CUSUM h is
   * then the one calibrated.
   */
  second?: 'cusum' | 'confirm';
  /** 'confirm' only: leg T's Page–Hinkley and the window, fixed in advance (default `DEFAULT_CONFIRM`'s). */
  confirm?: { trailing: { delta: number; lambda: number }; window: number };
  /** CUSUM thresholds h to evaluate (the signed CUSUM of `meanShift` or of `confirm`). */
  cusumH: number[];
  /** CUSUM reference value k and clip, fixed in advance (default k 0.25, clip 3). */
  cusum?: { k: number; clip: number };
  /** λ values for which the combined (Page–Hinkley OR CUSUM) rate is computed for every h (default: all of `lambdas`). */
  pairLambdas?: number[];
  /** Budget of each detector alone (default 0.5 per decade: half of a 1/decade budget each). */
  budgetEachPerDecade?: number;
  /** Budget of the combined detector (default 1 per decade). */
  budgetPerDecade?: number;
};

export type DriftPairCalibration = {
  /** Page–Hinkley alone (CUSUM off), per λ. */
  pageHinkley: DriftCalibrationRow[];
  /** The second detector alone (Page–Hinkley on |z| off), per h: the CUSUM, or the confirmed pair with `second: 'confirm'`. */
  cusum: (Omit<DriftCalibrationRow, 'lambda'> & { h: number })[];
  /** Both detectors OR-ed (as the monitor runs them, latch and re-arm shared), per (λ, h). */
  combined: (Omit<DriftCalibrationRow, 'lambda'> & { lambda: number; h: number })[];
  /** Split rule: smallest λ with PH-alone ≤ budgetEach, smallest h with CUSUM-alone ≤ budgetEach. */
  chosen: { lambda: number | undefined; h: number | undefined };
  inputOnsets: number;
  monitoredRows: number;
  decades: number;
  elapsedMs: number;
};

/**
 * Calibrates the pair (Page–Hinkley λ, signed-CUSUM h) of `errorScale: 'garch'` with `meanShift` on
 * the simulated null, with the budget split in advance between the two detectors (rationale 9):
 * λ = the smallest on the grid whose Page–Hinkley-only halt rate is ≤ `budgetEachPerDecade`, h the
 * smallest whose CUSUM-only halt rate is. The combined rate of every (λ in `pairLambdas`, h) is
 * also measured, with the two detectors sharing the latch as in the monitor. With `second: 'confirm'`
 * the second detector is the confirmation rule of rationale 10 (trailing-scale Page–Hinkley AND
 * signed CUSUM within a window; its leg T fixed, h calibrated) and `cusum` holds its rates.
 */
export function calibrateDriftPair(options: DriftPairCalibrationOptions): DriftPairCalibration {
  const t0 = performance.now();
  const lambdas = [...options.lambdas].sort((a, b) => a - b);
  const hs = [...options.cusumH].sort((a, b) => a - b);
  if (!lambdas.length || lambdas.some((l) => !(l > 0)) || !hs.length || hs.some((h) => !(h > 0)))
    throw new RangeError(
      `lambdas and cusumH must be non-empty lists of positive thresholds, got [${options.lambdas}] and [${options.cusumH}]`,
    );
  const delta = options.drift?.pageHinkley?.delta ?? DEFAULT_PAGE_HINKLEY.delta;
  const cu = options.cusum ?? { k: 0.25, clip: 3 };
  const pairLambdas = [...(options.pairLambdas ?? lambdas)].sort((a, b) => a - b);
  const each = options.budgetEachPerDecade ?? 0.5;
  const cf = options.confirm ?? { trailing: { ...DEFAULT_CONFIRM.trailing }, window: DEFAULT_CONFIRM.window };
  const second = (h: number): DriftMonitorOptions =>
    options.second === 'confirm'
      ? {
          meanShift: false,
          confirm: { trailing: { ...cf.trailing }, window: cf.window, cusum: { ...cu, h } },
        }
      : { meanShift: { ...cu, h }, confirm: false };
  const configs: DriftMonitorOptions[] = [
    ...lambdas.map((lambda) => ({
      errorScale: 'garch' as const,
      meanShift: false as const,
      confirm: false as const,
      pageHinkley: { delta, lambda },
    })),
    ...hs.map((h) => ({
      errorScale: 'garch' as const,
      ...second(h),
      pageHinkley: { delta, lambda: Number.POSITIVE_INFINITY },
    })),
    ...pairLambdas.flatMap((lambda) =>
      hs.map((h) => ({
        errorScale: 'garch' as const,
        ...second(h),
        pageHinkley: { delta, lambda },
      })),
    ),
  ];
  const c = shadowCounts(options, configs);
  const decades = c.monitored / 2520;
  const row = (k: number) => ({
    haltOnsets: c.halts[k]!,
    errorOnsets: c.errors[k]!,
    haltsPerDecade: c.halts[k]! / decades,
    errorAlarmsPerDecade: c.errors[k]! / decades,
    maxPerPath: c.maxPerPath[k]!,
  });
  const pageHinkley = lambdas.map((lambda, k) => ({ lambda, ...row(k) }));
  const cusum = hs.map((h, k) => ({ h, ...row(lambdas.length + k) }));
  const combined = pairLambdas.flatMap((lambda, a) =>
    hs.map((h, b) => ({ lambda, h, ...row(lambdas.length + hs.length + a * hs.length + b) })),
  );
  return {
    pageHinkley,
    cusum,
    combined,
    chosen: {
      lambda: pageHinkley.find((r) => r.haltsPerDecade <= each)?.lambda,
      h: cusum.find((r) => r.haltsPerDecade <= each)?.h,
    },
    inputOnsets: c.inputOnsets,
    monitoredRows: c.monitored,
    decades,
    elapsedMs: performance.now() - t0,
  };
}
