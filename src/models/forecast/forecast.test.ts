import { describe, expect, test } from 'vitest';
import { MODEL_FILE_FORMAT, type ModelFile, modelFileBytes, modelId, parseModelFile } from '../modelFile.js';
import { datasetFeatures } from './datasetFeatures.js';
import { FixedPointOverflowError, inferFixed, inferFixedReal, quantize } from './fixedPoint.js';
import { predictFloat } from './floatNet.js';
import {
  exportForecaster,
  FixedPointToleranceError,
  toForecast,
  trainForecaster,
} from './trainForecaster.js';

const features = datasetFeatures('wti-daily');

describe('inferFixed', () => {
  const tiny: ModelFile = {
    format: MODEL_FILE_FORMAT,
    kind: 'forecaster',
    name: 'tiny',
    version: '1',
    scaleBits: 4,
    inputs: ['a', 'b'],
    outputs: ['y'],
    layers: [
      { type: 'dense', inputs: 2, outputs: 2, activation: 'relu', weights: [16, 8, -16, 3], bias: [1, 0] },
      { type: 'dense', inputs: 2, outputs: 1, activation: 'linear', weights: [-7, 5], bias: [-3] },
    ],
    metadata: {},
  };

  test('follows the documented rule y = floor((W·x + b·2^s) / 2^s) bit for bit', () => {
    // x = [5, -3] (5/16, -3/16). Layer 1: acc0 = 16·5 + 8·(−3) + 1·16 = 72 → floor(72/16) = 4;
    // acc1 = −16·5 + 3·(−3) + 0 = −89 → floor(−89/16) = −6 → relu 0. Layer 2: −7·4 + 5·0 − 3·16 = −76 → floor(−76/16) = −5.
    expect(inferFixed(tiny, [5, -3])).toEqual([-5]);
  });

  test('behavior: throws instead of losing exactness', () => {
    const big = { ...tiny, layers: [{ ...tiny.layers[0]!, weights: [2 ** 40, 0, 0, 0] }, tiny.layers[1]!] };
    expect(() => inferFixed(big, [2 ** 20, 0])).toThrow(FixedPointOverflowError);
  });

  test('quantize rounds half away from zero', () => {
    expect([quantize(0.5 / 16, 4), quantize(-0.5 / 16, 4), quantize(1.49 / 16, 4)]).toEqual([1, -1, 1]);
  });
});

describe('trainForecaster', () => {
  const opts = { features, trainEnd: '2015-12-31', window: 2520, seed: 42 } as const;

  test('mlp: fixed point agrees with float within the stated tolerance on held-out rows', () => {
    const r = trainForecaster({ ...opts, kind: 'mlp' });
    expect(r.model.kind).toBe('forecaster');
    expect(r.model.outputs).toEqual(['mean', 'absReturn']);
    expect(r.maxAbsError.every((e) => e <= 1e-5)).toBe(true);
    const from = features.dates.findIndex((d) => d > '2015-12-31');
    let worst = 0;
    for (let i = from; i < from + 1000; i++) {
      const f = predictFloat(r.fit.net, features.X[i]!);
      const q = inferFixedReal(r.model, features.X[i]!);
      worst = Math.max(worst, Math.abs(f[0]! - q[0]!), Math.abs(f[1]! - q[1]!));
    }
    // Held-out rows lie partly outside the training range: allow 2× the training tolerance.
    expect(worst).toBeLessThan(2e-5);
    const fc = toForecast(inferFixedReal(r.model, features.X[from]!));
    expect(fc.vol).toBeGreaterThan(0.005);
    expect(fc.vol).toBeLessThan(0.1);
  });

  test('deterministic: same seed, same bytes and modelId; canonical bytes parse back', () => {
    const a = trainForecaster({ ...opts, kind: 'mlp', window: 600 });
    const b = trainForecaster({ ...opts, kind: 'mlp', window: 600 });
    expect(modelId(a.model)).toBe(modelId(b.model));
    const c = trainForecaster({ ...opts, kind: 'mlp', window: 600, seed: 43 });
    expect(modelId(c.model)).not.toBe(modelId(a.model));
    expect(parseModelFile(modelFileBytes(a.model))).toEqual(a.model);
  });

  test('ridge exports as a single linear layer and agrees with float', () => {
    const r = trainForecaster({ ...opts, kind: 'ridge' });
    expect(r.model.layers.map((l) => l.activation)).toEqual(['linear']);
    expect(r.maxAbsError.every((e) => e <= 1e-5)).toBe(true);
  });

  test('exportForecaster reports withinTolerance, and throws FixedPointToleranceError when required', () => {
    const r = trainForecaster({ ...opts, kind: 'ridge', window: 600 });
    const check = features.X.slice(0, 600);
    const base = { name: 'tol', featureNames: features.names, check };
    const ok = exportForecaster(r.fit, { ...base, scaleBits: 'auto' });
    expect(ok.withinTolerance).toBe(true);
    expect(ok.maxAbsError.every((e) => e <= ok.tolerance)).toBe(true);
    // A coarse fixed scale cannot meet 1e-5: reported, not silently returned as if it did.
    const coarse = exportForecaster(r.fit, { ...base, scaleBits: 8 });
    expect(coarse.withinTolerance).toBe(false);
    expect(Math.max(...coarse.maxAbsError)).toBeGreaterThan(1e-5);
    // No scale reaches 1e-15 (float rounding alone is larger): the last scale tried, flagged, or a named error.
    const never = exportForecaster(r.fit, { ...base, tolerance: 1e-15 });
    expect(never.withinTolerance).toBe(false);
    expect(() => exportForecaster(r.fit, { ...base, tolerance: 1e-15, requireTolerance: true })).toThrow(
      FixedPointToleranceError,
    );
  });
});
