export { type PreparedCall, prepareCall } from './actions/call.js';
export { balanceOf, ensureAllowance, faucet } from './actions/erc20.js';
export { projectEventsAbi } from './actions/events.js';
export * from './actions/governance.js';
export * from './actions/guard.js';
export * from './actions/markets.js';
export * from './actions/models.js';
export * from './actions/proposalRecord.js';
export {
  type DecodedEvent,
  decodeEvents,
  sendPrepared,
  type WriteParameters,
  type WriteReturnType,
  writeContract,
} from './actions/write.js';
export * from './actions/zkGate.js';
export { type CreateClientsParameters, createClients, type ProvenantClients } from './clients.js';
export { type DeployPlanResult, type DeployStep, deployPlan } from './deploy.js';
export {
  anvilBinaryPath,
  DEVNET_MNEMONIC,
  type Devnet,
  findFreePort,
  type StartDevnetParameters,
  startDevnet,
} from './devnet.js';
export {
  type DevnetLock,
  DevnetStateInUseError,
  devnetLockPath,
  isProcessAlive,
  readDevnetLock,
} from './devnetLock.js';
export { assertPortFree, DevnetPortError, validateDevnetPort } from './devnetPort.js';
export {
  AmbiguousSignerError,
  ChainIdMismatchError,
  DeployStepError,
  DevnetStartError,
  InvalidKeyError,
  MissingKeyError,
  RpcUnavailableError,
  TransactionRevertedError,
  truncateHex,
} from './errors.js';
export {
  type CollateralCheck,
  CollateralError,
  checkCollateral,
  checkExternalFeed,
  type ExternalFeedCheck,
  ExternalFeedError,
  MAX_COLLATERAL_DECIMALS,
  parseExternalFeeds,
} from './externalFeed.js';
export { withGasMargin } from './gasMargin.js';
export * from './generated/contracts.js';
export { decryptKeystore, encryptKeystore, type KeystoreV3 } from './keystore.js';
export {
  DEFAULT_LOG_WINDOW,
  DEFAULT_RATE_LIMIT_RETRIES,
  deploymentBlock,
  isLogRangeError,
  isRateLimitError,
  type LogScanRange,
  LogScanRateLimitedError,
  MAX_RETRY_AFTER_SECONDS,
  scanLogs,
} from './logScan.js';
export {
  addressOf,
  type DeployedContract,
  type DeployedFeed,
  type DeploymentManifest,
  feedAddress,
  InvalidDeploymentManifestError,
  isRelayedFeed,
  manifestPath,
  NotDeployedError,
  readManifest,
  writeManifest,
} from './manifest.js';
export {
  AGGREGATOR_ROUND_MASK,
  aggregatorRoundOf,
  EPOCH_ROUNDS_PER_PHASE,
  epochOfRound,
  firstRoundOfNextPhase,
  firstRoundOfPhase,
  isPhaseBridge,
  isRoundWindow,
  PROXY_PHASE_OFFSET,
  phaseOf,
  proxyRoundIdText,
  proxyRoundLabel,
  proxyRoundsText,
  RoundIdOutOfRangeError,
} from './proxyRoundId.js';
export { ContractRevertError, decodeRevertData, isContractRevert, toContractRevertError } from './revert.js';
export {
  DEVNET_ROLES,
  devnetAccount,
  devnetReporter,
  type ResolveSignerParameters,
  resolveSigner,
  SECP256K1_ORDER,
} from './signer.js';
export {
  AgentRoleConflictError,
  checkSuiteRoles,
  type DeploySuiteResult,
  defaultSuiteOptions,
  deploySuite,
  GLOBAL_CEILING,
  InvalidOracleQuorumError,
  initialVoteHolders,
  minOracleQuorum,
  POOL_INITIAL_FEE_BPS,
  PROPOSAL_THRESHOLD,
  type SuiteFeed,
  type SuiteOptions,
  type SuiteRoles,
  suiteSteps,
  TIMELOCK_ROLES,
} from './suite.js';
export * from './tx/index.js';
