import { NonRetryableError } from '../../errors/index.js';
import { divRound, divRoundBig, isqrtBig, ONE } from './intMath.js';

/** One oracle round as AggregatorV3 `getRoundData` returns it (the fields the generator uses). */
export type OracleRound = { roundId: bigint; answer: bigint; updatedAt: bigint };

export type MarketRegime = 'calm' | 'trending-up' | 'trending-down' | 'volatile';

/**
 * The market-state vector that conditions the generator. Every field is an integer; returns are in
 * parts per million (ppm, 1 % = 10,000), clamped to ±1,000,000,000 ppm.
 */
export type MarketState = {
  /** Number of rounds the state was derived from (≥ 2). */
  rounds: number;
  /** Return of the last round over the one before it. */
  return1Ppm: number;
  /** Return of the last round over the first round of the window. */
  returnNPpm: number;
  /** Root mean square of the round-over-round returns (floor of the integer square root). */
  volatilityPpm: number;
  /** Forecast return for the next round (0 when no forecast is given). */
  forecastPpm: number;
  regime: MarketRegime;
};

/** A forecast, either as a return in ppm or as a predicted answer in the feed's decimals. */
export type MarketForecast = { returnPpm: number } | { answer: bigint };

export const PPM = 1_000_000n;
export const PPM_CLAMP = 1_000_000_000;
/** Volatility at or above 2 % per round is the 'volatile' regime. */
export const VOLATILE_PPM = 20_000;
/** A trend needs a window return beyond max(0.5 %, 2 × volatility). */
export const TREND_MIN_PPM = 5_000;

export class InvalidMarketInputError extends NonRetryableError {
  override name = 'InvalidMarketInputError';
  constructor(problem: string, details?: string) {
    super(`Cannot derive a market state: ${problem}`, {
      details:
        details ??
        'Pass at least two oracle rounds with distinct round ids and positive answers (as returned by getRoundData).',
      docsPath: 'docs/models.md#market-state',
    });
  }
}

function clampPpm(v: bigint): number {
  const c = BigInt(PPM_CLAMP);
  return Number(v > c ? c : v < -c ? -c : v);
}

/** (to − from) / from in ppm, rounded half away from zero; `from` must be positive. */
function returnPpm(from: bigint, to: bigint): bigint {
  return divRoundBig((to - from) * PPM, from);
}

/**
 * Derives the market state from oracle rounds, deterministically: rounds are sorted by round id;
 * returns are exact integer ratios rounded half away from zero; volatility is the integer square
 * root of the floored mean of squared returns; the regime is 'volatile' when volatility ≥ 2 %,
 * else 'trending-up'/'trending-down' when the window return is beyond max(0.5 %, 2 × volatility),
 * else 'calm'. `decimals` scales a forecast given as an answer (it must match the feed's).
 */
export function marketStateFromRounds(
  rounds: readonly OracleRound[],
  decimals: number,
  forecast?: MarketForecast,
): MarketState {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) {
    throw new InvalidMarketInputError(`decimals ${decimals} is not an integer in [0, 36]`);
  }
  if (rounds.length < 2) throw new InvalidMarketInputError(`got ${rounds.length} round(s), need at least 2`);
  const sorted = [...rounds].sort((a, b) => (a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0));
  for (let i = 0; i < sorted.length; i += 1) {
    const r = sorted[i]!;
    if (i > 0 && r.roundId === sorted[i - 1]!.roundId) {
      throw new InvalidMarketInputError(`round id ${r.roundId} appears twice`);
    }
    if (r.answer <= 0n) {
      throw new InvalidMarketInputError(
        `round ${r.roundId} has answer ${r.answer} (not positive); returns are undefined`,
        'Returns are ratios of consecutive answers; exclude non-positive rounds (for example the negative WTI settlement of 2020-04-20) before rendering.',
      );
    }
  }
  const returns: bigint[] = [];
  for (let i = 1; i < sorted.length; i += 1)
    returns.push(returnPpm(sorted[i - 1]!.answer, sorted[i]!.answer));
  const sumSquares = returns.reduce((s, r) => s + r * r, 0n);
  const volatility = isqrtBig(sumSquares / BigInt(returns.length));
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;

  let forecastPpm = 0;
  if (forecast !== undefined) {
    if ('returnPpm' in forecast) {
      if (!Number.isSafeInteger(forecast.returnPpm)) {
        throw new InvalidMarketInputError(`forecast returnPpm ${forecast.returnPpm} is not an integer`);
      }
      forecastPpm = clampPpm(BigInt(forecast.returnPpm));
    } else {
      forecastPpm = clampPpm(returnPpm(last.answer, forecast.answer));
    }
  }

  const volatilityPpm = clampPpm(volatility);
  const returnNPpm = clampPpm(returnPpm(first.answer, last.answer));
  const trendThreshold = Math.max(TREND_MIN_PPM, 2 * volatilityPpm);
  const regime: MarketRegime =
    volatilityPpm >= VOLATILE_PPM
      ? 'volatile'
      : returnNPpm >= trendThreshold
        ? 'trending-up'
        : returnNPpm <= -trendThreshold
          ? 'trending-down'
          : 'calm';

  return {
    rounds: sorted.length,
    return1Ppm: clampPpm(returns[returns.length - 1]!),
    returnNPpm,
    volatilityPpm,
    forecastPpm,
    regime,
  };
}

/** Names of the six market features the network sees, in input order. */
export const MARKET_FEATURES = [
  'm.return1',
  'm.returnN',
  'm.volatility',
  'm.forecast',
  'm.trend',
  'm.volatile',
] as const;

function clampQ(v: number): number {
  return v > ONE ? ONE : Math.max(v, -ONE);
}

/**
 * The market state as six Q12 features in [-1, 1]: last return / 5 %, window return / 20 %,
 * volatility / 5 %, forecast / 5 % (each rounded half away from zero, then clamped), trend
 * (+1 up, −1 down, 0 otherwise) and volatile (+1 or −1).
 */
export function marketFeatures(state: MarketState): Int32Array {
  return Int32Array.from([
    clampQ(divRound(state.return1Ppm * ONE, 50_000)),
    clampQ(divRound(state.returnNPpm * ONE, 200_000)),
    clampQ(divRound(state.volatilityPpm * ONE, 50_000)),
    clampQ(divRound(state.forecastPpm * ONE, 50_000)),
    state.regime === 'trending-up' ? ONE : state.regime === 'trending-down' ? -ONE : 0,
    state.regime === 'volatile' ? ONE : -ONE,
  ]);
}
