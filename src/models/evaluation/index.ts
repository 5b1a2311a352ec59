export {
  calibrateDriftPair,
  calibrateDriftThreshold,
  type DriftCalibration,
  type DriftCalibrationOptions,
  type DriftCalibrationRow,
  type DriftNullModel,
  type DriftPairCalibration,
  type DriftPairCalibrationOptions,
  fitDriftNullModel,
  type NullHaltRate,
  nullHaltRates,
  syntheticFeatures,
} from './calibrateDrift.js';
export { driftLambdaOn, driftLambdaRange } from './driftThresholds.js';
export { CALM_PERIODS, KNOWN_BREAKS } from './periods.js';
export {
  type BacktestMetrics,
  type BacktestOptions,
  type BacktestResult,
  type BacktestRow,
  computeMetrics,
  type DriftObserver,
  runBacktest,
} from './runBacktest.js';
export {
  buildShippedForecaster,
  SHIPPED_FORECASTER_PATH,
  writeShippedForecaster,
} from './shippedForecaster.js';
export { type CoverageResult, type DieboldMarianoResult, dieboldMariano, varCoverage } from './tests.js';
export { writeModelReport } from './writeModelReport.js';
