import { type DatasetName, DEFAULT_DATA_DIR, loadDataset, type Series, toAnswer } from '../../data/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { FeatureSet } from './features.js';

/**
 * Oracle-only features: the forecaster's inputs computed from nothing but consecutive answers of one
 * price feed, in integer fixed point, by the exact arithmetic the zk circuit constrains (src/zk/circuit.ts).
 * A proof over these features therefore binds the forecast to the oracle's rounds end to end: the circuit
 * re-derives every feature from the answers it hashes into the feed's on-chain accumulator.
 *
 * From answers a[0..20] (oldest first, every one > 0) at scale s:
 * - returns r[i] = floor((a[i] − a[i−1]) · 2^s / a[i−1]) for i = 1..20 — simple returns, floored toward −∞;
 * - `oret_0`, `oret_1`, `oret_2` = r[20], r[19], r[18] (the last three returns);
 * - `omom_20` = Σ r[i] (20-round momentum);
 * - `oabs_20` = Σ |r[i]| (20-round absolute movement, a volatility proxy).
 * Simple returns and sums keep the circuit to one constrained division per return; the forecaster is
 * trained on these very integers (divided by 2^s), so training and proving see the same numbers.
 */
export const ORACLE_FEATURE_NAMES = ['oret_0', 'oret_1', 'oret_2', 'omom_20', 'oabs_20'] as const;
/** Returns per feature window. */
export const ORACLE_FEATURE_RETURNS = 20;
/** Consecutive answers the features need (one more than the returns). */
export const ORACLE_FEATURE_ANSWERS = ORACLE_FEATURE_RETURNS + 1;

export class OracleFeatureError extends NonRetryableError {
  override name = 'OracleFeatureError';
  constructor(message: string) {
    super(message, {
      details:
        'Oracle features need 21 consecutive answers, each > 0 (a return divides by the previous answer). A window holding a zero or negative price (WTI on 2020-04-20) has no features: the agent does not act on it.',
      docsPath: 'docs/models.md#oracle-features',
    });
  }
}

/** floor(a / b) for b > 0, rounding toward −∞ like the circuit's constrained division. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** The 20 fixed-point simple returns of 21 consecutive answers (oldest first). */
export function oracleReturnsFixed(answers: readonly bigint[], scaleBits: number): bigint[] {
  if (answers.length !== ORACLE_FEATURE_ANSWERS)
    throw new OracleFeatureError(`${answers.length} answers given, expected ${ORACLE_FEATURE_ANSWERS}.`);
  const scale = 1n << BigInt(scaleBits);
  const out: bigint[] = [];
  for (let i = 1; i < answers.length; i++) {
    const previous = answers[i - 1]!;
    if (previous <= 0n)
      throw new OracleFeatureError(`answer ${i - 1} of the window is ${previous}; every answer must be > 0.`);
    out.push(floorDiv((answers[i]! - previous) * scale, previous));
  }
  if (answers.at(-1)! <= 0n)
    throw new OracleFeatureError(`the last answer of the window is ${answers.at(-1)}; it must be > 0.`);
  return out;
}

/** The oracle features (ORACLE_FEATURE_NAMES order) of 21 consecutive answers, fixed point at `scaleBits`. */
export function oracleFeaturesFixed(answers: readonly bigint[], scaleBits: number): bigint[] {
  return oracleFeaturesOfReturns(oracleReturnsFixed(answers, scaleBits));
}

/** The oracle features of the 20 fixed-point returns `oracleReturnsFixed` gives (oldest first). */
export function oracleFeaturesOfReturns(r: readonly bigint[]): bigint[] {
  const n = r.length;
  let momentum = 0n;
  let absolute = 0n;
  for (const v of r) {
    momentum += v;
    absolute += v < 0n ? -v : v;
  }
  return [r[n - 1]!, r[n - 2]!, r[n - 3]!, momentum, absolute];
}

/** `oracleFeaturesFixed` as reals (each integer / 2^scaleBits, exact in float64): what the model is trained on. */
export function oracleFeaturesReal(answers: readonly bigint[], scaleBits: number): number[] {
  const scale = 2 ** scaleBits;
  return oracleFeaturesFixed(answers, scaleBits).map((v) => Number(v) / scale);
}

/**
 * The oracle feature set of a price series, as if each point had been published as one round with
 * `decimals` (the demo's and the reporters' `toAnswer`). Row t uses points t−20..t only (no look-ahead);
 * `y` is the next log return, `r` the row's own log return. Windows with a non-positive price are skipped.
 */
export function buildOracleFeatures(
  series: Series,
  options: { scaleBits: number; decimals?: number },
): FeatureSet {
  const decimals = options.decimals ?? 8;
  const pts = series.points;
  const answers = pts.map((p) => toAnswer(p.value, decimals));
  const out: FeatureSet = { names: [...ORACLE_FEATURE_NAMES], dates: [], X: [], y: [], r: [] };
  for (let t = ORACLE_FEATURE_RETURNS; t < pts.length; t++) {
    const window = answers.slice(t - ORACLE_FEATURE_RETURNS, t + 1);
    if (window.some((a) => a <= 0n)) continue;
    out.dates.push(pts[t]!.date);
    out.X.push(oracleFeaturesReal(window, options.scaleBits));
    const next = pts[t + 1]?.value;
    out.y.push(next !== undefined && next > 0 ? Math.log(next / pts[t]!.value) : Number.NaN);
    out.r.push(Math.log(pts[t]!.value / pts[t - 1]!.value));
  }
  return out;
}

/** `buildOracleFeatures` over a shipped dataset (the agent's forecaster trains on 'wti-daily'). */
export function oracleDatasetFeatures(
  name: DatasetName,
  options: { scaleBits: number; decimals?: number; dataDir?: string },
): FeatureSet & { frequency: 'daily' | 'monthly' } {
  const series = loadDataset(name, options.dataDir ?? DEFAULT_DATA_DIR).series;
  return { ...buildOracleFeatures(series, options), frequency: series.frequency };
}

/** A shipped dataset as the answers a feed with `decimals` would publish, one per point (oldest first). */
export function datasetAnswers(
  name: DatasetName,
  options: { decimals?: number; dataDir?: string } = {},
): { dates: string[]; answers: bigint[] } {
  const points = loadDataset(name, options.dataDir ?? DEFAULT_DATA_DIR).series.points;
  const decimals = options.decimals ?? 8;
  return { dates: points.map((p) => p.date), answers: points.map((p) => toAnswer(p.value, decimals)) };
}
