// Why: the folder's public surface; `../verifySynth.ts` re-exports it so existing imports keep working.
export { formatSynthVerifyReport } from './formatSynthVerifyReport.js';
export { loadCircuitByHash } from './loadCircuitByHash.js';
export { synthDecisions } from './synthDecisions.js';
export { synthVerifyDependencies } from './synthVerifyDependencies.js';
export type {
  SynthCheck,
  SynthCheckStatus,
  SynthDecisionRef,
  SynthVerifyDependencies,
  SynthVerifyReport,
} from './types.js';
export { verifySynthDecision } from './verifySynthDecision.js';
export { verifySynthFromJournal } from './verifySynthFromJournal.js';
