export {
  alignAsOf,
  type Availability,
  CPI_RELEASE_LAG_MONTHS,
  cpiAvailability,
  daysBetween,
  firstOfMonthAfter,
  logReturns,
  monthlyAverageAvailability,
  sameDay,
  toMonthlyLast,
  yearOnYear,
} from './align.js';
export { DEFAULT_DATA_DIR, type DatasetName, datasetPath, loadDataset } from './datasets.js';
export { DataValidationError } from './errors.js';
export {
  dayNumber,
  type LoadedSeries,
  type LoadSeriesOptions,
  loadSeriesFile,
  monthNumber,
  parseDate,
  parseSeriesCsv,
} from './loadSeries.js';
export type { CleaningEntry, Frequency, Point, Series, ValidationIssue } from './types.js';
