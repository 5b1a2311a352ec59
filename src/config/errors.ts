import type { z } from 'zod';
import { NonRetryableError } from '../errors/index.js';

export type ConfigIssue = { field: string; given: string; expected: string };

/** The config file is not valid: names each field, the value given and the form expected. */
export class InvalidConfigError extends NonRetryableError {
  override name = 'InvalidConfigError';
  readonly issues: ConfigIssue[];
  constructor(path: string, issues: ConfigIssue[]) {
    super(`Invalid config file ${path}: ${issues.length} problem${issues.length === 1 ? '' : 's'}.`, {
      metaMessages: issues.map((i) => `- ${i.field}: got ${i.given}, expected ${i.expected}`),
      details: 'Fix the fields above (or delete them to use the defaults) and run the command again.',
      docsPath: 'docs/config.md',
    });
    this.issues = issues;
  }
}

/** The config file exists but is not JSON. */
export class ConfigParseError extends NonRetryableError {
  override name = 'ConfigParseError';
  constructor(path: string, reason: string) {
    super(`Config file ${path} is not valid JSON: ${reason}.`, {
      details:
        'The config file is a JSON object, e.g. { "chain": { "rpcUrls": ["http://127.0.0.1:8545"] } }.',
      docsPath: 'docs/config.md',
    });
  }
}

/** A config file named on the command line does not exist. */
export class ConfigNotFoundError extends NonRetryableError {
  override name = 'ConfigNotFoundError';
  constructor(path: string) {
    super(`Config file ${path} does not exist.`, {
      details:
        'Pass an existing file with --config, or omit --config to use provenant.config.json or the defaults.',
      docsPath: 'docs/config.md',
    });
  }
}

export function describeIssues(error: z.ZodError, input: unknown): ConfigIssue[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    let given: unknown = input;
    for (const key of issue.path)
      given = (given as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    const givenText =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
        : given === undefined
          ? 'nothing'
          : JSON.stringify(given);
    return { field, given: givenText, expected: expectedOf(issue) };
  });
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `a ${issue.expected}`;
    case 'too_small':
      return `${issue.origin === 'array' || issue.origin === 'string' ? 'length ' : ''}${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.origin === 'array' || issue.origin === 'string' ? 'length ' : ''}${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return 'only the documented fields (see docs/config.md)';
    case 'invalid_format':
      return issue.format === 'url' ? 'an http(s) or ws(s) URL' : `${issue.message ?? issue.format}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}
