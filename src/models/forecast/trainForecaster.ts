import { NonRetryableError } from '../../errors/index.js';
import { MODEL_FILE_FORMAT, type ModelFile, validateModelFile } from '../modelFile.js';
import { inferFixedReal, quantizeNet } from './fixedPoint.js';
import { type FloatNet, foldAffine, predictFloat } from './floatNet.js';
import { DEFAULT_MLP, type MlpOptions, trainMlp } from './mlp.js';
import { fitRidge } from './ridge.js';
import { fitStandardizer, standardize } from './standardize.js';

export type ForecasterKind = 'ridge' | 'mlp';

/** Model outputs: the next log return's mean, and its expected absolute value (a volatility proxy). */
export const FORECAST_OUTPUTS = ['mean', 'absReturn'];

/** E|r| = σ·√(2/π) for a normal r, so σ = E|r|·√(π/2). Floor keeps σ positive. */
export const ABS_TO_VOL = Math.sqrt(Math.PI / 2);
export const VOL_FLOOR = 1e-4;

/** Turns model outputs into a forecast `{ mean, vol }` of the next log return. */
export function toForecast(outputs: number[]): { mean: number; vol: number } {
  return { mean: outputs[0]!, vol: Math.max(outputs[1]!, VOL_FLOOR) * ABS_TO_VOL };
}

export type FitOptions = {
  kind: ForecasterKind;
  /** Ridge penalty λ on standardized features (objective: MSE + λ‖w‖²). Default 1, fixed a priori. */
  ridgeLambda?: number | undefined;
  mlp?: Partial<MlpOptions> | undefined;
  /** Previous fit to warm-start an MLP refit from (in standardized space). */
  warmStart?: FloatFit | undefined;
};

/** A float fit: the net in standardized space plus the affine maps, and the folded raw-feature net. */
export type FloatFit = {
  kind: ForecasterKind;
  inner: FloatNet;
  mean: number[];
  std: number[];
  outScale: number[];
  /** Raw features → raw outputs [mean, absReturn]. */
  net: FloatNet;
};

/** Fits the float model on rows X (features) with next-period returns y. Deterministic given the seed. */
export function fitFloat(X: number[][], y: number[], options: FitOptions): FloatFit {
  const st = fitStandardizer(X);
  const Z = X.map((x) => standardize(st, x));
  const abs = y.map(Math.abs);
  const sd = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) || 1;
  };
  const outScale = [sd(y), sd(abs)];
  let inner: FloatNet;
  if (options.kind === 'ridge') {
    const lambda = options.ridgeLambda ?? 1;
    const r1 = fitRidge(
      Z,
      y.map((v) => v / outScale[0]!),
      lambda,
    );
    const r2 = fitRidge(
      Z,
      abs.map((v) => v / outScale[1]!),
      lambda,
    );
    inner = [{ W: [r1.w, r2.w], b: [r1.b, r2.b], activation: 'linear' }];
  } else {
    const T = y.map((v, i) => [v / outScale[0]!, abs[i]! / outScale[1]!]);
    const opts: MlpOptions = { ...DEFAULT_MLP, ...options.mlp };
    const init = options.warmStart?.kind === 'mlp' ? options.warmStart.inner : undefined;
    inner = trainMlp(Z, T, { ...opts, init });
  }
  return {
    kind: options.kind,
    inner,
    mean: st.mean,
    std: st.std,
    outScale,
    net: foldAffine(inner, st.mean, st.std, outScale),
  };
}

export type ExportOptions = {
  name: string;
  version?: string;
  featureNames: string[];
  /** Fixed `scaleBits`, or 'auto': the smallest in [8, 30] whose max |fixed − float| on `check` rows ≤ tolerance. */
  scaleBits?: number | 'auto';
  /** Agreement tolerance on each output, in log-return units. Default 1e-5 (0.1 basis point). */
  tolerance?: number;
  /** Rows (raw features) on which agreement is measured, e.g. the training rows. */
  check: number[][];
  /** Throw `FixedPointToleranceError` instead of returning a result with `withinTolerance: false`. */
  requireTolerance?: boolean;
  metadata?: Record<string, unknown>;
};

export type ExportResult = {
  model: ModelFile;
  scaleBits: number;
  maxAbsError: number[];
  /** Whether every output's max |fixed − float| on the check rows is ≤ `tolerance` (false: the last scale tried is returned). */
  withinTolerance: boolean;
  tolerance: number;
};

/** No `scaleBits` candidate met the fixed-point agreement tolerance (thrown when `requireTolerance` is set). */
export class FixedPointToleranceError extends NonRetryableError {
  override name = 'FixedPointToleranceError';
  readonly maxAbsError: number[];
  constructor(name: string, scaleBits: number[], maxAbsError: number[], tolerance: number) {
    super(
      `Fixed-point export of ${name}: max |fixed − float| ${maxAbsError.map((e) => e.toExponential(3)).join(' / ')} exceeds the tolerance ${tolerance} at scaleBits ${scaleBits.join(', ')}`,
      {
        details:
          'No scale tried gives fixed-point outputs within the tolerance of the float model (weights or inputs too large for 2^53 at finer scales). Loosen the tolerance, standardise the inputs, or regularise the fit.',
        docsPath: 'docs/models.md',
      },
    );
    this.maxAbsError = maxAbsError;
  }
}

