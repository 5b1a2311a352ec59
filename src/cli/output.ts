import { ProvenantError } from '../errors/index.js';

/** Formats any error for a person: the message only for known errors, causes and stacks with --verbose. */
export function formatError(error: unknown, verbose: boolean): string {
  const lines: string[] = [];
  if (error instanceof ProvenantError) {
    lines.push(`Error: ${error.message}`);
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
  return lines.join('\n');
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
