import type { Address, Hex, PublicClient } from 'viem';
import { aggregatorRoundOf, phaseOf } from '../chain/index.js';
import {
  type DriftMonitor,
  type DriftStatus,
  ewmaVariance,
  inferFixedReal,
  type ModelFile,
  ORACLE_FEATURE_ANSWERS,
  ORACLE_FEATURE_NAMES,
  type OutlierFlag,
  type OutlierGate,
  oracleFeaturesReal,
  QUIET_DRIFT_STATUS,
  toForecast,
} from '../models/index.js';
import { checkRound, type FeedRound, type FeedRules, readFeedWindow } from '../oracle/index.js';
import type { Journal } from './journal/index.js';

/**
 * What the agent saw on-chain this epoch: a window of WTI oracle rounds, oldest first (the forecaster's
 * oracle-only features need nothing else).
 */
export type Observation = {
  /**
   * The block every read of this observation was made at (the latest when it began). The art manifest's
   * policy snapshot is read at the same block, so `verify` can check the window was the feed's latest at
   * the agent's read even when a round lands before the transaction is mined.
   */
  blockNumber: bigint;
  /** That block's timestamp (seconds). */
  now: bigint;
  date: string;
  wti: FeedRound[];
  decimals: number;
  feeds: { WTI: Address };
};

/** What the models made of it. */
export type Inference = {
  features: number[];
  featureNames: string[];
  /** Next-day log return and its volatility (per day), from the fixed-point forecaster. */
  forecast: { mean: number; vol: number };
  /** EWMA volatility of daily returns (per day). */
  ewmaVol: number;
  /** The return realised today, ln(p_t / p_{t-1}). */
  realised: number;
  /** Yesterday's forecast error, if known. */
  previousError: number | undefined;
  drift: DriftStatus;
  /**
   * The highest Page–Hinkley and PSI statistics over the rows this call fed (`drift` holds the last row's:
   * after an alarm the Page–Hinkley statistic restarts, and a confirming round feeds two rows), for the
   * report's drift chart. When nothing was fed (a held round), the monitor's carried statistics.
   */
  driftPeak: { pageHinkley: number; psi: number };
  /** Flagged: the round is held or rejected under the outlier rule — do not act on it. */
  outlier: OutlierFlag;
  /**
   * Exactly what this call fed the drift monitor, in order (empty for a held or rejected round; two
   * entries when this round confirmed a held one): what a journal replay must feed again.
   */
  fed: { features: number[]; error: number | undefined }[];
  price: number;
};

const dayOf = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().slice(0, 10);

export async function observe(
  client: PublicClient,
  feeds: { WTI: Address },
  rounds: number,
  decimals: number,
): Promise<Observation> {
  const block = await client.getBlock({ blockTag: 'latest' });
  const wti = await readFeedWindow(client, feeds.WTI, rounds, { blockNumber: block.number });
  return {
    blockNumber: block.number,
    now: block.timestamp,
    date: dayOf(block.timestamp),
    wti,
    decimals,
    feeds: { WTI: feeds.WTI },
  };
}

/** The agent's freshness / deviation / positivity rules on the newest WTI round (throws FeedRefusedError). */
export function checkObservation(observation: Observation, rules: FeedRules): void {
  const latest = observation.wti.at(-1);
  if (!latest) throw new RangeError('no WTI rounds');
  checkRound('WTI / USD', latest, observation.wti.at(-2), observation.now, rules);
}

/**
 * The forecaster's features for the newest round, by the same `oracleFeaturesReal` the forecaster was
 * trained with and the zk circuit re-derives: from the WTI oracle's last 21 answers only (no other data),
 * so a proof of the forecast binds it to the oracle's rounds. `returns` are the log returns between
 * consecutive rounds (for the EWMA, drift and outlier checks). RangeError with too little history.
 */
