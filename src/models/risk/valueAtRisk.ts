import { normalPdf, normalQuantile, quantile } from './stats.js';

/**
 * Value-at-Risk and Expected Shortfall of a one-period log return, as positive losses.
 * VaR_a: the loss exceeded with probability 1 − a (a = 0.95 or 0.99); ES_a: the mean loss beyond it.
 */
export type RiskEstimate = { level: number; var: number; es: number };

/** Normal returns with `mean` and `vol`: VaR = −(μ + σ z_{1−a}), ES = −μ + σ φ(z_{1−a})/(1 − a). */
export function gaussianVaR(mean: number, vol: number, level: number): RiskEstimate {
  const z = normalQuantile(1 - level);
  return { level, var: -(mean + vol * z), es: -mean + (vol * normalPdf(z)) / (1 - level) };
}

/**
 * Filtered historical simulation: the quantile of past standardized residuals ε/σ (from the fit
 * window only) scaled by today's σ. Captures fat tails that the normal misses.
 */
export function filteredHistoricalVaR(
  mean: number,
  vol: number,
  standardizedResiduals: number[],
  level: number,
): RiskEstimate {
  return fhsFromTail(mean, vol, residualTail(standardizedResiduals, level));
}

/** The (1 − level) quantile of standardized residuals and the mean beyond it; compute once per fit. */
export type ResidualTail = { level: number; quantile: number; tailMean: number };

export function residualTail(standardizedResiduals: number[], level: number): ResidualTail {
  const q = quantile(standardizedResiduals, 1 - level);
  const tail = standardizedResiduals.filter((z) => z <= q);
  return { level, quantile: q, tailMean: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : q };
}

export function fhsFromTail(mean: number, vol: number, tail: ResidualTail): RiskEstimate {
  return { level: tail.level, var: -(mean + vol * tail.quantile), es: -(mean + vol * tail.tailMean) };
}
