// Why: `verify --synth` prints its checks in the same words as `verify` of an artwork (✓ with the value
// found, ✗ with the expected and the found value), so a collector reads both the same way.
import { formatUnits } from 'viem';
import type { SynthVerifyReport } from '../../agent/index.js';

/** A passed check's value longer than this is cut in the text output (`--json` keeps it whole). */
const PASS_VALUE_MAX = 160;

/**
 * One check line: `✓ name  value`, `✗ name  expected …  found …  (why)`. Amounts read in whole sWTI where
 * the check gives them so (`shown`); `--json` keeps the base units.
 */
export function synthCheckLine(check: SynthVerifyReport['checks'][number]): string {
  const expected = check.shown?.expected ?? check.expected;
  const actual = check.shown?.actual ?? check.actual;
  if (check.status === 'pass') {
    const value = actual ?? expected;
    const shown =
      value === undefined
        ? ''
        : value.length > PASS_VALUE_MAX
          ? `  ${value.slice(0, PASS_VALUE_MAX - 1)}… (--json prints it whole)`
          : `  ${value}`;
    return `  ✓ ${check.name}${shown}`;
  }
  return `  ✗ ${check.name}  expected ${expected ?? '(nothing stated)'}  found ${actual ?? '(nothing read)'}${check.detail ? `  (${check.detail})` : ''}`;
}

/** The decision (action, amount, date, proof kind, intent id), then one line per check. */
export function formatSynthReport(r: SynthVerifyReport): string {
  const amount = r.amount && /^\d+$/.test(r.amount) ? `${formatUnits(BigInt(r.amount), 18)} sWTI` : '';
  const head = `${r.ok ? 'VERIFIED' : 'NOT VERIFIED'} synth ${r.action ?? '?'} ${amount} ${r.date ?? ''} (${r.proofKind ?? '?'}) intent ${r.intentId} manifest ${r.manifestCid}`;
  return [head.replace(/\s+/g, ' '), ...r.checks.map(synthCheckLine)].join('\n');
}

/** The closing line of `verify --synth`: `1 decision, 1 verified`, `3 decisions, 2 verified`. */
export function synthSummaryLine(total: number, verified: number): string {
  return `verify --synth: ${total} decision${total === 1 ? '' : 's'}, ${verified} verified`;
}
