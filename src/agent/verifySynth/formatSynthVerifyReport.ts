// Why: the text a person reads is kept apart from the checks that produce it.
import { formatUnits } from 'viem';
import type { SynthVerifyReport } from './types.js';

/** One line per check: `✓ name` or `✗ name: expected … got …` (amounts in whole sWTI where the check shows them so). */
export function formatSynthVerifyReport(r: SynthVerifyReport): string {
  const amount = r.amount && /^\d+$/.test(r.amount) ? `${formatUnits(BigInt(r.amount), 18)} sWTI` : '';
  const head = `${r.ok ? 'VERIFIED' : 'NOT VERIFIED'} synth ${r.action ?? '?'} ${amount} ${r.date ?? ''} (${r.proofKind ?? '?'}) intent ${r.intentId}`;
  const lines = r.checks.map((c) =>
    c.status === 'pass'
      ? `  ✓ ${c.name}`
      : `  ✗ ${c.name}: expected ${c.shown?.expected ?? c.expected ?? '?'}, got ${c.shown?.actual ?? c.actual ?? '?'}${c.detail ? ` (${c.detail})` : ''}`,
  );
  return [head.replace(/\s+/g, ' '), ...lines].join('\n');
}
