import { OutlierGate, SortedWindow } from './outlier.js';
import { PageHinkley } from './sequential.js';

/**
 * How the trailing-scale Page–Hinkley threshold λ is set from the reference a (re)fit hands the
 * monitor (rationale 11 in driftMonitor.ts): the smallest λ ≥ `floor` at which the detector, replayed
 * over the reference's own forecast errors, starts at most `alarmsPerDecade` halts per `rowsPerDecade`
 * rows. The replay runs the live detector's arithmetic (scale, burn-in, reference mean, outlier gate,
 * restart at re-arm) with one simplification: every alarm is latched for `rearmRows` rows, where live
 * the walk-forward re-arms at its next refit (1–21 rows later) and the agent only when a person
 * resumes it; a longer latch hides more re-alarms, so it counts fewer onsets than an 11-row average
 * would and picks a lower λ. The threshold is read off the past only, so it adapts to each market's
 * own history without looking at the periods it is judged on.
 */
export type ReferenceThresholdOptions = {
  /** Halt onsets allowed per decade of reference rows (2: issue 6's calm-period budget). */
  readonly alarmsPerDecade: number;
  /** Rows in a decade of the series (2,520 trading days). */
  readonly rowsPerDecade: number;
  /** A reference with fewer finite errors than this keeps λ = `floor` (1,260: a budget of at least one onset). */
  readonly minRows: number;
  /** Rows an alarm stays latched before the statistic restarts (21: the walk-forward's monthly refit re-arms). */
  readonly rearmRows: number;
  /** λ never goes below this (15: the design value of rationale 2). */
  readonly floor: number;
  /** Upper end of the search; a reference that alarms more often even there gets this λ. */
  readonly ceiling: number;
};

/** The pre-registered setting of rationale 11. */
export const DEFAULT_REFERENCE_THRESHOLD: ReferenceThresholdOptions = {
  alarmsPerDecade: 2,
  rowsPerDecade: 2520,
  minRows: 1260,
  rearmRows: 21,
  floor: 15,
  ceiling: 1000,
};

/** RangeError naming the fix when `options` cannot be honoured (the monitor checks them when built). */
export function checkReferenceThreshold(options: ReferenceThresholdOptions): void {
  const o = options;
  if (
    !(
      o.alarmsPerDecade >= 0 &&
      o.rowsPerDecade > 0 &&
      o.minRows >= 0 &&
      Number.isInteger(o.rearmRows) &&
      o.rearmRows >= 1 &&
      o.floor > 0 &&
      Number.isFinite(o.ceiling) &&
      o.ceiling > o.floor
    )
  )
    throw new RangeError(
      `referenceThreshold needs alarmsPerDecade ≥ 0, rowsPerDecade > 0, minRows ≥ 0, an integer rearmRows ≥ 1 and 0 < floor < ceiling (finite), got ${JSON.stringify(o)}; use e.g. DEFAULT_REFERENCE_THRESHOLD`,
    );
}

/** What the trailing detector's replay needs to know about the monitor it mirrors. */
export type TrailingDetector = {
  /** Page–Hinkley tolerance δ. */
  readonly delta: number;
  /** EWMA weight of the trailing |error| scale, 1 − 2^(−1/half-life). */
  readonly alpha: number;
  /** Rows of the reference before the Page–Hinkley statistic starts (the scale's burn-in). */
  readonly burnIn: number;
  /** In-control mean of |error| / scale over the reference (rationale 1). */
  readonly referenceMean: number;
  /** Robust z beyond which one error is held by the outlier gate (the monitor's `outlierThreshold`). */
  readonly outlierThreshold: number;
  /** What a re-arm does with the statistic (the monitor's `afterAlarm`; default 'restart', rationale 6). */
  readonly afterAlarm?: 'restart' | 'carry';
};

export type ReferenceThreshold = {
  /** The λ chosen. */
  lambda: number;
  /** Halt onsets the replay starts at that λ. */
  onsets: number;
  /** Halt onsets allowed on this reference, ⌊alarmsPerDecade · rows / rowsPerDecade⌋. */
  budget: number;
  /** Finite reference errors replayed. */
  rows: number;
  /** Why λ is what it is: 'calibrated', 'floor' (the floor already keeps the budget), 'short' (reference below minRows) or 'ceiling'. */
  basis: 'calibrated' | 'floor' | 'short' | 'ceiling';
};

