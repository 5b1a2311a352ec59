import { datasetFeatures, type ModelFile, trainForecaster } from '../models/index.js';

/** Training end of the ridge model behind the committed fixture proof (zk/ridge/, RidgeProofFixture.sol). */
export const RIDGE_FIXTURE_TRAIN_END = '2019-12-31';

/**
 * The agent's ridge forecaster (same options as `trainAgentForecaster` in src/agent/models.ts: ten years
 * of daily WTI before `trainEnd`, seed 42, scaleBits 20). Any training window gives the same architecture,
 * hence the same circuit and keys (zk/ridge/); only the weights, and so the commitment, differ.
 */
export function ridgeFixtureModel(trainEnd = RIDGE_FIXTURE_TRAIN_END): ModelFile {
  return trainForecaster({
    features: datasetFeatures('wti-daily'),
    kind: 'ridge',
    trainEnd,
    window: 2520,
    seed: 42,
    name: 'forecaster-wti-ridge',
    version: trainEnd,
    scaleBits: 20,
  }).model;
}
