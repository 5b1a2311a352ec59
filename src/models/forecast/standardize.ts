/** Per-feature mean and standard deviation (population), from training rows only. */
export type Standardizer = { mean: number[]; std: number[] };

export function fitStandardizer(X: number[][]): Standardizer {
  const d = X[0]?.length ?? 0;
  const mean = new Array<number>(d).fill(0);
  const std = new Array<number>(d).fill(0);
  for (const row of X) for (let j = 0; j < d; j++) mean[j]! += row[j]!;
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / X.length;
  for (const row of X) for (let j = 0; j < d; j++) std[j]! += (row[j]! - mean[j]!) ** 2;
  // A constant feature (e.g. a cross ratio that is 0 throughout the window) gets std 1: it then
  // contributes a constant that the bias absorbs.
  for (let j = 0; j < d; j++) std[j] = Math.sqrt(std[j]! / X.length) || 1;
  return { mean, std };
}

export function standardize(s: Standardizer, x: number[]): number[] {
  return x.map((v, j) => (v - s.mean[j]!) / s.std[j]!);
}
