export { type AgentAddresses, addressLabels, agentAddresses } from './addresses.js';
export { type Agent, type AgentDependencies, createAgent, type EpochReport } from './agent.js';
export { type ApprovalWait, approvalWaits } from './approvalWaits.js';
export {
  type BootstrapApprovals,
  bootstrapApprovals,
  bootstrapOnDevnet,
  bootstrapProposal,
  createPolicyCall,
  demoPolicies,
  ensureModelRegistered,
  isBootstrapped,
  type Limits,
  type PolicySpec,
} from './bootstrap.js';
export {
  type ActOutcome,
  type AgentRuntime,
  AgentSetupError,
  type AgentStatus,
  actOnIntent,
  agentStatus,
  connectAgentRuntime,
  currentEpoch,
  loadAgentForecaster,
  prepareArtEvolve,
  prepareArtMint,
  type RunLoopParameters,
  type RunLoopResult,
  renderFromChain,
  resolveAgentAddresses,
  runAgentLoop,
} from './cli-support.js';
export {
  agentZk,
  artStateFromJournal,
  buildAgent,
  DemoClockError,
  type DemoParameters,
  type DemoProgress,
  type DemoResult,
  type DemoTotals,
  DemoUpgradeError,
  type MarketDay,
  publishMarketDay,
  runDemo,
} from './demo.js';
export * from './journal/index.js';
export {
  checkObservation,
  featuresFromObservation,
  type Inference,
  infer,
  type Observation,
  observe,
} from './market.js';
export {
  loadGenerator,
  loadModelById,
  MODELS_DIR,
  modelFileLoader,
  type TrainedForecaster,
  trainAgentForecaster,
} from './models.js';
export {
  type AgentOptions,
  agentOptionsSchema,
  InvalidAgentOptionsError,
  parseAgentOptions,
} from './options.js';
export { latestProvenForecast } from './provenForecast.js';
export {
  checkAgentReadiness,
  EPOCH_GAS_BUDGET,
  type ReadinessCheck,
  type ReadinessReport,
} from './readiness.js';
export { buildReplay, type ReplayEpoch, timestampOf } from './replay.js';
export { summaryRows, writeAgentReport } from './report.js';
export {
  deployNextWtiAggregator,
  journalPath,
  openStack,
  recordedWtiAggregator,
  type Stack,
  StackFeedMismatchError,
  type StackParameters,
  switchWtiProxy,
} from './stack.js';
export { type ArtToken, artStrategy, forecastInput, type ProvenForecastRef } from './strategies/art.js';
export { policySnapshotOf, readArtPolicy } from './strategies/artCalls.js';
export { feeStrategy } from './strategies/fee.js';
export {
  type RecordedForecast,
  recordedStatementDifferences,
  statementIdOf,
  synthStrategy,
  ZkRecordedStatementMismatchError,
} from './strategies/synth.js';
export type { EpochContext, Intent, IntentKind, Strategy } from './strategies/types.js';
export { type AgentSummary, summarizeJournal } from './summary.js';
export { agentVerifyDependencies } from './verifyDeps.js';
export {
  formatSynthVerifyReport,
  loadCircuitByHash,
  type SynthCheck,
  type SynthDecisionRef,
  type SynthVerifyDependencies,
  type SynthVerifyReport,
  synthDecisions,
  synthVerifyDependencies,
  verifySynthDecision,
  verifySynthFromJournal,
} from './verifySynth.js';
