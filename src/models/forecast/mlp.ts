import type { FloatNet } from './floatNet.js';
import { mulberry32, normalSource } from './prng.js';

export type MlpOptions = {
  hidden: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** L2 penalty on weights (not biases). */
  weightDecay: number;
  seed: number;
  /** Start from these weights (a previous fit) instead of a fresh seeded initialisation. */
  init?: FloatNet | undefined;
};

export const DEFAULT_MLP: MlpOptions = {
  hidden: 8,
  epochs: 20,
  batchSize: 64,
  learningRate: 1e-3,
  weightDecay: 1e-3,
  seed: 42,
};

/**
 * Trains `inputs → hidden ReLU → outputs linear` by Adam on mean squared error over all outputs
 * (inputs standardized, targets scaled to unit variance by the caller). Deterministic: seeded
 * initialisation (He) and seeded mini-batch order.
 */
export function trainMlp(Z: number[][], T: number[][], options: MlpOptions): FloatNet {
  const n = Z.length;
  const d = Z[0]!.length;
  const o = T[0]!.length;
  const h = options.hidden;
  const rand = mulberry32(options.seed);
  const gauss = normalSource(rand);
  // Flat parameter vector: W1 (h×d), b1 (h), W2 (o×h), b2 (o).
  const nW1 = h * d;
  const oB1 = nW1;
  const oW2 = oB1 + h;
  const oB2 = oW2 + o * h;
  const P = oB2 + o;
  const p = new Float64Array(P);
  if (options.init) {
    const [l1, l2] = options.init;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < d; j++) p[i * d + j] = l1!.W[i]![j]!;
      p[oB1 + i] = l1!.b[i]!;
    }
    for (let k = 0; k < o; k++) {
      for (let i = 0; i < h; i++) p[oW2 + k * h + i] = l2!.W[k]![i]!;
      p[oB2 + k] = l2!.b[k]!;
    }
  } else {
    for (let i = 0; i < nW1; i++) p[i] = gauss() * Math.sqrt(2 / d);
    for (let i = 0; i < h; i++) p[oB1 + i] = 0.01;
    for (let i = 0; i < o * h; i++) p[oW2 + i] = gauss() * Math.sqrt(1 / h);
  }
  const m = new Float64Array(P);
  const v = new Float64Array(P);
  const g = new Float64Array(P);
  const order = Array.from({ length: n }, (_, i) => i);
  const a = new Float64Array(h);
  const out = new Float64Array(o);
  const b1 = 0.9;
  const b2 = 0.999;
  let step = 0;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < n; start += options.batchSize) {
      const end = Math.min(n, start + options.batchSize);
      g.fill(0);
      for (let q = start; q < end; q++) {
        const x = Z[order[q]!]!;
        const t = T[order[q]!]!;
        for (let i = 0; i < h; i++) {
          let s = p[oB1 + i]!;
          for (let j = 0; j < d; j++) s += p[i * d + j]! * x[j]!;
          a[i] = Math.max(s, 0);
        }
        for (let k = 0; k < o; k++) {
          let s = p[oB2 + k]!;
          for (let i = 0; i < h; i++) s += p[oW2 + k * h + i]! * a[i]!;
          out[k] = s;
        }
        for (let k = 0; k < o; k++) {
          const e = (2 * (out[k]! - t[k]!)) / o;
          g[oB2 + k]! += e;
          for (let i = 0; i < h; i++) g[oW2 + k * h + i]! += e * a[i]!;
        }
        for (let i = 0; i < h; i++) {
          if (a[i]! <= 0) continue;
          let e = 0;
          for (let k = 0; k < o; k++) e += (2 * (out[k]! - t[k]!) * p[oW2 + k * h + i]!) / o;
          g[oB1 + i]! += e;
          for (let j = 0; j < d; j++) g[i * d + j]! += e * x[j]!;
        }
      }
      const bs = end - start;
      step++;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (let k = 0; k < P; k++) {
        const isWeight = k < oB1 || (k >= oW2 && k < oB2);
        const gk = g[k]! / bs + (isWeight ? options.weightDecay * p[k]! : 0);
        m[k] = b1 * m[k]! + (1 - b1) * gk;
        v[k] = b2 * v[k]! + (1 - b2) * gk * gk;
        p[k]! -= (options.learningRate * (m[k]! / c1)) / (Math.sqrt(v[k]! / c2) + 1e-8);
      }
    }
  }
  const W1 = Array.from({ length: h }, (_, i) => Array.from({ length: d }, (_, j) => p[i * d + j]!));
  const B1 = Array.from({ length: h }, (_, i) => p[oB1 + i]!);
  const W2 = Array.from({ length: o }, (_, k) => Array.from({ length: h }, (_, i) => p[oW2 + k * h + i]!));
  const B2 = Array.from({ length: o }, (_, k) => p[oB2 + k]!);
  return [
    { W: W1, b: B1, activation: 'relu' },
    { W: W2, b: B2, activation: 'linear' },
  ];
}
