import {
  datasetAnswers,
  type ModelFile,
  ORACLE_FEATURE_ANSWERS,
  OracleFeatureError,
  oracleFeaturesFixed,
} from '../models/index.js';
import type { ProveParameters } from './prover.js';

/** Decimals of the oracle answers (Chainlink's WTI/USD feed uses 8; the demo publishes with 8). */
export const ANSWER_DECIMALS = 8;

/**
 * Real inputs from the shipped WTI daily series: the 21 closes ending `offset` rows before the last one
 * (0 = the last day), converted exactly as the demo publishes them to the oracle
 * (`toAnswer(value, ANSWER_DECIMALS)` on `loadDataset('wti-daily')` values), with `accPrev = 0n` — the
 * accumulator of a feed whose first absorbed round is the window's first answer (the forge fixture
 * publishes them as rounds 1..21 with START_ROUND = 1). `features` are the oracle features the circuit
 * derives (`oracleFeaturesFixed` at the model's scaleBits).
 */
export function wtiInputs(
  model: ModelFile,
  offset = 0,
  dataDir?: string,
): ProveParameters & { date: string; answers: bigint[]; accPrev: bigint; features: bigint[] } {
  const all = datasetAnswers('wti-daily', { decimals: ANSWER_DECIMALS, ...(dataDir ? { dataDir } : {}) });
  const last = all.answers.length - 1 - offset;
  if (!Number.isInteger(offset) || offset < 0 || last < ORACLE_FEATURE_ANSWERS - 1)
    throw new RangeError(
      `wtiInputs: offset ${offset} leaves no ${ORACLE_FEATURE_ANSWERS}-day window in ${all.answers.length} WTI rows; use 0 ≤ offset ≤ ${all.answers.length - ORACLE_FEATURE_ANSWERS}`,
    );
  const answers = all.answers.slice(last - ORACLE_FEATURE_ANSWERS + 1, last + 1);
  if (answers.some((a) => a <= 0n))
    throw new OracleFeatureError(
      `the WTI window ending ${all.dates[last]!} holds a non-positive close; pick another offset.`,
    );
  return {
    date: all.dates[last]!,
    answers,
    accPrev: 0n,
    features: oracleFeaturesFixed(answers, model.scaleBits),
  };
}
