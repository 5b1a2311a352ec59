import type { BacktestResult } from './runBacktest.js';

type Refit = Pick<BacktestResult['refits'][number], 'date' | 'driftLambda'>;

/** The drift detector's λ over a walk-forward's refits (set from each fit window, rationale 11); undefined without refits. */
export function driftLambdaRange(
  refits: readonly Refit[],
): { min: number; median: number; max: number } | undefined {
  if (!refits.length) return undefined;
  const l = refits.map((r) => r.driftLambda).sort((a, b) => a - b);
  return { min: l[0]!, median: (l[l.length >> 1]! + l[(l.length - 1) >> 1]!) / 2, max: l.at(-1)! };
}

/**
 * The λ in force on each of `dates` (ascending): that of the last refit on or before it, NaN before the
 * first. One pass over both, so a chart of every row costs rows + refits, not their product.
 */
export function driftLambdaOn(refits: readonly Refit[], dates: readonly string[]): number[] {
  let k = -1;
  return dates.map((date) => {
    while (k + 1 < refits.length && refits[k + 1]!.date <= date) k++;
    return k < 0 ? Number.NaN : refits[k]!.driftLambda;
  });
}
