export {
  type Availability,
  alignAsOf,
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
export { toAnswer } from './answers.js';
export { type DatasetName, DEFAULT_DATA_DIR, datasetPath, loadDataset } from './datasets.js';
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
