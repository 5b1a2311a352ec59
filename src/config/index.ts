export { type ConfigIssue, ConfigNotFoundError, ConfigParseError, InvalidConfigError } from './errors.js';
export {
  DEFAULT_CONFIG_FILE,
  type LoadConfigParameters,
  type LoadedConfig,
  loadConfig,
  parseConfig,
} from './load.js';
export { configSchema, type ProvenantConfig, type ProvenantConfigInput } from './schema.js';
