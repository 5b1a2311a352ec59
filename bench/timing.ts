/** One line for a set of wall times in ms: median, min, max, the run count and the first (cold) run. */
export function timingSummary(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `median ${s(median)}, min ${s(sorted[0]!)}, max ${s(sorted.at(-1)!)} over ${xs.length} runs (first: ${s(xs[0]!)})`;
}
