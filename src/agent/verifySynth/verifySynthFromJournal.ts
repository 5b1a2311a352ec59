// Why: `verify --synth` (all, or one intent) walks the journal's decisions one after another.
import type { Hex } from 'viem';
import type { Journal } from '../journal/index.js';
import { synthDecisions } from './synthDecisions.js';
import type { SynthVerifyDependencies, SynthVerifyReport } from './types.js';
import { verifySynthDecision } from './verifySynthDecision.js';

/** Verifies every synth decision the journal recorded (or the one with `intentId`). */
export async function verifySynthFromJournal(
  journal: Journal,
  deps: SynthVerifyDependencies,
  options: { intentId?: Hex | undefined } = {},
): Promise<SynthVerifyReport[]> {
  const refs = synthDecisions(journal).filter(
    (r) => !options.intentId || r.intentId.toLowerCase() === options.intentId.toLowerCase(),
  );
  const reports: SynthVerifyReport[] = [];
  for (const ref of refs) reports.push(await verifySynthDecision(ref, deps));
  return reports;
}
