export {
  type ConfigIssue,
  ConfigNotFoundError,
  ConfigParseError,
  InvalidConfigError,
  InvalidFlagError,
  nearest,
  SECRET_NAME_FIELDS,
} from './errors.js';
export { type IpfsSettings, ipfsGatewayUrl, ipfsSettings } from './ipfs.js';
export {
  ConfigIsDirectoryError,
  DEFAULT_CONFIG_FILE,
  type LoadConfigParameters,
  type LoadedConfig,
  loadConfig,
  parseConfig,
  type SectionSchemas,
} from './load.js';
export { ENV_VAR_NAME, redactCauseChain, redactUrl, redactUrlsIn } from './redact.js';
export { type FeedLimits, feedRulesOf, type TxManagerSettings, txManagerSettings } from './runtime.js';
export {
  type ChainConfig,
  configSchema,
  type IpfsConfig,
  type OracleConfig,
  type ProvenantConfig,
  type ProvenantConfigInput,
} from './schema.js';
