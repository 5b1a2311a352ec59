export { ewmaVariance } from './ewma.js';
export {
  fitGarch,
  type GarchFit,
  type GarchParams,
  garchNegLogLik,
  garchNegLogLikT,
  garchVariance,
  nelderMead,
  simulateGarch,
} from './garch.js';
export { type SizePositionParameters, type SizePositionReturnType, sizePosition } from './sizePosition.js';
export { chiSquareSurvival, normalCdf, normalPdf, normalQuantile, quantile } from './stats.js';
export {
  fhsFromTail,
  filteredHistoricalVaR,
  gaussianVaR,
  type ResidualTail,
  type RiskEstimate,
  residualTail,
} from './valueAtRisk.js';