function measure(model: ModelFile, net: FloatNet, rows: number[][]): number[] {
  const err = [0, 0];
  for (const x of rows) {
    const f = predictFloat(net, x);
    const q = inferFixedReal(model, x);
    for (let k = 0; k < f.length; k++) err[k] = Math.max(err[k]!, Math.abs(f[k]! - q[k]!));
  }
  return err;
}

/** Exports a float fit to the shared model file format (kind 'forecaster'), choosing `scaleBits` from measured error. */
export function exportForecaster(fit: FloatFit, options: ExportOptions): ExportResult {
  const tolerance = options.tolerance ?? 1e-5;
  const make = (s: number): ModelFile => ({
    format: MODEL_FILE_FORMAT,
    kind: 'forecaster',
    name: options.name,
    version: options.version ?? '1',
    scaleBits: s,
    inputs: options.featureNames,
    outputs: FORECAST_OUTPUTS,
    layers: quantizeNet(fit.net, s),
    metadata: {
      architecture:
        fit.kind === 'mlp'
          ? `${fit.net[0]!.W[0]!.length}-${fit.net[0]!.b.length}relu-2linear`
          : `${fit.net[0]!.W[0]!.length}-2linear`,
      rounding: 'y = floor((W·x + b·2^s) / 2^s) per dense layer; inputs quantized round-half-away-from-zero',
      outputMeaning:
        'mean: next log return; absReturn: E|next log return|, vol = max(absReturn, 1e-4)·sqrt(pi/2)',
      featureMean: fit.mean.map((v) => Number(v.toPrecision(12))),
      featureStd: fit.std.map((v) => Number(v.toPrecision(12))),
      agreementTolerance: tolerance,
      ...options.metadata,
    },
  });
  const rows =
    options.check.length > 2000
      ? options.check.filter((_, i) => i % Math.ceil(options.check.length / 2000) === 0)
      : options.check;
  const candidates =
    options.scaleBits === undefined || options.scaleBits === 'auto'
      ? [8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30]
      : [options.scaleBits];
  let last: ExportResult | undefined;
  const tried: number[] = [];
  for (const s of candidates) {
    const model = make(s);
    let err: number[];
    try {
      err = measure(model, fit.net, rows);
    } catch {
      break; // overflow: larger s only makes it worse
    }
    tried.push(s);
    const withinTolerance = err.every((e) => e <= tolerance);
    last = { model, scaleBits: s, maxAbsError: err, withinTolerance, tolerance };
    if (withinTolerance) break;
  }
  if (!last) throw new Error('exportForecaster: no scaleBits gave an exact integer evaluation');
  if (!last.withinTolerance && options.requireTolerance)
    throw new FixedPointToleranceError(options.name, tried, last.maxAbsError, tolerance);
  last.model.metadata.measuredMaxAbsError = last.maxAbsError.map((e) => Number(e.toPrecision(6)));
  validateModelFile(last.model);
  return last;
}

export type TrainForecasterOptions = {
  /** Features and next-period returns; rows with NaN targets are ignored. */
  features: { names: string[]; dates: string[]; X: number[][]; y: number[] };
  kind?: ForecasterKind;
  /** Use rows dated ≤ this date (YYYY-MM-DD). Default: all rows with a known next return. */
  trainEnd?: string;
  /** Use at most the last `window` rows before `trainEnd`. Default: all. */
  window?: number;
  seed?: number;
  name?: string;
  version?: string;
  scaleBits?: number | 'auto';
  tolerance?: number;
  mlp?: Partial<MlpOptions>;
  ridgeLambda?: number;
  metadata?: Record<string, unknown>;
};

/**
 * Trains the forecaster in float (fixed seed) and exports it to a fixed-point model file of kind
 * 'forecaster' — the model the agent runs and a circuit proves. Returns the model, the float fit,
 * the chosen `scaleBits` and the measured float/fixed disagreement on the training rows.
 */
export function trainForecaster(
  options: TrainForecasterOptions,
): ExportResult & { fit: FloatFit; trainRows: { from: string; to: string; count: number } } {
  const f = options.features;
  const kind = options.kind ?? 'mlp';
  const seed = options.seed ?? 42;
  let end = f.y.length;
  while (
    end > 0 &&
    (Number.isNaN(f.y[end - 1]!) || (options.trainEnd !== undefined && f.dates[end - 1]! > options.trainEnd))
  )
    end--;
  const start = options.window === undefined ? 0 : Math.max(0, end - options.window);
  if (end - start < 50)
    throw new Error(
      `trainForecaster: only ${end - start} training rows before ${options.trainEnd}; need at least 50`,
    );
  const X = f.X.slice(start, end);
  const y = f.y.slice(start, end);
  const fit = fitFloat(X, y, { kind, ridgeLambda: options.ridgeLambda, mlp: { ...options.mlp, seed } });
  const trainRows = { from: f.dates[start]!, to: f.dates[end - 1]!, count: end - start };
  const result = exportForecaster(fit, {
    name: options.name ?? `forecaster-${kind}`,
    version: options.version ?? '1',
    featureNames: f.names,
    scaleBits: options.scaleBits ?? 'auto',
    tolerance: options.tolerance ?? 1e-5,
    check: X,
    metadata: {
      kind,
      seed,
      trainRows,
      ridgeLambda: kind === 'ridge' ? (options.ridgeLambda ?? 1) : undefined,
      mlp: kind === 'mlp' ? { ...DEFAULT_MLP, ...options.mlp, seed } : undefined,
      ...options.metadata,
    },
  });
  return { ...result, fit, trainRows };
}
