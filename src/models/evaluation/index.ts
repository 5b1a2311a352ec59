export { CALM_PERIODS, KNOWN_BREAKS } from './periods.js';
export {
  type BacktestMetrics,
  type BacktestOptions,
  type BacktestResult,
  type BacktestRow,
  computeMetrics,
  runBacktest,
} from './runBacktest.js';
export {
  buildShippedForecaster,
  SHIPPED_FORECASTER_PATH,
  writeShippedForecaster,
} from './shippedForecaster.js';
export { type CoverageResult, type DieboldMarianoResult, dieboldMariano, varCoverage } from './tests.js';
export { writeModelReport } from './writeModelReport.js';
