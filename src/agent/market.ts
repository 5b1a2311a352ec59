import type { Address, PublicClient } from 'viem';
import type { Series } from '../data/index.js';
import {
  buildFeatures,
  type DriftMonitor,
  type DriftStatus,
  ewmaVariance,
  inferFixedReal,
  type ModelFile,
  type OutlierFlag,
  toForecast,
} from '../models/index.js';
import { checkRound, type FeedRound, type FeedRules, readFeedWindow } from '../oracle/index.js';

/** What the agent saw on-chain this epoch: windows of oracle rounds, oldest first. */
export type Observation = {
  /** Latest block timestamp (seconds). */
  now: bigint;
  date: string;
  wti: FeedRound[];
  brent: FeedRound[];
  decimals: number;
  feeds: { WTI: Address; BRENT: Address };
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
  outlier: OutlierFlag;
  price: number;
};

const dayOf = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().slice(0, 10);

export async function observe(
  client: PublicClient,
  feeds: { WTI: Address; BRENT: Address },
  rounds: number,
  decimals: number,
): Promise<Observation> {
  const [block, wti, brent] = await Promise.all([
    client.getBlock({ blockTag: 'latest' }),
    readFeedWindow(client, feeds.WTI, rounds),
    readFeedWindow(client, feeds.BRENT, rounds),
  ]);
  return { now: block.timestamp, date: dayOf(block.timestamp), wti, brent, decimals, feeds };
}

/** The agent's freshness / deviation / positivity rules on the newest WTI round (throws FeedRefusedError). */
export function checkObservation(observation: Observation, rules: FeedRules): void {
  const latest = observation.wti.at(-1);
  if (!latest) throw new RangeError('no WTI rounds');
  checkRound('WTI / USD', latest, observation.wti.at(-2), observation.now, rules);
}

/** Rounds → a daily Series (one point per day; a later round the same day replaces an earlier one). */
export function roundsToSeries(name: string, rounds: readonly FeedRound[], decimals: number): Series {
  const byDay = new Map<string, number>();
  for (const r of rounds) byDay.set(dayOf(r.updatedAt), Number(r.answer) / 10 ** decimals);
  return { name, frequency: 'daily', points: [...byDay.entries()].map(([date, value]) => ({ date, value })) };
}

/**
 * Features for the newest round, built by the same `buildFeatures` the forecaster was trained with:
 * WTI and Brent from the oracle's rounds, CPI from the shipped dataset as released by that date.
 */
export function featuresFromObservation(
  observation: Observation,
  cpi: Series,
): { names: string[]; rows: number[][]; returns: number[] } {
  const target = roundsToSeries('WTI', observation.wti, observation.decimals);
  const cross = roundsToSeries('Brent', observation.brent, observation.decimals);
  const set = buildFeatures({ target, cross, cpi });
  return { names: set.names, rows: set.X, returns: set.r };
}

export type InferState = { monitor: DriftMonitor; lastForecast: number | undefined };

export function infer(observation: Observation, model: ModelFile, cpi: Series, state: InferState): Inference {
  const { names, rows, returns } = featuresFromObservation(observation, cpi);
  const features = rows.at(-1);
  if (!features)
    throw new RangeError(`not enough oracle history for features (${observation.wti.length} rounds)`);
  const forecast = toForecast(inferFixedReal(model, features));
  const realised = returns.at(-1) ?? 0;
  const previousError = state.lastForecast === undefined ? undefined : realised - state.lastForecast;
  const variances = ewmaVariance(returns);
  const ewmaVol = Math.sqrt(variances.at(-1) ?? 0);
  const outlier = state.monitor.checkRound(realised, returns.slice(-61, -1));
  const drift = state.monitor.update(features, previousError);
  state.lastForecast = forecast.mean;
  const latest = observation.wti.at(-1)!;
  return {
    features,
    featureNames: names,
    forecast,
    ewmaVol,
    realised,
    previousError,
    drift,
    outlier,
    price: Number(latest.answer) / 10 ** observation.decimals,
  };
}
