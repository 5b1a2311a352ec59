// Why: the verify folder's public surface: the same names src/provenance/verify.ts always exported.

export { formatVerifyReport } from './format.js';
export { modelApprovalAt } from './modelApproval.js';
export { type OracleWindowQuery, oracleWindowVerdict } from './oracleWindow.js';
export { POLICY_SNAPSHOT_MAX_AGE_BLOCKS } from './policySnapshot.js';
export type {
  ChainContext,
  ChainPosition,
  CheckStatus,
  Hex,
  ModelApprovalEvent,
  PolicySnapshotQuery,
  RoundData,
  TokenRecord,
  TokenVersionRecord,
  VerifyCheck,
  VerifyDependencies,
  VerifyInput,
  VerifyReport,
  VersionChain,
} from './types.js';
export { CHECK_NAMES } from './types.js';
export { verifyAllVersions, verifyAsset } from './verifyAsset.js';
export { versionChainHead } from './versionChain.js';
