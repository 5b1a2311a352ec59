import { chiSquareSurvival, normalCdf } from '../risk/stats.js';

export type DieboldMarianoResult = {
  /** Mean loss differential (model − benchmark) of squared errors: > 0 means the model is worse. */
  meanDiff: number;
  statistic: number;
  /** One-sided p-value of "the model is worse than the benchmark". > 0.05: not significantly worse. */
  pWorse: number;
  /** One-sided p-value of "the model is better than the benchmark". */
  pBetter: number;
  lag: number;
  n: number;
};

/**
 * Diebold–Mariano test on squared-error loss, with a Newey–West (Bartlett) long-run variance of
 * lag floor(4 (n/100)^(2/9)) (robust to the autocorrelation of squared errors under volatility
 * clustering) and the Harvey–Leybourne–Newbold small-sample factor for one-step forecasts.
 */
export function dieboldMariano(modelErrors: number[], benchmarkErrors: number[]): DieboldMarianoResult {
  const d: number[] = [];
  for (let i = 0; i < modelErrors.length; i++) {
    const a = modelErrors[i]!;
    const b = benchmarkErrors[i]!;
    if (Number.isFinite(a) && Number.isFinite(b)) d.push(a * a - b * b);
  }
  const n = d.length;
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const lag = Math.floor(4 * (n / 100) ** (2 / 9));
  let lrv = 0;
  for (let k = 0; k <= lag; k++) {
    let g = 0;
    for (let t = k; t < n; t++) g += (d[t]! - mean) * (d[t - k]! - mean);
    g /= n;
    lrv += k === 0 ? g : 2 * (1 - k / (lag + 1)) * g;
  }
  const hln = Math.sqrt((n + 1 - 2) / n);
  const statistic = lrv > 0 ? (mean / Math.sqrt(lrv / n)) * hln : 0;
  return {
    meanDiff: mean,
    statistic,
    pWorse: 1 - normalCdf(statistic),
    pBetter: normalCdf(statistic),
    lag,
    n,
  };
}

export type CoverageResult = {
  level: number;
  n: number;
  exceedances: number;
  expected: number;
  /** Kupiec proportion-of-failures LR (χ²₁) and its p-value. */
  kupiecLR: number;
  kupiecP: number;
  /** Christoffersen independence LR (χ²₁) and p-value. */
  independenceLR: number;
  independenceP: number;
  /** Conditional coverage = POF + independence (χ²₂). */
  conditionalLR: number;
  conditionalP: number;
};

const xlogy = (x: number, y: number) => (x === 0 ? 0 : x * Math.log(y));

/** Kupiec POF and Christoffersen independence / conditional coverage tests of VaR exceedances. */
export function varCoverage(hits: boolean[], level: number): CoverageResult {
  const n = hits.length;
  const x = hits.filter(Boolean).length;
  const p = 1 - level;
  const phat = x / n;
  const kupiecLR = -2 * (xlogy(n - x, 1 - p) + xlogy(x, p) - xlogy(n - x, 1 - phat) - xlogy(x, phat));
  let n00 = 0;
  let n01 = 0;
  let n10 = 0;
  let n11 = 0;
  for (let t = 1; t < n; t++) {
    const a = hits[t - 1]!;
    const b = hits[t]!;
    if (!a && !b) n00++;
    else if (!a && b) n01++;
    else if (a && !b) n10++;
    else n11++;
  }
  const pi0 = n01 / Math.max(1, n00 + n01);
  const pi1 = n11 / Math.max(1, n10 + n11);
  const pi = (n01 + n11) / Math.max(1, n00 + n01 + n10 + n11);
  const l0 = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const l1 = xlogy(n00, 1 - pi0) + xlogy(n01, pi0) + xlogy(n10, 1 - pi1) + xlogy(n11, pi1);
  const independenceLR = Math.max(0, -2 * (l0 - l1));
  const conditionalLR = kupiecLR + independenceLR;
  return {
    level,
    n,
    exceedances: x,
    expected: n * p,
    kupiecLR,
    kupiecP: chiSquareSurvival(kupiecLR, 1),
    independenceLR,
    independenceP: chiSquareSurvival(independenceLR, 1),
    conditionalLR,
    conditionalP: chiSquareSurvival(conditionalLR, 2),
  };
}