export function featuresFromObservation(
  observation: Pick<Observation, 'wti'>,
  scaleBits: number,
): { names: string[]; features: number[]; returns: number[] } {
  const answers = observation.wti.map((r) => r.answer);
  if (answers.length < ORACLE_FEATURE_ANSWERS) {
    // The window reaches back across at most ONE aggregator upgrade (as the zk gate and verify take it):
    // when it still starts at round 1 of a proxy phase after the first, the phase before that one was
    // not reached (two upgrades inside one window), so the agent waits for the rounds from there to add up.
    const first = observation.wti[0]?.roundId;
    const upgraded =
      first !== undefined && phaseOf(first) > 1n && aggregatorRoundOf(first) === 1n
        ? `; the window crosses at most one aggregator upgrade and stops at round ${first}, the first of phase ${phaseOf(first)}: the agent acts again once the rounds from there reach ${ORACLE_FEATURE_ANSWERS}`
        : '';
    throw new RangeError(
      `not enough oracle history for features (${answers.length} rounds, ${ORACLE_FEATURE_ANSWERS} needed${upgraded})`,
    );
  }
  const features = oracleFeaturesReal(answers.slice(-ORACLE_FEATURE_ANSWERS), scaleBits);
  const returns: number[] = [];
  for (let i = 1; i < answers.length; i++)
    returns.push(Math.log(Number(answers[i]!) / Number(answers[i - 1]!)));
  return { names: [...ORACLE_FEATURE_NAMES], features, returns };
}

/** What the drift monitor is fed per round (and what the outlier gate holds back). */
export type FedRow = { features: number[]; error: number | undefined };

export type InferState = {
  monitor: DriftMonitor;
  lastForecast: number | undefined;
  /** The single-round outlier rule (`OutlierGate`); created from `monitor` on the first call when absent. */
  outliers?: OutlierGate<FedRow>;
  /** The last status the monitor returned (what a held or rejected round reports). */
  lastDrift?: DriftStatus;
  /** The round the last call decided on: a repeated call on the same round decides nothing new. */
  lastRound?: { roundId: bigint; inference: Inference };
};

/**
 * Features, fixed-point forecast, EWMA volatility and drift status for the newest round. The
 * single-round outlier rule is the backtest's (`OutlierGate`, docs/models.md): a round whose return is
 * flagged is held — its features and its forecast error are not fed to the drift monitor, and
 * `outlier.flagged` tells the caller not to act on it; the next round either confirms the jump (did not
 * revert by more than half: both rounds are fed, in order) or reverts it (both discarded, the reverting
 * round also flagged).
 */
export function infer(observation: Observation, model: ModelFile, state: InferState): Inference {
  const latest = observation.wti.at(-1)!;
  if (state.lastRound && latest && state.lastRound.roundId === latest.roundId)
    return state.lastRound.inference;
  const { names, features, returns } = featuresFromObservation(observation, model.scaleBits);
  const forecast = toForecast(inferFixedReal(model, features));
  const realised = returns.at(-1) ?? 0;
  const previousError = state.lastForecast === undefined ? undefined : realised - state.lastForecast;
  const variances = ewmaVariance(returns);
  const ewmaVol = Math.sqrt(variances.at(-1) ?? 0);
  state.outliers ??= state.monitor.outlierGate();
  const gate = state.outliers.step(realised, returns.slice(-61, -1), { features, error: previousError });
  let drift = state.lastDrift ?? QUIET_DRIFT_STATUS;
  // A round that feeds nothing (held or rejected) leaves the monitor as it was: its statistics carry over.
  const driftPeak =
    gate.feed.length === 0 ? { pageHinkley: drift.pageHinkley, psi: drift.psi } : { pageHinkley: 0, psi: 0 };
  for (const fed of gate.feed) {
    drift = state.monitor.update(fed.features, fed.error);
    driftPeak.pageHinkley = Math.max(driftPeak.pageHinkley, drift.pageHinkley);
    driftPeak.psi = Math.max(driftPeak.psi, drift.psi);
  }
  state.lastDrift = drift;
  state.lastForecast = forecast.mean;
  const inference: Inference = {
    features,
    featureNames: names,
    forecast,
    ewmaVol,
    realised,
    previousError,
    drift,
    driftPeak,
    outlier: gate.flag,
    fed: gate.feed,
    price: Number(latest.answer) / 10 ** observation.decimals,
  };
  state.lastRound = { roundId: latest.roundId, inference };
  return inference;
}

