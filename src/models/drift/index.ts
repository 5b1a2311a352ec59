export { countBins, ksTest, psi, psiWithEdges, referenceEdges } from './distribution.js';
export {
  DEFAULT_PAGE_HINKLEY,
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatus,
} from './driftMonitor.js';
export { flagOutlier, type OutlierFlag, robustZ } from './outlier.js';
export { Cusum, PageHinkley } from './sequential.js';
