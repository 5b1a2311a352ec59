/**
 * Robust z-score of `value` against a recent window: |value − median| / (1.4826 · MAD).
 * 1.4826·MAD estimates σ for normal data and is not moved by the outlier itself.
 */
export function robustZ(value: number, window: number[]): number {
  if (window.length === 0) return 0;
  const s = [...window].sort((a, b) => a - b);
  const med = median(s);
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const mad = 1.4826 * median(dev);
  if (mad === 0) return value === med ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(value - med) / mad;
}

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export type OutlierFlag = { flagged: boolean; z: number; reason: string | undefined };

/**
 * Adversarial single-round check: an oracle round whose value (e.g. its log return) lies more than
 * `threshold` robust z-scores from the recent window is flagged, and the caller must not act on it
 * (no trade, no refit on it) until later rounds confirm the move.
 */
export function flagOutlier(value: number, window: number[], threshold = 10): OutlierFlag {
  const z = robustZ(value, window);
  const flagged = z > threshold;
  return {
    flagged,
    z,
    reason: flagged
      ? `value ${value.toPrecision(4)} is ${z.toFixed(1)} robust z-scores from the last ${window.length} rounds (threshold ${threshold}): flagged, not acted on`
      : undefined,
  };
}
