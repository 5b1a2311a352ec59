import { type ModelFile, oracleDatasetFeatures, trainForecaster } from '../models/index.js';

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
  return trainForecaster({
    features: oracleDatasetFeatures('wti-daily', { scaleBits: 20 }),
    kind,
    trainEnd,
    window: 2520,
    seed: 42,
    name: `forecaster-wti-${kind}`,
    version: trainEnd,
    scaleBits: 20,
  }).model;
}

/** The agent's default forecaster (ridge, 5 → 2 linear): the architecture of zk/ridge/. */
export function ridgeFixtureModel(trainEnd = RIDGE_FIXTURE_TRAIN_END): ModelFile {
  return oracleFixtureModel('ridge', trainEnd);
}

/** The agent's MLP forecaster (5 → 8 relu → 2 linear): the architecture of zk/forecaster/. */
export function mlpFixtureModel(trainEnd = RIDGE_FIXTURE_TRAIN_END): ModelFile {
  return oracleFixtureModel('mlp', trainEnd);
}
