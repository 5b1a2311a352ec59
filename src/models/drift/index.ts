export { countBins, ksTest, psi, psiWithEdges, referenceEdges } from './distribution.js';
export {
  DEFAULT_CONFIRM,
  DEFAULT_ERROR_SCALE,
  DEFAULT_GARCH_CONFIRM,
  DEFAULT_GARCH_MEAN_SHIFT,
  DEFAULT_MEAN_SHIFT_CUSUM,
  DEFAULT_PAGE_HINKLEY,
  DEFAULT_PAGE_HINKLEY_GARCH,
  DEFAULT_PAGE_HINKLEY_GARCH_CONFIRM,
  DEFAULT_PAGE_HINKLEY_GARCH_CUSUM,
  DEFAULT_PSI_THRESHOLD,
  DEFAULT_TRAILING_REFERENCE_THRESHOLD,
  type DriftConfirmOptions,
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatus,
  QUIET_DRIFT_STATUS,
} from './driftMonitor.js';
export {
  flagOutlier,
  OUTLIER_CONFIRM_FRACTION,
  type OutlierFlag,
  OutlierGate,
  type OutlierGateStep,
  type OutlierHold,
  robustZ,
} from './outlier.js';
export {
  countReferenceOnsets,
  DEFAULT_REFERENCE_THRESHOLD,
  type ReferenceThreshold,
  type ReferenceThresholdOptions,
  referenceFeedOrder,
  type TrailingDetector,
  thresholdFromReference,
} from './referenceThreshold.js';
export { Cusum, PageHinkley } from './sequential.js';