/** Window of earlier errors the outlier gate judges an error against (the backtest's 60 returns). */
const OUTLIER_WINDOW = 60;
/** Bisection steps between floor and ceiling: 1000/2^40 is far below any λ that matters. */
const BISECTION_STEPS = 40;

/**
 * The order in which the live monitor would have been fed the reference's errors: a single error
 * far outside the last 60 is held and fed only if the next one confirms it, else both are dropped
 * (the `OutlierGate` rule; errors stand in for the returns the live gate sees, since a daily
 * forecast is about a hundredth of a daily return). `fed[i]` is the error index, `at[i]` the row it
 * was fed on. It does not depend on λ, so it is computed once per reference.
 */
export function referenceFeedOrder(
  errors: readonly number[],
  outlierThreshold: number,
): { fed: number[]; at: number[] } {
  const gate = new OutlierGate<number>(outlierThreshold);
  // The last 60 errors, kept sorted: re-sorting a fresh slice per row cost ~30 ms a reference.
  const window = new SortedWindow(OUTLIER_WINDOW);
  const fed: number[] = [];
  const at: number[] = [];
  for (let k = 0; k < errors.length; k++) {
    const feed = k >= OUTLIER_WINDOW ? gate.step(errors[k]!, window, k).feed : [k];
    for (const j of feed) {
      fed.push(j);
      at.push(k);
    }
    window.push(errors[k]!);
  }
  return { fed, at };
}

/**
 * Replays the trailing detector over the reference's errors in `order` at threshold `lambda` and
 * counts its halt onsets: the scale starts at the reference's mean |error| and follows each error
 * after it is tested, the statistic starts after `burnIn` rows, and an alarm latches for
 * `rearmRows` rows, after which the statistic restarts (rationale 6), as a refit re-arms it.
 */
export function countReferenceOnsets(
  errors: readonly number[],
  order: { fed: readonly number[]; at: readonly number[] },
  detector: TrailingDetector,
  lambda: number,
  rearmRows: number,
): number {
  let scale = errors.reduce((a, e) => a + Math.abs(e), 0) / Math.max(1, errors.length) || 1;
  const ph = new PageHinkley({ delta: detector.delta, lambda });
  let onsets = 0;
  let latchedAt: number | undefined;
  for (let i = 0; i < order.fed.length; i++) {
    const j = order.fed[i]!;
    const k = order.at[i]!;
    if (latchedAt !== undefined && k - latchedAt >= rearmRows) {
      latchedAt = undefined;
      if (detector.afterAlarm !== 'carry') ph.reset();
    }
    const e = Math.abs(errors[j]!);
    if (j >= detector.burnIn) {
      const r = ph.update(e / scale, detector.referenceMean);
      if (r.alarm && latchedAt === undefined) {
        onsets++;
        latchedAt = k;
      }
    }
    scale += detector.alpha * (e - scale);
  }
  return onsets;
}

/**
 * The smallest λ in [floor, ceiling] whose replay keeps the reference's budget (bisection; the
 * onset count falls as λ rises). Errors that are not finite are dropped first, as the monitor does.
 */
export function thresholdFromReference(
  errors: readonly number[],
  detector: TrailingDetector,
  options: ReferenceThresholdOptions = DEFAULT_REFERENCE_THRESHOLD,
): ReferenceThreshold {
  checkReferenceThreshold(options);
  const finite = errors.filter((e) => Number.isFinite(e));
  const rows = finite.length;
  const budget = Math.floor((options.alarmsPerDecade * rows) / options.rowsPerDecade);
  const order = referenceFeedOrder(finite, detector.outlierThreshold);
  const count = (lambda: number) => countReferenceOnsets(finite, order, detector, lambda, options.rearmRows);
  if (rows < options.minRows)
    return { lambda: options.floor, onsets: count(options.floor), budget, rows, basis: 'short' };
  const atFloor = count(options.floor);
  if (atFloor <= budget) return { lambda: options.floor, onsets: atFloor, budget, rows, basis: 'floor' };
  const atCeiling = count(options.ceiling);
  if (atCeiling > budget)
    return { lambda: options.ceiling, onsets: atCeiling, budget, rows, basis: 'ceiling' };
  let lo = options.floor;
  let hi = options.ceiling;
  let hiOnsets = atCeiling;
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const mid = (lo + hi) / 2;
    const onsets = count(mid);
    if (onsets <= budget) {
      hi = mid;
      hiOnsets = onsets;
    } else lo = mid;
  }
  return { lambda: hi, onsets: hiOnsets, budget, rows, basis: 'calibrated' };
}
