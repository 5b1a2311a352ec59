import type { z } from 'zod';
import { NonRetryableError } from '../errors/index.js';
import { redactUrl } from './redact.js';

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

/**
 * Fields that take the NAME of an environment variable holding a secret. Their value is never echoed
 * in an error: a value that is not a variable name is most likely the secret itself.
 */
export const SECRET_NAME_FIELDS: ReadonlySet<string> = new Set([
  'chain.privateKeyEnv',
  'chain.keystorePasswordEnv',
  'ipfs.authorizationEnv',
]);

/** Fields holding URLs: shown redacted (scheme and host only), as an RPC URL may carry an API key. */
const URL_FIELD = /^(chain\.rpcUrls\.\d+|ipfs\.apiUrl|ipfs\.gatewayUrl)$/;

export function describeIssues(
  issues: readonly z.core.$ZodIssue[] | z.ZodError,
  input: unknown,
  /** The fields the schema knows at a path (for "did you mean" on an unknown field). */
  knownFields?: (path: readonly PropertyKey[]) => readonly string[],
): ConfigIssue[] {
  const list = 'issues' in issues ? issues.issues : issues;
  return list.map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(root)';
    let given: unknown = input;
    for (const key of issue.path)
      given = (given as Record<PropertyKey, unknown> | undefined)?.[key as PropertyKey];
    if (SECRET_NAME_FIELDS.has(field) && issue.code !== 'unrecognized_keys')
      return {
        field,
        given: 'a value that is not shown',
        expected: `the NAME of an environment variable (letters, digits, _), e.g. ${exampleName(field)}; the value given looks like a key or secret and is not shown: put the secret in that variable, never in the file`,
      };
    const known = issue.code === 'unrecognized_keys' ? (knownFields?.(issue.path) ?? []) : [];
    const givenText =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys
            .map((k) => {
              const near = nearest(k, known);
              return near ? `'${k}' (did you mean '${near}'?)` : `'${k}'`;
            })
            .join(', ')}`
        : given === undefined
          ? 'nothing'
          : URL_FIELD.test(field) && typeof given === 'string'
            ? JSON.stringify(redactUrl(given))
            : JSON.stringify(given);
    return { field, given: givenText, expected: expectedOf(issue, field) };
  });
}

/** The known field closest to `key` by edit distance, when it is close (a typo: at most 2 edits, or a case slip). */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = name.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.min(2, Math.floor(key.length / 3)) ? best.name : undefined;
}

/** Edit distance with adjacent transpositions (insert, delete, substitute, swap two neighbours: 1 each). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

function exampleName(field: string): string {
  if (field === 'chain.keystorePasswordEnv') return 'PROVENANT_KEYSTORE_PASSWORD';
  if (field === 'ipfs.authorizationEnv') return 'PIN_TOKEN';
  return 'PROVENANT_PRIVATE_KEY';
}

function expectedOf(issue: z.core.$ZodIssue, field: string): string {
  switch (issue.code) {
    case 'invalid_type':
      if (field === '(root)' && issue.expected === 'object')
        return 'a JSON object, e.g. { "chain": { "rpcUrls": ["http://127.0.0.1:8545"] } }';
      return `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
    case 'too_small':
      return `${issue.origin === 'array' || issue.origin === 'string' ? 'length ' : ''}${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.origin === 'array' || issue.origin === 'string' ? 'length ' : ''}${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return field === 'agent' || field.startsWith('agent.')
        ? 'only the agent options documented in docs/agent.md#options'
        : 'only the documented fields (see docs/config.md)';
    case 'invalid_format':
      return issue.format === 'url' ? 'an http(s) or ws(s) URL' : `${issue.message ?? issue.format}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

/**
 * A command-line flag has a bad value. Names the flag (not a config file: the defaults or the file are
 * not to blame), the value given and the form expected.
 */
export class InvalidFlagError extends NonRetryableError {
  override name = 'InvalidFlagError';
  constructor(flag: string, given: string, expected: string, details: string) {
    super(`${flag} '${given}' is not ${expected}.`, { details, docsPath: 'docs/config.md' });
  }
}
