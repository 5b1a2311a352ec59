import { NonRetryableError } from '../errors/index.js';

/**
 * Chainlink proxy round ids (`EACAggregatorProxy`): `phaseId << 64 | aggregatorRoundId`. A proxy's rounds
 * are consecutive only within one phase (one aggregator); an aggregator upgrade starts the next phase at
 * its round 1. A plain aggregator (a MedianOracle) has ids below 2^64, all in "phase 0".
 */
export const PROXY_PHASE_OFFSET = 64n;

/** The bits of a proxy round id that hold the aggregator's own round id. */
export const AGGREGATOR_ROUND_MASK = (1n << PROXY_PHASE_OFFSET) - 1n;

/** The phase of a proxy round id (0 for a plain aggregator's id). */
export const phaseOf = (roundId: bigint): bigint => roundId >> PROXY_PHASE_OFFSET;

/** The aggregator's own round id inside a proxy round id (the id itself for a plain aggregator). */
export const aggregatorRoundOf = (roundId: bigint): bigint => roundId & AGGREGATOR_ROUND_MASK;

/** Rounds an aggregator may hold and still map to distinct agent epochs (`epochOfRound`): 2^32. */
export const EPOCH_ROUNDS_PER_PHASE = 1n << 32n;

/** Phases `epochOfRound` maps (Chainlink's phase id is a uint16). */
const MAX_EPOCH_PHASE = (1n << 16n) - 1n;

/**
 * The agent's epoch for feed round `roundId` (one epoch per round): `phase · 2^32 + n − 1`, so a plain
 * aggregator's round `n` is epoch `n − 1` (as the demo's replay counts) and a proxy's epochs keep the
 * order of its rounds across aggregator upgrades while staying exact JavaScript integers (< 2^48; a raw
 * proxy id, ~2^64 and up, is not: consecutive rounds would read as one number). Epochs are consecutive
 * within a phase and jump at an upgrade (anything counted in epochs, such as an approval's deadline, then
 * counts the jump as elapsed). Throws RoundIdOutOfRangeError for round 0 of a phase, a phase above
 * 2^16 − 1 or an aggregator round at or above 2^32.
 */
export function epochOfRound(roundId: bigint): number {
  const phase = phaseOf(roundId);
  const n = aggregatorRoundOf(roundId);
  if (n === 0n || n >= EPOCH_ROUNDS_PER_PHASE || phase > MAX_EPOCH_PHASE) {
    throw new RoundIdOutOfRangeError(roundId);
  }
  return Number(phase * EPOCH_ROUNDS_PER_PHASE + n - 1n);
}

/** A feed round id the agent cannot number as an epoch (`epochOfRound`). */
export class RoundIdOutOfRangeError extends NonRetryableError {
  override name = 'RoundIdOutOfRangeError';
  readonly roundId: bigint;
  constructor(roundId: bigint) {
    super(
      `The WTI feed's latest round id ${proxyRoundIdText(roundId)} is outside what the agent numbers as epochs: an aggregator round from 1 to 2^32 − 1 in a phase up to 65,535.`,
      {
        details:
          'Every AggregatorV3 feed this project deploys, and every Chainlink proxy, stays inside it; a feed that answers round 0 or ids outside it is not one the agent can follow. Check that `--feed WTI=` (the deployment manifest) names the price feed you meant.',
        docsPath: 'docs/agent.md#epochs',
      },
    );
    this.roundId = roundId;
  }
}

/**
 * The first round of `roundId`'s phase (1 on a plain aggregator). The round before it is the last round of
 * an earlier phase (the feed accumulator's `bridgedFrom(phase << 64)`), never `phase << 64 | 0`: a window
 * ending early in a phase reaches back across that one upgrade.
 */
export const firstRoundOfPhase = (roundId: bigint): bigint => (phaseOf(roundId) << PROXY_PHASE_OFFSET) | 1n;

/** The first round of the phase after `roundId`'s: what follows a phase's last round. */
export const firstRoundOfNextPhase = (roundId: bigint): bigint =>
  ((phaseOf(roundId) + 1n) << PROXY_PHASE_OFFSET) | 1n;

/** Whether `next` (round 1 of a later phase) may follow `previous` (a real round of an earlier one): an upgrade. */
export const isPhaseBridge = (previous: bigint, next: bigint): boolean =>
  aggregatorRoundOf(next) === 1n && aggregatorRoundOf(previous) >= 1n && phaseOf(next) > phaseOf(previous);

/**
 * Whether ascending `ids` are a window of the feed's rounds in its own order: each the previous + 1, but for at
 * most one aggregator upgrade (`isPhaseBridge`), as the zk accumulator chains them. Whether the upgrade step
 * skipped a round the old aggregator published is for the publication logs to say (`oracle-window`).
 */
export function isRoundWindow(ids: readonly bigint[]): boolean {
  let bridges = 0;
  for (let i = 1; i < ids.length; i++) {
    const [previous, next] = [ids[i - 1]!, ids[i]!];
    if (next === previous + 1n) continue;
    if (!isPhaseBridge(previous, next) || ++bridges > 1) return false;
  }
  return true;
}

/** One proxy round as a person reads it: `phase 2 #42` (empty for a plain aggregator's id, already readable). */
export const proxyRoundLabel = (roundId: bigint): string =>
  phaseOf(roundId) === 0n ? '' : `phase ${phaseOf(roundId)} #${aggregatorRoundOf(roundId)}`;

/** A round id for a message: a proxy's 20-digit id followed by its label (`… (phase 2 #42)`); a plain id as is. */
export const proxyRoundIdText = (roundId: bigint): string => {
  const label = proxyRoundLabel(roundId);
  return label ? `${roundId} (${label})` : `${roundId}`;
};

/**
 * A window's rounds as a person reads them: on a Chainlink proxy (ids `phase << 64 | n`) the raw ids are
 * 20 digits, so each phase's stretch is named by its aggregator's own round numbers, and a window across
 * an upgrade shows where it crosses: `phase 1 #95..#110, phase 2 #1..#5`. Empty below 2^64 (a plain
 * aggregator's ids are already readable).
 */
export function proxyRoundsText(ids: readonly bigint[]): string {
  if (ids.length === 0 || ids.every((id) => phaseOf(id) === 0n)) return '';
  const parts: string[] = [];
  let start = 0;
  for (let i = 1; i <= ids.length; i++) {
    if (i < ids.length && phaseOf(ids[i]!) === phaseOf(ids[start]!)) continue;
    const a = ids[start]!;
    const b = ids[i - 1]!;
    parts.push(
      `phase ${phaseOf(a)} #${aggregatorRoundOf(a)}${i - 1 > start ? `..#${aggregatorRoundOf(b)}` : ''}`,
    );
    start = i;
  }
  return parts.join(', ');
}
