/**
 * Population Stability Index of `current` against `reference`, with `bins` equal-mass bins cut at
 * the reference's quantiles. PSI = Σ (c_i − r_i) ln(c_i / r_i), proportions floored at 1e-4.
 * Rule of thumb: < 0.1 stable, 0.1–0.25 moderate, > 0.25 significant shift.
 */
export function psi(reference: number[], current: number[], bins = 10): number {
  const edges = referenceEdges(reference, bins);
  return psiWithEdges(edges, countBins(edges, reference), reference.length, current);
}

/** Inner bin edges (bins − 1 of them) at the reference quantiles. */
export function referenceEdges(reference: number[], bins: number): number[] {
  const s = [...reference].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) edges.push(s[Math.min(s.length - 1, Math.floor((k * s.length) / bins))]!);
  return edges;
}

export function countBins(edges: number[], values: number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) {
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v < edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]!++;
  }
  return counts;
}

export function psiWithEdges(edges: number[], refCounts: number[], refN: number, current: number[]): number {
  const cur = countBins(edges, current);
  let total = 0;
  for (let i = 0; i < cur.length; i++) {
    const r = Math.max(refCounts[i]! / refN, 1e-4);
    const c = Math.max(cur[i]! / current.length, 1e-4);
    total += (c - r) * Math.log(c / r);
  }
  return total;
}

/** Two-sample Kolmogorov–Smirnov statistic D and its asymptotic p-value. */
export function ksTest(a: number[], b: number[]): { d: number; pValue: number } {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const ne = (x.length * y.length) / (x.length + y.length);
  const lam = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
  let p = 0;
  for (let k = 1; k <= 100; k++) p += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lam * lam);
  return { d, pValue: Math.min(1, Math.max(0, p)) };
}
