// Why: every step reports through one recorder, so a report is a flat, ordered list of named checks.
import { formatUnits } from 'viem';
import type { SynthCheck, SynthVerifyReport } from './types.js';

/** Records one check (expected/actual shown as text) and returns whether it passed. */
export type RecordCheck = (
  name: string,
  ok: boolean,
  expected?: unknown,
  actual?: unknown,
  detail?: string,
  /** expected/actual for the text output (whole units), when they differ from the recorded ones. */
  shown?: SynthCheck['shown'],
) => boolean;

/** A value as a check shows it: lists as `[a, b]`, everything else as its string. */
export const show = (v: unknown) =>
  Array.isArray(v) ? `[${v.map(String).join(', ')}]` : typeof v === 'string' ? v : String(v);

/** Synth base units (18 decimals) in whole sWTI as a person reads them, e.g. `1500 sWTI`. */
export const synthUnits = (v: bigint | string) => `${formatUnits(BigInt(v), 18)} sWTI`;

/** Two lists equal element by element, compared as strings (bigints against decimal strings). */
export const eqList = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => String(v) === String(b[i]));

/**
 * `check` appends to `report.checks`; `finish` sets `report.ok` (at least one check, all passed) and
 * returns the report.
 */
export function checkRecorder(report: SynthVerifyReport): {
  check: RecordCheck;
  finish: () => SynthVerifyReport;
} {
  const checks: SynthCheck[] = report.checks;
  const check: RecordCheck = (name, ok, expected, actual, detail, shown) => {
    checks.push({
      name,
      status: ok ? 'pass' : 'fail',
      ...(expected !== undefined ? { expected: show(expected) } : {}),
      ...(actual !== undefined ? { actual: show(actual) } : {}),
      ...(detail ? { detail } : {}),
      ...(shown ? { shown } : {}),
    });
    return ok;
  };
  const finish = () => {
    report.ok = checks.length > 0 && checks.every((c) => c.status === 'pass');
    return report;
  };
  return { check, finish };
}
