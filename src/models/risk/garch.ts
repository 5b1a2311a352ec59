import { mulberry32, normalSource } from '../forecast/prng.js';

/** GARCH(1,1): σ²_t = ω + α ε²_{t−1} + β σ²_{t−1}, ε_t = r_t − μ, with ω > 0, α, β ≥ 0, α + β < 1. */
export type GarchParams = { omega: number; alpha: number; beta: number; mu: number };

/**
 * Variance path: element t is σ²_t, the forecast for r_t made with r_0 … r_{t−1}; element n is the
 * forecast for the next, unseen return. σ²_0 = `init` (default: sample variance of the returns given).
 */
export function garchVariance(returns: number[], p: GarchParams, init?: number): number[] {
  const n = returns.length;
  const out = new Array<number>(n + 1);
  let v = init ?? sampleVariance(returns);
  for (let t = 0; t < n; t++) {
    out[t] = v;
    const e = returns[t]! - p.mu;
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  out[n] = v;
  return out;
}

function sampleVariance(r: number[]): number {
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  return r.reduce((a, b) => a + (b - m) ** 2, 0) / r.length;
}

/** Gaussian negative log-likelihood (constant dropped) of the returns under `p`. */
export function garchNegLogLik(returns: number[], p: GarchParams): number {
  let v = sampleVariance(returns);
  let nll = 0;
  for (let t = 0; t < returns.length; t++) {
    const e = returns[t]! - p.mu;
    nll += 0.5 * (Math.log(v) + (e * e) / v);
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  return nll;
}

/**
 * Negative log-likelihood (constants dropped) under unit-variance Student-t innovations with ν
 * degrees of freedom: Σ ½ ln σ²_t + (ν + 1)/2 · ln(1 + ε²_t / ((ν − 2) σ²_t)).
 */
export function garchNegLogLikT(returns: number[], p: GarchParams, nu: number): number {
  let v = sampleVariance(returns);
  let nll = 0;
  for (let t = 0; t < returns.length; t++) {
    const e = returns[t]! - p.mu;
    nll += 0.5 * Math.log(v) + ((nu + 1) / 2) * Math.log(1 + (e * e) / ((nu - 2) * v));
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  return nll;
}

const logistic = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** θ → params: persistence α+β = logistic(θ1)·0.9999, α = share·persistence, ω = exp(θ0)·var·(1−pers) (targets the sample variance). */
function unpack(theta: number[], variance: number, mean: number, fitMean: boolean): GarchParams {
  const pers = logistic(theta[1]!) * 0.9999;
  const alpha = logistic(theta[2]!) * pers;
  return {
    omega: Math.exp(theta[0]!) * variance * (1 - pers),
    alpha,
    beta: pers - alpha,
    mu: fitMean ? mean + theta[3]! * Math.sqrt(variance) : mean,
  };
}

/** Nelder–Mead minimiser (deterministic). */
export function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  step = 0.5,
  maxIter = 400,
  tol = 1e-9,
): number[] {
  const d = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))];
  let values = simplex.map(f);
  for (let iter = 0; iter < maxIter; iter++) {
    const order = values.map((_v, i) => i).sort((a, b) => values[a]! - values[b]!);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[d]! - values[0]!) <= tol * (Math.abs(values[0]!) + 1e-12)) break;
    const centroid = new Array<number>(d).fill(0);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) centroid[j]! += simplex[i]![j]! / d;
    const worst = simplex[d]!;
    const at = (t: number) => centroid.map((c, j) => c + t * (worst[j]! - c));
    const xr = at(-1);
    const fr = f(xr);
    if (fr < values[0]!) {
      const xe = at(-2);
      const fe = f(xe);
      if (fe < fr) {
        simplex[d] = xe;
        values[d] = fe;
      } else {
        simplex[d] = xr;
        values[d] = fr;
      }
    } else if (fr < values[d - 1]!) {
      simplex[d] = xr;
      values[d] = fr;
    } else {
      const xc = fr < values[d]! ? at(-0.5) : at(0.5);
      const fc = f(xc);
      if (fc < Math.min(fr, values[d]!)) {
        simplex[d] = xc;
        values[d] = fc;
      } else {
        for (let i = 1; i <= d; i++) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          values[i] = f(simplex[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= d; i++) if (values[i]! < values[best]!) best = i;
  return simplex[best]!;
}

export type GarchFit = GarchParams & { negLogLik: number; persistence: number };

/** (α, β) starts of a cold `fitGarch`: the usual high-persistence one first, then two lower-persistence ones. */
const GARCH_STARTS: readonly (readonly [number, number])[] = [
  [0.08, 0.9],
  [0.1, 0.8],
  [0.15, 0.6],
];

/**
 * Maximum-likelihood GARCH(1,1) (Gaussian quasi-likelihood) by Nelder–Mead over a reparametrisation
 * that keeps ω > 0, α, β ≥ 0 and α + β < 1. `fitMean` also estimates μ (default: μ = sample mean).
 * `studentT: ν` maximises the Student-t likelihood with ν (> 2) fixed instead (`garchNegLogLikT`).
 */
export function fitGarch(
  returns: number[],
  options: { fitMean?: boolean; start?: GarchParams; studentT?: number } = {},
): GarchFit {
  const nu = options.studentT;
  if (nu !== undefined && !(nu > 2))
    throw new RangeError(
      `studentT must be more than 2 degrees of freedom (finite variance), got ${nu}; use e.g. 5`,
    );
  const variance = sampleVariance(returns);
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const fitMean = options.fitMean ?? false;
  const toTheta = (s: GarchParams) => {
    const pers = Math.min(0.999, s.alpha + s.beta);
    const theta0 = [
      Math.log(Math.max(1e-12, s.omega / (variance * (1 - pers)))),
      logit(pers / 0.9999),
      logit(Math.min(0.99, Math.max(0.01, s.alpha / pers))),
    ];
    if (fitMean) theta0.push(0);
    return theta0;
  };
  const f = (th: number[]) => {
    const p = unpack(th, variance, mean, fitMean);
    const nll = nu === undefined ? garchNegLogLik(returns, p) : garchNegLogLikT(returns, p, nu);
    return Number.isFinite(nll) ? nll : 1e300;
  };
  let th: number[];
  if (options.start) th = nelderMead(f, toTheta(options.start), 0.1);
  else {
    // Cold start: a small grid of starts, best likelihood wins. From the high-persistence start alone,
    // low-persistence series (e.g. α 0.05, β 0.75) can collapse to α ≈ 0, β ≈ 1 (a flat ridge where
    // α = 0 makes β irrelevant). Each start is restarted once from its optimum (Nelder–Mead stalls).
    const starts = GARCH_STARTS.map(([alpha, beta]) => ({
      omega: alpha === 0.08 && beta === 0.9 ? variance * 0.05 : variance * (1 - alpha - beta),
      alpha,
      beta,
      mu: mean,
    }));
    let best: { th: number[]; v: number } | undefined;
    for (const s of starts) {
      const t = nelderMead(f, nelderMead(f, toTheta(s), 0.5), 0.1);
      const v = f(t);
      if (!best || v < best.v) best = { th: t, v };
    }
    th = best!.th;
  }
  const p = unpack(th, variance, mean, fitMean);
  return { ...p, negLogLik: f(th), persistence: p.alpha + p.beta };
}

/**
 * Simulates n returns from GARCH(1,1), seeded. Innovations are standard normal, or with
 * `studentT: ν` (an integer ≥ 3) Student-t with ν degrees of freedom rescaled to unit variance
 * (z = N / √(χ²_ν / ν) · √((ν − 2) / ν), χ²_ν a sum of ν squared normals from the same stream).
 * The path starts at `initVariance` (default: the unconditional variance ω / (1 − α − β)).
 */
export function simulateGarch(
  p: GarchParams,
  n: number,
  seed: number,
  options: { studentT?: number; initVariance?: number } = {},
): number[] {
  const z = normalSource(mulberry32(seed));
  const nu = options.studentT;
  if (nu !== undefined && !(Number.isInteger(nu) && nu >= 3))
    throw new RangeError(
      `studentT must be an integer number of degrees of freedom ≥ 3 (finite variance), got ${nu}; use e.g. 5`,
    );
  const tScale = nu !== undefined ? Math.sqrt((nu - 2) / nu) : 1;
  const draw = () => {
    if (nu === undefined) return z();
    const num = z();
    let chi2 = 0;
    for (let k = 0; k < nu; k++) chi2 += z() ** 2;
    return (num / Math.sqrt(chi2 / nu)) * tScale;
  };
  let v = options.initVariance ?? p.omega / (1 - p.alpha - p.beta);
  const out = new Array<number>(n);
  for (let t = 0; t < n; t++) {
    const e = Math.sqrt(v) * draw();
    out[t] = p.mu + e;
    v = p.omega + p.alpha * e * e + p.beta * v;
  }
  return out;
}
