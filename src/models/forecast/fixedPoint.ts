import { NonRetryableError } from '../../errors/index.js';
import type { DenseLayer, ModelFile } from '../modelFile.js';
import type { FloatNet } from './floatNet.js';

/**
 * Fixed-point inference, bit-exact, integer arithmetic only.
 *
 * Every number in a model file and every input is an integer `q` standing for `q / 2^s`, where
 * `s = model.scaleBits`. One dense layer with integer weights `W` (row-major outputs × inputs),
 * integer bias `b` and integer inputs `x` computes, for each output i:
 *
 *     acc_i = Σ_j W[i][j] · x[j]  +  b[i] · 2^s          (exact integer, scale 2^(2s))
 *     y_i   = floor(acc_i / 2^s)                          (floor = round toward −∞, i.e. an
 *                                                          arithmetic right shift by s bits)
 *     relu:   y_i = max(0, y_i);   linear: y_i unchanged
 *
 * The outputs of one layer are the inputs of the next. A circuit reproduces this bit for bit by
 * proving `acc_i = y_i · 2^s + r_i` with `0 ≤ r_i < 2^s`. Only 'relu' and 'linear' are allowed.
 *
 * Inputs are quantized by `quantize(v, s) = round-half-away-from-zero(v · 2^s)`; outputs are read
 * back as `q / 2^s`. JavaScript numbers are exact integers below 2^53; every product and partial
 * sum is checked against that bound and inference throws `FixedPointOverflowError` rather than
 * return a rounded value.
 */
export class FixedPointOverflowError extends NonRetryableError {
  override name = 'FixedPointOverflowError';
  constructor(layer: number, output: number, value: number) {
    super(`Fixed-point overflow in layer ${layer}, output ${output}: |${value}| reached 2^53`, {
      details:
        'The integer accumulator left the exactly representable range. Use a model exported with fewer scaleBits, or inputs within the training range.',
    });
  }
}

const LIMIT = 2 ** 53;

/** Real value → fixed-point integer at `scaleBits` (round half away from zero). */
export function quantize(value: number, scaleBits: number): number {
  const scaled = value * 2 ** scaleBits;
  const q = Math.sign(scaled) * Math.round(Math.abs(scaled));
  if (!Number.isSafeInteger(q)) throw new FixedPointOverflowError(-1, -1, scaled);
  return q === 0 ? 0 : q;
}

/** Fixed-point integer → real value. */
export function dequantize(q: number, scaleBits: number): number {
  return q / 2 ** scaleBits;
}

/**
 * Fixed-point integer at `scaleBits` → parts per million, in integer arithmetic (round half away from
 * zero), so every machine derives the same ppm from a proven forecast output.
 */
export function fixedToPpm(q: bigint, scaleBits: number): number {
  const denominator = 1n << BigInt(scaleBits);
  const magnitude = (q < 0n ? -q : q) * 1_000_000n;
  const rounded = (magnitude * 2n + denominator) / (denominator * 2n);
  const ppm = Number(q < 0n ? -rounded : rounded);
  return ppm === 0 ? 0 : ppm;
}

/** Runs the model on fixed-point integer inputs; returns fixed-point integer outputs (see the rule above). */
export function inferFixed(model: ModelFile, inputs: number[]): number[] {
  const s = model.scaleBits;
  const one = 2 ** s;
  let x = inputs;
  for (let l = 0; l < model.layers.length; l++) {
    const layer = model.layers[l]!;
    const relu = layer.activation === 'relu';
    if (!relu && layer.activation !== 'linear') {
      throw new NonRetryableError(
        `Layer ${l} has activation '${layer.activation}'; fixed-point forecaster inference supports only relu and linear`,
      );
    }
    const n = layer.inputs;
    const W = layer.weights;
    const y = new Array<number>(layer.outputs);
    for (let i = 0; i < layer.outputs; i++) {
      let acc = layer.bias[i]! * one;
      if (acc >= LIMIT || acc <= -LIMIT) throw new FixedPointOverflowError(l, i, acc);
      const base = i * n;
      for (let j = 0; j < n; j++) {
        const prod = W[base + j]! * x[j]!;
        acc += prod;
        if (prod >= LIMIT || prod <= -LIMIT || acc >= LIMIT || acc <= -LIMIT)
          throw new FixedPointOverflowError(l, i, acc);
      }
      // Division by a power of two is exact in binary floating point; Math.floor rounds toward −∞.
      const q = Math.floor(acc / one);
      y[i] = relu && q < 0 ? 0 : q;
    }
    x = y;
  }
  return x;
}

/** Quantizes a float network into model-file dense layers at `scaleBits`. */
export function quantizeNet(net: FloatNet, scaleBits: number): DenseLayer[] {
  return net.map((l) => ({
    type: 'dense' as const,
    inputs: l.W[0]!.length,
    outputs: l.b.length,
    activation: l.activation,
    weights: l.W.flatMap((row) => row.map((w) => quantize(w, scaleBits))),
    bias: l.b.map((b) => quantize(b, scaleBits)),
  }));
}

/** Convenience: real-valued features in, real-valued outputs out, through the fixed-point path. */
export function inferFixedReal(model: ModelFile, features: number[]): number[] {
  const s = model.scaleBits;
  return inferFixed(
    model,
    features.map((v) => quantize(v, s)),
  ).map((q) => dequantize(q, s));
}
