import { redactUrlsIn } from '../config/index.js';
import { ProvenantError } from '../errors/index.js';
import { describeSystemCode } from './files.js';

/** Formats any error for a person: the message only for known errors, causes and stacks with --verbose. */
export function formatError(error: unknown, verbose: boolean): string {
  const lines: string[] = [];
  const system = systemErrorMessage(error);
  if (error instanceof ProvenantError) {
    lines.push(`Error: ${error.message}`);
  } else if (system) {
    lines.push(`Error: ${system}`);
  } else if (error instanceof Error) {
    lines.push(`Unexpected error: ${error.message}`);
    if (!verbose)
      lines.push('', 'This is probably a bug in Provenant. Run again with --verbose for the stack trace.');
  } else {
    lines.push(`Unexpected error: ${String(error)}`);
  }
  if (verbose) {
    let cause = (error as { cause?: unknown })?.cause;
    let depth = 0;
    while (cause && depth < 8) {
      lines.push(
        '',
        `Caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`,
      );
      cause = (cause as { cause?: unknown }).cause;
      depth++;
    }
    if (error instanceof Error && error.stack) lines.push('', error.stack);
  }
  // Library messages (viem's above all) quote RPC URLs, which can carry an API key or credentials.
  return redactUrlsIn(lines.join('\n'));
}

/**
 * A file-system error (`ENOTDIR`, `ENOENT`, `EACCES`, …) that reached the printer: name the path, say
 * what is wrong with it in words and what to do, instead of "probably a bug". Undefined for other errors.
 */
export function systemErrorMessage(error: unknown): string | undefined {
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown };
  if (!(error instanceof Error) || typeof e.code !== 'string' || typeof e.path !== 'string') return undefined;
  const why = describeSystemCode(e.code);
  if (!why) return undefined;
  const doing = typeof e.syscall === 'string' ? ` (${e.syscall} failed with ${e.code})` : ` (${e.code})`;
  return [
    `The path ${e.path} ${why}${doing}.`,
    '',
    'If it is under the state dir (journal, deployments, devnet state, content), choose another --state-dir (or `stateDir` in the config) that is a writable folder, or fix that folder; if it is a file you named, check the path.',
    '',
    'Docs: docs/errors.md#input-files',
  ].join('\n');
}

/** Prints a two-column table. */
export function printTable(rows: readonly (readonly [string, string])[]): void {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

/** Serialises values with bigints for --json output. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
