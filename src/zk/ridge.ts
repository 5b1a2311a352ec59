import {
  type FeatureSet,
  inferFixedReal,
  type ModelFile,
  oracleDatasetFeatures,
  predictFloat,
  trainForecaster,
} from '../models/index.js';

/** Training end of the models behind the committed fixture proofs (zk/ridge/, zk/forecaster/, *ProofFixture.sol). */
export const RIDGE_FIXTURE_TRAIN_END = '2019-12-31';

/**
 * The agent's forecaster of `kind` on the oracle features (same options as `trainAgentForecaster` in
 * src/agent/models.ts): ten years of daily WTI before `trainEnd` as the oracle would hold it
 * (`oracleDatasetFeatures('wti-daily', { scaleBits: 20 })`), seed 42, scaleBits 20. Any training window
 * gives the same architecture, hence the same circuit and keys; only the weights, and so the commitment,
 * differ.
 */
export function oracleFixtureModel(kind: 'ridge' | 'mlp', trainEnd = RIDGE_FIXTURE_TRAIN_END): ModelFile {
  return oracleFixtureTraining(kind, trainEnd).model;
}

/** `oracleFixtureModel` with its float fit and the feature set it was trained on. */
export function oracleFixtureTraining(
  kind: 'ridge' | 'mlp',
  trainEnd = RIDGE_FIXTURE_TRAIN_END,
): ReturnType<typeof trainForecaster> & { features: FeatureSet } {
  const features = oracleDatasetFeatures('wti-daily', { scaleBits: 20 });
  const trained = trainForecaster({
    features,
    kind,
    trainEnd,
    window: 2520,
    seed: 42,
    name: `forecaster-wti-${kind}`,
    version: trainEnd,
    scaleBits: 20,
  });
  return { ...trained, features };
}

/**
 * How far the fixed-point model (what the circuit proves) is from its float fit, on every row of the
 * feature set: the relative error of output 1 (E|r|, always > 0) — max and 99th percentile — and of
 * output 0 (the mean, often near 0) as Σ|fixed − float| / Σ|float|.
 */
export function fixedPointAgreement(training: ReturnType<typeof oracleFixtureTraining>): {
  absReturnMaxRel: number;
  absReturnP99Rel: number;
  meanAggregateRel: number;
} {
  const rel: number[] = [];
  let diff0 = 0;
  let ref0 = 0;
  for (const x of training.features.X) {
    const f = predictFloat(training.fit.net, x);
    const q = inferFixedReal(training.model, x);
    rel.push(Math.abs(q[1]! - f[1]!) / Math.abs(f[1]!));
    diff0 += Math.abs(q[0]! - f[0]!);
    ref0 += Math.abs(f[0]!);
  }
  rel.sort((a, b) => a - b);
  return {
    absReturnMaxRel: rel.at(-1)!,
    absReturnP99Rel: rel[Math.floor(rel.length * 0.99)]!,
    meanAggregateRel: diff0 / ref0,
  };
}

/** The agent's default forecaster (ridge, 5 → 2 linear): the architecture of zk/ridge/. */
export function ridgeFixtureModel(trainEnd = RIDGE_FIXTURE_TRAIN_END): ModelFile {
  return oracleFixtureModel('ridge', trainEnd);
}

/** The agent's MLP forecaster (5 → 8 relu → 2 linear): the architecture of zk/forecaster/. */
export function mlpFixtureModel(trainEnd = RIDGE_FIXTURE_TRAIN_END): ModelFile {
  return oracleFixtureModel('mlp', trainEnd);
}
