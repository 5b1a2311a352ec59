/**
 * RiskMetrics EWMA variance: σ²_{t+1|t} = λ σ²_{t|t-1} + (1 − λ) r_t². Element t of the result is the
 * variance forecast for return t made before seeing it (uses r_0 … r_{t−1}); element 0 is `init`
 * (default: the mean square of the first 20 returns, a documented warm-up that peeks at them).
 */
export function ewmaVariance(returns: number[], lambda = 0.94, init?: number): number[] {
  const out = new Array<number>(returns.length + 1);
  let v =
    init ?? returns.slice(0, 20).reduce((a, r) => a + r * r, 0) / Math.min(20, Math.max(1, returns.length));
  for (let t = 0; t < returns.length; t++) {
    out[t] = v;
    v = lambda * v + (1 - lambda) * returns[t]! * returns[t]!;
  }
  out[returns.length] = v;
  return out;
}
