import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigNotFoundError, ConfigParseError, describeIssues, InvalidConfigError } from './errors.js';
import { configSchema, type ProvenantConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'provenant.config.json';

export type LoadConfigParameters = {
  /** Explicit path (from --config). When absent, `provenant.config.json` in `cwd` if it exists. */
  path?: string | undefined;
  cwd?: string | undefined;
  /** Overrides applied on top of the file (from command-line flags), validated together with it. */
  overrides?: Record<string, unknown> | undefined;
};

export type LoadedConfig = ProvenantConfig & {
  /** Absolute state directory. */ stateDirPath: string;
  source: string;
};

/** Parses and validates a config object; throws InvalidConfigError naming each bad field. */
export function parseConfig(input: unknown, source = '(inline)'): ProvenantConfig {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new InvalidConfigError(source, describeIssues(result.error, input));
  return result.data;
}

/** Loads the config file (or the defaults), merges overrides, validates. */
export function loadConfig(parameters: LoadConfigParameters = {}): LoadedConfig {
  const cwd = parameters.cwd ?? process.cwd();
  const explicit = parameters.path !== undefined;
  const path = resolve(cwd, parameters.path ?? DEFAULT_CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigParseError(path, (error as Error).message);
    }
  } else if (explicit) {
    throw new ConfigNotFoundError(path);
  }
  const merged = deepMerge(raw, parameters.overrides ?? {});
  const config = parseConfig(merged, existsSync(path) ? path : '(defaults)');
  const stateDirPath = isAbsolute(config.stateDir) ? config.stateDir : resolve(cwd, config.stateDir);
  return { ...config, stateDirPath, source: existsSync(path) ? path : '(defaults)' };
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}