/**
 * The outlier gate's held round as the journal stores it (JSON: finite doubles round-trip exactly;
 * an absent forecast error is null; a non-finite robust z — a constant window — is null).
 */
export type JournalledHold = {
  value: number;
  payload: { features: number[]; error: number | null };
  flag: JournalledFlag;
};

/** An outlier flag as the journal stores it: a non-finite robust z (a constant window) is null. */
type JournalledFlag = { flagged: boolean; z: number | null; reason?: string | null | undefined };

/** The gate's held round in journal form, or null when nothing is held. */
export function heldForJournal(state: Pick<InferState, 'outliers'>): JournalledHold | null {
  const held = state.outliers?.pendingSnapshot();
  if (!held) return null;
  return {
    value: held.value,
    payload: { features: [...held.payload.features], error: held.payload.error ?? null },
    flag: flagForJournal(held.flag),
  };
}

/** The inverse of `heldForJournal` (null/absent: nothing held). */
export function holdFromJournal(
  held: JournalledHold | null | undefined,
): { value: number; payload: FedRow; flag: OutlierFlag } | undefined {
  if (!held) return undefined;
  return {
    value: held.value,
    payload: { features: [...held.payload.features], error: held.payload.error ?? undefined },
    flag: flagFromJournal(held.flag),
  };
}

/** An outlier flag in journal form: a non-finite robust z (a constant window) becomes null (JSON has no Infinity). */
export const flagForJournal = (flag: OutlierFlag): JournalledFlag => ({
  ...flag,
  z: Number.isFinite(flag.z) ? flag.z : null,
});

/** The inverse of `flagForJournal`. */
const flagFromJournal = (flag: JournalledFlag): OutlierFlag => ({
  flagged: flag.flagged,
  z: flag.z ?? Number.POSITIVE_INFINITY,
  reason: flag.reason ?? undefined,
});

/**
 * The `decision` entry the agent journals for a round: the inference's inputs and outputs, exactly
 * what it fed the drift monitor (`fed`), and what the outlier gate holds after the round (`held`,
 * null when nothing is held), so a restart resumes the gate where it was (`restoreInferState`).
 * Call it right after `infer` on the same state.
 */
export function decisionPayload(
  observation: Pick<Observation, 'date' | 'wti'>,
  inference: Inference,
  state: Pick<InferState, 'outliers'>,
  model: Hex,
): Record<string, unknown> {
  return {
    date: observation.date,
    round: observation.wti.at(-1)?.roundId.toString(),
    price: inference.price,
    features: inference.features,
    previousError: inference.previousError ?? null,
    forecast: inference.forecast,
    ewmaVol: inference.ewmaVol,
    realised: inference.realised,
    drift: inference.drift,
    driftPeak: inference.driftPeak,
    outlier: flagForJournal(inference.outlier),
    fed: inference.fed.map((x) => ({ features: x.features, error: x.error ?? null })),
    held: heldForJournal(state),
    model,
  };
}

/** A `decision` entry's payload as read back (older journals lack `fed`, `realised` and `held`). */
type DecisionRecord = {
  date?: string;
  round?: string;
  price?: number;
  features?: number[];
  previousError?: number | null;
  forecast?: { mean: number; vol: number };
  ewmaVol?: number;
  realised?: number;
  drift?: DriftStatus & { reason?: string | null };
  driftPeak?: { pageHinkley: number; psi: number };
  outlier?: JournalledFlag;
  fed?: { features: number[]; error: number | null }[];
  held?: JournalledHold | null;
  rebaseline?: boolean;
};

/** The recent rows a re-baseline uses (`Agent.rebaseline`): up to 250 feature rows and fed errors. */
export type RecentRows = { recentFeatures: number[][]; recentErrors: number[] };

