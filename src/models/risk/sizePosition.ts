import { NonRetryableError } from '../../errors/index.js';

export type SizePositionParameters = {
  /** Forecast next-period log return. */
  forecastMean: number;
  /** Forecast next-period volatility (standard deviation of the log return, per period). */
  forecastVol: number;
  /** Target annualised volatility of the position, e.g. 0.10. */
  targetVol: number;
  /** Largest allowed exposure as a multiple of capital, e.g. 1 (never above the guard's cap). */
  cap: number;
  /** Periods per year to annualise `forecastVol`: 252 daily (default), 12 monthly. */
  periodsPerYear?: number;
  /**
   * 'long-only' (default): the synthetic is minted only when the forecast mean is > 0, else size 0.
   * 'always-long': size by volatility alone, ignoring the mean's sign.
   */
  mode?: 'long-only' | 'always-long';
  /** Volatility below this is treated as this (avoids huge sizes on a quiet day). Default 1e-4 per period. */
  minVol?: number;
};

export type SizePositionReturnType = {
  /** Exposure as a multiple of capital, in [0, cap]. */
  size: number;
  annualisedVol: number;
  capped: boolean;
  reason: string;
};

/**
 * Volatility targeting with a cap: size = min(cap, targetVol / (forecastVol·√periodsPerYear)).
 * The agent mints `size × capital` of the synthetic. Throws on non-finite or negative inputs.
 */
export function sizePosition(p: SizePositionParameters): SizePositionReturnType {
  const ppy = p.periodsPerYear ?? 252;
  for (const [k, v] of Object.entries({
    forecastMean: p.forecastMean,
    forecastVol: p.forecastVol,
    targetVol: p.targetVol,
    cap: p.cap,
  })) {
    if (!Number.isFinite(v) || (k !== 'forecastMean' && v < 0)) {
      throw new NonRetryableError(
        `sizePosition: ${k} is ${v}; expected a finite${k === 'forecastMean' ? '' : ', non-negative'} number`,
      );
    }
  }
  const vol = Math.max(p.forecastVol, p.minVol ?? 1e-4);
  const annualisedVol = vol * Math.sqrt(ppy);
  if ((p.mode ?? 'long-only') === 'long-only' && p.forecastMean <= 0) {
    return {
      size: 0,
      annualisedVol,
      capped: false,
      reason: `forecast mean ${p.forecastMean.toExponential(3)} ≤ 0: no long position`,
    };
  }
  const raw = p.targetVol / annualisedVol;
  const capped = raw > p.cap;
  const size = capped ? p.cap : raw;
  return {
    size,
    annualisedVol,
    capped,
    reason: capped
      ? `target ${p.targetVol} / vol ${annualisedVol.toFixed(4)} = ${raw.toFixed(3)} capped at ${p.cap}`
      : `target ${p.targetVol} / vol ${annualisedVol.toFixed(4)} = ${raw.toFixed(3)}`,
  };
}
