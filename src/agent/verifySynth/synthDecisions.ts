// Why: which decisions there are to verify comes from the journal, not from the chain.
import type { Journal } from '../journal/index.js';
import type { SynthDecisionRef } from './types.js';

/** The synth decisions the journal recorded as executed (`manifest` entries of synth intents), oldest first. */
export function synthDecisions(journal: Journal): SynthDecisionRef[] {
  const out: SynthDecisionRef[] = [];
  const seen = new Set<string>();
  for (const e of journal.entries({ kind: 'manifest' })) {
    const p = e.payload as { cid?: string; kind?: string };
    if (!e.key || !p.cid || !p.kind?.startsWith('synth-') || seen.has(e.key)) continue;
    seen.add(e.key);
    out.push({ intentId: e.key, manifestCid: p.cid, kind: p.kind });
  }
  return out;
}
