import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../models/index.js';
import { datasetFeatures, quantize } from '../models/index.js';
import type { ProveParameters } from './prover.js';
import { REPO_ROOT } from './setup.js';

/** Decimals of the oracle answers (Chainlink's WTI/USD feed uses 8). */
export const ANSWER_DECIMALS = 8;

/** Price (decimal string) → oracle answer integer with ANSWER_DECIMALS, exact on the decimal text. */
export function toAnswer(price: string): bigint {
  const [whole, frac = ''] = price.trim().split('.');
  const neg = whole!.startsWith('-');
  const digits = BigInt(
    `${whole!.replace('-', '')}${frac.padEnd(ANSWER_DECIMALS, '0').slice(0, ANSWER_DECIMALS)}`,
  );
  return neg ? -digits : digits;
}

/**
 * Real inputs from the shipped WTI daily series: the forecaster's features for the row at `offset`
 * from the end (0 = the last row), quantized at the model's scale, and the raw prices of that day and
 * the `answers − 1` trading days before it as oracle answers.
 */
export function wtiInputs(
  model: ModelFile,
  answers: number,
  offset = 0,
  dataDir = join(REPO_ROOT, 'data'),
): ProveParameters & { date: string; realFeatures: number[] } {
  const fs = datasetFeatures('wti-daily', dataDir);
  const row = fs.X.length - 1 - offset;
  const date = fs.dates[row]!;
  const csv = join(dataDir, 'oil-prices', 'wti-daily.csv');
  const path = existsSync(csv) ? csv : '/work/shared/data/oil-prices/wti-daily.csv';
  const lines = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
  const at = lines.findIndex((l) => l[0] === date);
  if (at < answers - 1) throw new RangeError(`wtiInputs: ${date} not found in ${path} or too early`);
  const prices = lines.slice(at - answers + 1, at + 1).map((l) => toAnswer(l[1]!));
  const realFeatures = fs.X[row]!;
  return {
    date,
    realFeatures,
    features: realFeatures.map((v) => quantize(v, model.scaleBits)),
    answers: prices,
  };
}
