import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { NonRetryableError } from '../errors/index.js';
import { ConfigNotFoundError, ConfigParseError, describeIssues, InvalidConfigError } from './errors.js';
import { configSchema, type ProvenantConfig } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'provenant.config.json';

/** The config path (--config, or provenant.config.json in the working folder) is a folder, not a file. */
export class ConfigIsDirectoryError extends NonRetryableError {
  override name = 'ConfigIsDirectoryError';
  constructor(path: string, explicit: boolean) {
    super(`The config path ${path} is a directory, not a file.`, {
      details: explicit
        ? `Pass the config FILE with --config, e.g. --config ${join(path, DEFAULT_CONFIG_FILE)}.`
        : `Move the folder ${path} away, or pass the config FILE with --config <file>.`,
      docsPath: 'docs/config.md',
    });
  }
}

export type LoadConfigParameters = {
  /** Explicit path (from --config). When absent, `provenant.config.json` in `cwd` if it exists. */
  path?: string | undefined;
  cwd?: string | undefined;
  /** Overrides applied on top of the file (from command-line flags), validated together with it. */
  overrides?: Record<string, unknown> | undefined;
  /** Schemas of the sections other parts own (see `SectionSchemas`), checked at load time. */
  sections?: SectionSchemas | undefined;
};

/**
 * Schemas of config sections owned by another part, which config (depending on no other part) cannot
 * import: e.g. `{ agent: agentOptionsSchema }`. The section is checked with it at load time (each bad
 * field named, `agent.targetVol: got "high", expected a number`) but kept as given, so the owner still
 * applies its own defaults.
 */
export type SectionSchemas = { agent?: z.ZodType | undefined };

export type LoadedConfig = ProvenantConfig & {
  /** Absolute state directory. */ stateDirPath: string;
  source: string;
};

/** Parses and validates a config object; throws InvalidConfigError naming each bad field. */
export function parseConfig(
  input: unknown,
  source = '(inline)',
  sections: SectionSchemas = {},
): ProvenantConfig {
  const result = configSchema.safeParse(input);
  const issues: z.core.$ZodIssue[] = result.success ? [] : [...result.error.issues];
  const agent = (input as { agent?: unknown } | null | undefined)?.agent;
  if (sections.agent && agent !== null && typeof agent === 'object' && !Array.isArray(agent)) {
    const checked = sections.agent.safeParse(agent);
    if (!checked.success)
      for (const issue of checked.error.issues) issues.push({ ...issue, path: ['agent', ...issue.path] });
  }
  if (!result.success || issues.length > 0)
    throw new InvalidConfigError(
      source,
      describeIssues(issues, input, (path) =>
        fieldsAt(
          path[0] === 'agent' && sections.agent ? sections.agent : configSchema,
          path[0] === 'agent' ? path.slice(1) : path,
        ),
      ),
    );
  return result.data;
}

/** The field names of the object schema at `path` inside `schema` (through defaults and optionals). */
function fieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: unknown = schema;
  for (let depth = 0; depth <= path.length; depth++) {
    // Unwrap .default() / .optional() / .nullable() to the object inside.
    for (let i = 0; i < 5; i++) {
      const inner = (current as { def?: { innerType?: unknown } }).def?.innerType;
      if (!inner) break;
      current = inner;
    }
    const shape = (current as { shape?: Record<string, unknown> }).shape;
    if (!shape) return [];
    if (depth === path.length) return Object.keys(shape);
    current = shape[String(path[depth])];
  }
  return [];
}

/** Loads the config file (or the defaults), merges overrides, validates. */
export function loadConfig(parameters: LoadConfigParameters = {}): LoadedConfig {
  const cwd = parameters.cwd ?? process.cwd();
  const explicit = parameters.path !== undefined;
  const path = resolve(cwd, parameters.path ?? DEFAULT_CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new ConfigIsDirectoryError(path, explicit);
    const text = readFileSync(path, 'utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ConfigParseError(path, (error as Error).message);
    }
    // Merging overrides into an array or a scalar would turn it into an object ('0', '1', … fields).
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new InvalidConfigError(path, describeIssues([notAnObject(parsed)], parsed));
    raw = parsed as Record<string, unknown>;
  } else if (explicit) {
    throw new ConfigNotFoundError(path);
  }
  const merged = deepMerge(raw, parameters.overrides ?? {});
  const config = parseConfig(merged, existsSync(path) ? path : '(defaults)', parameters.sections);
  // Normalised (a trailing slash from tab completion would put `<dir>/.before-fresh-…` inside the dir).
  const stateDirPath = isAbsolute(config.stateDir) ? resolve(config.stateDir) : resolve(cwd, config.stateDir);
  return { ...config, stateDirPath, source: existsSync(path) ? path : '(defaults)' };
}

function notAnObject(value: unknown): z.core.$ZodIssue {
  return {
    code: 'invalid_type',
    expected: 'object',
    path: [],
    input: value,
    message: 'expected a JSON object',
  } as z.core.$ZodIssue;
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
