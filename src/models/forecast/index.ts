export { CROSS_ASSET, datasetFeatures, type ForecastDataset } from './datasetFeatures.js';
export {
  buildFeatures,
  FEATURE_NAMES,
  type FeatureOptions,
  type FeatureSet,
  windowsFor,
} from './features.js';
export {
  dequantize,
  FixedPointOverflowError,
  fixedToPpm,
  inferFixed,
  inferFixedReal,
  quantize,
  quantizeNet,
} from './fixedPoint.js';
export { type FloatLayer, type FloatNet, foldAffine, predictFloat } from './floatNet.js';
export { DEFAULT_MLP, type MlpOptions, trainMlp } from './mlp.js';
export {
  buildOracleFeatures,
  datasetAnswers,
  floorDiv,
  ORACLE_FEATURE_ANSWERS,
  ORACLE_FEATURE_NAMES,
  ORACLE_FEATURE_RETURNS,
  OracleFeatureError,
  oracleDatasetFeatures,
  oracleFeaturesFixed,
  oracleFeaturesOfReturns,
  oracleFeaturesReal,
  oracleReturnsFixed,
} from './oracleFeatures.js';
export { mulberry32, normalSource } from './prng.js';
export { fitRidge } from './ridge.js';
export {
  ABS_TO_VOL,
  type ExportOptions,
  type ExportResult,
  exportForecaster,
  type FitOptions,
  FixedPointToleranceError,
  type FloatFit,
  FORECAST_OUTPUTS,
  type ForecasterKind,
  fitFloat,
  type TrainForecasterOptions,
  toForecast,
  trainForecaster,
  VOL_FLOOR,
} from './trainForecaster.js';
