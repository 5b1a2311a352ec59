// Why: checks that place a version's log against other logs share one ordering rule and one wording.
import type { ChainPosition } from './types.js';

/** True when position `a` is before `b` (same block and a log index unknown: counted as before). */
export function positionBefore(a: ChainPosition, b: ChainPosition): boolean {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber;
  return a.logIndex === undefined || b.logIndex === undefined || a.logIndex < b.logIndex;
}

export const describePosition = (p: ChainPosition) =>
  `block ${p.blockNumber}${p.logIndex !== undefined ? ` log ${p.logIndex}` : ''}`;

/** The event that records `version` of a token: its mint, or an evolve. */
export const logName = (version: number) => (version === 0 ? 'Minted' : 'Evolved');
