export { type ConfigIssue, ConfigNotFoundError, ConfigParseError, InvalidConfigError } from './errors.js';
export { type IpfsSettings, ipfsSettings } from './ipfs.js';
export {
  DEFAULT_CONFIG_FILE,
  type LoadConfigParameters,
  type LoadedConfig,
  loadConfig,
  parseConfig,
} from './load.js';
export {
  configSchema,
  type IpfsConfig,
  type ProvenantConfig,
  type ProvenantConfigInput,
} from './schema.js';
