import { alignAsOf, cpiAvailability, type Series, sameDay, yearOnYear } from '../../data/index.js';

export type FeatureOptions = {
  /** Prices of the asset to forecast (validated, positive). */
  target: Series;
  /** Prices of a related asset of the same frequency (WTI↔Brent, gold↔WTI monthly); optional. */
  cross?: Series | undefined;
  /** CPI index (monthly); inflation enters year-on-year with the CPI release lag. */
  cpi?: Series | undefined;
};

export type FeatureSet = {
  names: string[];
  /** Date of each row: features use information available at the close of that date. */
  dates: string[];
  /** Row-major features. */
  X: number[][];
  /** Next-period log return ln(p_{t+1}/p_t); NaN on the last row (no future yet). */
  y: number[];
  /** Return realised on the row's own date, ln(p_t/p_{t-1}) (for drift and outlier checks). */
  r: number[];
};

/** Windows (in periods) for each frequency: short momentum/vol window and long momentum window. */
export function windowsFor(frequency: 'daily' | 'monthly'): { short: number; long: number } {
  return frequency === 'daily' ? { short: 20, long: 60 } : { short: 3, long: 12 };
}

export const FEATURE_NAMES = [
  'ret_0',
  'ret_1',
  'ret_2',
  'mom_short',
  'mom_long',
  'rvol_short',
  'infl_yoy',
  'xratio_dev',
];

/**
 * Builds features with no look-ahead: row t uses only prices up to t, the cross asset as of t,
 * and CPI as of its release (see `cpiAvailability`). Features:
 * - ret_0..ret_2: the last three log returns;
 * - mom_short / mom_long: sum of log returns over the short / long window;
 * - rvol_short: root mean square of returns over the short window;
 * - infl_yoy: CPI year-on-year log change, last released value (0 before any release);
 * - xratio_dev: ln(target/cross) minus its mean over the long window (0 where the cross is missing).
 * The first `long + 1` rows are skipped (windows not full).
 */
export function buildFeatures(options: FeatureOptions): FeatureSet {
  const pts = options.target.points;
  const { short, long } = windowsFor(options.target.frequency);
  const dates = pts.map((p) => p.date);
  const n = pts.length;
  const ret = new Float64Array(n);
  for (let i = 1; i < n; i++) ret[i] = Math.log(pts[i]!.value / pts[i - 1]!.value);
  const infl = options.cpi ? alignAsOf(dates, yearOnYear(options.cpi), cpiAvailability) : [];
  const cross = options.cross ? alignAsOf(dates, options.cross, sameDay) : [];
  const lr = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const c = cross[i];
    if (c !== undefined && c > 0) lr[i] = Math.log(pts[i]!.value / c);
  }
  const out: FeatureSet = { names: [...FEATURE_NAMES], dates: [], X: [], y: [], r: [] };
  for (let t = long + 1; t < n; t++) {
    let ms = 0;
    let ml = 0;
    let ss = 0;
    for (let k = 0; k < long; k++) {
      const v = ret[t - k]!;
      ml += v;
      if (k < short) {
        ms += v;
        ss += v * v;
      }
    }
    let xr = 0;
    if (!Number.isNaN(lr[t]!)) {
      let s = 0;
      let c = 0;
      for (let k = 0; k < long; k++) {
        const v = lr[t - k]!;
        if (!Number.isNaN(v)) {
          s += v;
          c++;
        }
      }
      xr = lr[t]! - s / c;
    }
    out.dates.push(dates[t]!);
    out.X.push([ret[t]!, ret[t - 1]!, ret[t - 2]!, ms, ml, Math.sqrt(ss / short), infl[t] ?? 0, xr]);
    out.y.push(t + 1 < n ? ret[t + 1]! : Number.NaN);
    out.r.push(ret[t]!);
  }
  return out;
}
