import { MODEL_FILE_FORMAT, type ModelFile, ORACLE_FEATURE_NAMES } from '../models/index.js';

/**
 * A seeded stand-in for tests and benchmarks, so the zk module does not depend on a trained model file:
 * by default the 5 oracle features (ORACLE_FEATURE_NAMES, what the circuit derives) → 4 ReLU → 2 linear;
 * other `sizes` name their inputs f0, f1, …. Weights are drawn from a
 * mulberry32 stream and quantized at `scaleBits` (round half away from zero).
 */
export function testModel(options: { seed?: number; scaleBits?: number; sizes?: number[] } = {}): ModelFile {
  const seed = options.seed ?? 7;
  const s = options.scaleBits ?? 20;
  const sizes = options.sizes ?? [ORACLE_FEATURE_NAMES.length, 4, 2];
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const q = (v: number) => {
    const x = v * 2 ** s;
    const r = Math.sign(x) * Math.round(Math.abs(x));
    return r === 0 ? 0 : r;
  };
  const layers = sizes.slice(1).map((outputs, l) => {
    const inputs = sizes[l]!;
    const scale = Math.sqrt(2 / inputs);
    return {
      type: 'dense' as const,
      inputs,
      outputs,
      activation: (l === sizes.length - 2 ? 'linear' : 'relu') as 'linear' | 'relu',
      weights: Array.from({ length: inputs * outputs }, () => q((rand() * 2 - 1) * scale * 4)),
      bias: Array.from({ length: outputs }, () => q((rand() * 2 - 1) * 0.01)),
    };
  });
  return {
    format: MODEL_FILE_FORMAT,
    kind: 'forecaster',
    name: `zk-test-${seed}`,
    version: '1',
    scaleBits: s,
    inputs:
      sizes[0] === ORACLE_FEATURE_NAMES.length
        ? [...ORACLE_FEATURE_NAMES]
        : Array.from({ length: sizes[0]! }, (_, i) => `f${i}`),
    outputs: Array.from({ length: sizes.at(-1)! }, (_, i) => `o${i}`),
    layers,
    metadata: { purpose: 'zk tests', seed },
  };
}
