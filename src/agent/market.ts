import type { Address, PublicClient } from 'viem';
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
  toForecast,
} from '../models/index.js';
import { checkRound, type FeedRound, type FeedRules, readFeedWindow } from '../oracle/index.js';

/**
 * What the agent saw on-chain this epoch: a window of WTI oracle rounds, oldest first (the forecaster's
 * oracle-only features need nothing else).
 */
export type Observation = {
  /** Latest block timestamp (seconds). */
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
  const [block, wti] = await Promise.all([
    client.getBlock({ blockTag: 'latest' }),
    readFeedWindow(client, feeds.WTI, rounds),
  ]);
  return { now: block.timestamp, date: dayOf(block.timestamp), wti, decimals, feeds: { WTI: feeds.WTI } };
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
  if (answers.length < ORACLE_FEATURE_ANSWERS)
    throw new RangeError(
      `not enough oracle history for features (${answers.length} rounds, ${ORACLE_FEATURE_ANSWERS} needed)`,
    );
  const features = oracleFeaturesReal(answers.slice(-ORACLE_FEATURE_ANSWERS), scaleBits);
  const returns: number[] = [];
  for (let i = 1; i < answers.length; i++)
    returns.push(Math.log(Number(answers[i]!) / Number(answers[i - 1]!)));
  return { names: [...ORACLE_FEATURE_NAMES], features, returns };
}

export type InferState = {
  monitor: DriftMonitor;
  lastForecast: number | undefined;
  /** The single-round outlier rule (`OutlierGate`); created from `monitor` on the first call when absent. */
  outliers?: OutlierGate<{ features: number[]; error: number | undefined }>;
  /** The last status the monitor returned (what a held or rejected round reports). */
  lastDrift?: DriftStatus;
  /** The round the last call decided on: a repeated call on the same round decides nothing new. */
  lastRound?: { roundId: bigint; inference: Inference };
};

const NO_DRIFT: DriftStatus = {
  halt: false,
  reason: undefined,
  psi: 0,
  errorAlarm: false,
  inputAlarm: false,
  pageHinkley: 0,
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
  let drift = state.lastDrift ?? NO_DRIFT;
  for (const fed of gate.feed) drift = state.monitor.update(fed.features, fed.error);
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
    outlier: gate.flag,
    fed: gate.feed,
    price: Number(latest.answer) / 10 ** observation.decimals,
  };
  state.lastRound = { roundId: latest.roundId, inference };
  return inference;
}
