export { toAnswer } from '../data/index.js';
export { FeedNotRelayableError, FeedRefusedError } from './errors.js';
export {
  checkRound,
  deviationBps,
  type FeedRound,
  type FeedRules,
  readFeedWindow,
  readRound,
} from './feedReader.js';
export { collectReports, publishNextRound, type ReporterSet, submitRound } from './reporter.js';
export { medianOf, reportDomain, reportTypes, type SignedReport, signReport } from './reports.js';