/**
 * The recent rows after one newly decided round: its feature row, and the forecast errors it fed the
 * drift monitor (none for a held or rejected outlier, two when it confirmed a held round). Called once
 * per round, by the running agent and by the journal replay alike (`restoreInferState`), so a restarted
 * agent re-baselines on exactly the rows an uninterrupted one would: a round decided again (an epoch
 * shorter than the oracle's round interval, an epoch re-run) is not appended twice.
 */
export function appendRecent(
  recent: RecentRows,
  features: number[],
  fed: readonly { error: number | null | undefined }[],
): RecentRows {
  let recentErrors = recent.recentErrors;
  for (const x of fed) if (typeof x.error === 'number') recentErrors = [...recentErrors.slice(-249), x.error];
  return { recentFeatures: [...recent.recentFeatures.slice(-249), features], recentErrors };
}

/**
 * Rebuilds the agent's inference state from the journal's `decision` entries, in order: replays
 * exactly what each round fed the drift monitor (`onRebaseline` is called at each re-baseline entry
 * with the recent rows and fed errors up to it), then restores from the last decided round the last
 * forecast, the last drift status, the outlier gate's held round (`held`) and the round itself, so
 * the next round resolves a hold exactly as an uninterrupted run would and a repeated epoch on the
 * same round decides nothing new. A decision repeated on the round before it (an epoch re-run after
 * a restart) is not replayed twice. Journals written before `held` was recorded restore an empty
 * gate. Returns the recent feature rows and fed errors (up to 250 each) for a later re-baseline.
 */
export function restoreInferState(
  journal: Pick<Journal, 'entries'>,
  state: InferState,
  onRebaseline?: (rows: number[][], errors: number[]) => void,
): RecentRows {
  let recent: RecentRows = { recentFeatures: [], recentErrors: [] };
  let last: DecisionRecord | undefined;
  for (const entry of journal.entries({ kind: 'decision' })) {
    const p = entry.payload as DecisionRecord;
    if (p.rebaseline) {
      onRebaseline?.(recent.recentFeatures, recent.recentErrors);
      continue;
    }
    if (!p.features) continue;
    if (last?.round !== undefined && p.round === last.round) continue;
    // Replay exactly what the monitor was fed: nothing for a held or rejected outlier round, both rounds
    // when a held one was confirmed (journals from before the outlier gate recorded one row each).
    const fed = p.fed ?? [{ features: p.features, error: p.previousError ?? null }];
    for (const x of fed) state.monitor.update(x.features, x.error ?? undefined);
    recent = appendRecent(recent, p.features, fed);
    state.lastForecast = p.forecast?.mean;
    last = p;
  }
  if (last) {
    state.outliers = state.monitor.outlierGate<FedRow>().restore(holdFromJournal(last.held));
    if (last.drift) state.lastDrift = driftFromJournal(last.drift);
    const inference = inferenceFromJournal(last);
    if (inference && last.round !== undefined) state.lastRound = { roundId: BigInt(last.round), inference };
  }
  return recent;
}

function driftFromJournal(drift: DriftStatus & { reason?: string | null }): DriftStatus {
  return { ...drift, reason: drift.reason ?? undefined };
}

/** The Inference a journalled decision recorded (undefined for journals without `realised`). */
function inferenceFromJournal(p: DecisionRecord): Inference | undefined {
  if (
    p.features === undefined ||
    p.forecast === undefined ||
    p.ewmaVol === undefined ||
    p.realised === undefined ||
    p.drift === undefined ||
    p.outlier === undefined ||
    p.fed === undefined ||
    p.price === undefined
  )
    return undefined;
  return {
    features: p.features,
    featureNames: [...ORACLE_FEATURE_NAMES],
    forecast: p.forecast,
    ewmaVol: p.ewmaVol,
    realised: p.realised,
    previousError: p.previousError ?? undefined,
    drift: driftFromJournal(p.drift),
    // Journals from before the peak was recorded: the last row's statistics.
    driftPeak: p.driftPeak ?? { pageHinkley: p.drift.pageHinkley, psi: p.drift.psi },
    outlier: flagFromJournal(p.outlier),
    fed: p.fed.map((x) => ({ features: x.features, error: x.error ?? undefined })),
    price: p.price,
  };
}
