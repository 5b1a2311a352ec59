/**
 * Ridge regression by the normal equations, (XᵀX + λ n I) w = Xᵀy on standardized features with an
 * unpenalised intercept (targets are centred). Solved by Cholesky; d is small (≈ 8).
 */
export function fitRidge(Z: number[][], y: number[], lambda: number): { w: number[]; b: number } {
  const n = Z.length;
  const d = Z[0]?.length ?? 0;
  let ym = 0;
  for (const v of y) ym += v;
  ym /= n;
  const zm = new Array<number>(d).fill(0);
  for (const row of Z) for (let j = 0; j < d; j++) zm[j]! += row[j]! / n;
  const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const c = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    const row = Z[i]!;
    const yi = y[i]! - ym;
    for (let j = 0; j < d; j++) {
      const zj = row[j]! - zm[j]!;
      c[j]! += zj * yi;
      const Aj = A[j]!;
      for (let k = 0; k <= j; k++) Aj[k]! += zj * (row[k]! - zm[k]!);
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < j; k++) A[k]![j] = A[j]![k]!;
    A[j]![j]! += lambda * n;
  }
  const w = solveSpd(A, c);
  let b = ym;
  for (let j = 0; j < d; j++) b -= w[j]! * zm[j]!;
  return { w, b };
}

/** Solves A x = c for symmetric positive definite A (Cholesky). */
export function solveSpd(A: number[][], c: number[]): number[] {
  const d = c.length;
  const L = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      L[i]![j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j]![j]!;
    }
  }
  const z = new Array<number>(d).fill(0);
  for (let i = 0; i < d; i++) {
    let s = c[i]!;
    for (let k = 0; k < i; k++) s -= L[i]![k]! * z[k]!;
    z[i] = s / L[i]![i]!;
  }
  const x = new Array<number>(d).fill(0);
  for (let i = d - 1; i >= 0; i--) {
    let s = z[i]!;
    for (let k = i + 1; k < d; k++) s -= L[k]![i]! * x[k]!;
    x[i] = s / L[i]![i]!;
  }
  return x;
}
