export {
  type DerivedOutputs,
  type DeriveOutputsParameters,
  deriveOutputs,
  type RenderAssetParameters,
  type RenderedAsset,
  renderAsset,
} from './asset.js';
export {
  type CarImportResult,
  type ImportCarReturnType,
  InvalidCarError,
  importCar,
} from './carImport.js';
export {
  type ChainVerifyParameters,
  chainVerifyDependencies,
  mintedTokenIds,
  readRoundPublication,
  readTokenRecord,
} from './chainDeps.js';
export {
  addBytes,
  type Block,
  CHUNK_SIZE,
  type CidProfile,
  type ContentAddress,
  cidFromBytes,
  cidOf,
  cidSha256Digest,
  cidToBytes,
  DEFAULT_CID_PROFILE,
  exportCar,
  exportFilesCar,
  InvalidCidError,
  KUBO_ADD_FLAGS,
  MAX_CHILDREN_PER_NODE,
  parseCid,
  profileOf,
} from './cid.js';
export {
  BlockMismatchError,
  BlockMissingError,
  type BlockSource,
  BlockTooLargeError,
  ContentProfileMismatchError,
  FileTooLargeError,
  MAX_BLOCK_BYTES,
  MAX_IMPORT_FILE_BYTES,
  maxBlocksFor,
  NotAFileError,
  type ReadDagFileOptions,
  readDagFile,
  TooManyBlocksError,
  UnsupportedHashError,
} from './dagImport.js';
export {
  erc7007GrothArguments,
  FORECAST_PROOF_CHECK_NAMES,
  type ForecastProofDependencies,
  forecastProofChecks,
  type RecordedForecast,
} from './forecastProofChecks.js';
export {
  type GatewayBlockSourceOptions,
  GatewayRefusedError,
  GatewayUnavailableError,
  gatewayBlockSource,
} from './gatewayBlocks.js';
export {
  addQuery,
  type IpfsHttpOptions,
  IpfsRejectedError,
  IpfsUnavailableError,
  pushToIpfs,
} from './ipfsHttp.js';
export {
  InvalidManifestError,
  MANIFEST_FORMAT,
  type Manifest,
  ManifestSchema,
  manifestBytes,
  parseManifest,
  validateManifest,
  versionCommitment,
} from './manifest.js';
export {
  ContentExceedsRawBlockError,
  InvalidMetadataError,
  isRawSha256Cid,
  metadataFromManifest,
  parseMetadataProvenance,
  rawBlockAddress,
  rawCidFromDigest,
} from './metadataLink.js';
export {
  ContentCorruptedError,
  ContentNotFoundError,
  ContentStore,
  type ContentStoreOptions,
  DEFAULT_REMOTE_FILE_DEADLINE_MS,
  RemoteFetchDeadlineError,
} from './store.js';
export {
  CHECK_NAMES,
  type ChainPosition,
  type CheckStatus,
  formatVerifyReport,
  type ModelApprovalEvent,
  modelApprovalAt,
  type OracleWindowQuery,
  oracleWindowVerdict,
  POLICY_SNAPSHOT_MAX_AGE_BLOCKS,
  type RoundData,
  type TokenRecord,
  type TokenVersionRecord,
  type VerifyCheck,
  type VerifyDependencies,
  type VerifyInput,
  type VerifyReport,
  verifyAllVersions,
  verifyAsset,
} from './verify.js';
