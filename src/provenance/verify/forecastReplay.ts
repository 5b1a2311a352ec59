// Why: a replay render's forecast is re-derived by re-running its forecaster, not taken on trust.
import { keccak256 } from 'viem';
import { isRoundWindow } from '../../chain/index.js';
import {
  fixedToPpm,
  inferFixed,
  type ModelFile,
  ORACLE_FEATURE_ANSWERS,
  oracleFeaturesFixed,
  parseModelFile,
} from '../../models/index.js';
import type { Manifest } from '../manifest.js';
import type { Hex, VerifyCheck, VerifyDependencies } from './types.js';
import { tryLoad } from './util.js';

/**
 * `forecast-replay`: a `replay` render's forecast is the forecaster's output, re-derived from the manifest
 * alone. The forecaster file is loaded by `inputs.forecast.modelId` (it must hash to it and be a
 * forecaster); its features are `oracleFeaturesFixed` of the answers of the manifest's 21 newest rounds
 * (consecutive round ids; each one is compared with `getRoundData` by `oracle-input[i]`) at the model's
 * `scaleBits`; `inferFixed` runs the integer inference; the expected forecast is
 * `fixedToPpm(outputs[0], scaleBits)` (round half away from zero) and must equal `inputs.forecast.returnPpm`.
 * A manifest with no forecast is skipped with the reason (market-state then requires forecastPpm 0); a
 * forecast that names no forecaster fails: nothing could re-derive it, and it shapes the image.
 */
export async function forecastReplayCheck(
  manifest: Manifest,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  const name = 'forecast-replay';
  const stated = manifest.inputs.forecast;
  if (!stated)
    return {
      name,
      status: 'skip',
      detail:
        'the render used no forecast (forecastPpm 0 by design, checked by market-state): nothing to re-derive',
    };
  if (!stated.modelId)
    return {
      name,
      status: 'fail',
      expected: 'a forecast naming its forecaster (inputs.forecast.modelId), re-derived from the rounds',
      actual: `forecast ${stated.returnPpm} ppm of no named forecaster`,
      detail:
        'the manifest names no forecaster, so its forecast (which shapes the market state and the image) cannot be re-derived',
    };
  const id = stated.modelId as Hex;
  const actual = `forecast ${stated.returnPpm} ppm of model ${id}`;
  const fail = (detail: string, expected?: string): VerifyCheck => ({
    name,
    status: 'fail',
    ...(expected !== undefined ? { expected } : {}),
    actual,
    detail,
  });
  const loaded = await tryLoad(() => deps.loadModelFile(id));
  if ('error' in loaded) return fail(`forecaster file: ${loaded.error}`, `the forecaster ${id}`);
  const fileId = keccak256(loaded.bytes);
  if (fileId !== id)
    return fail(
      'the forecaster file does not hash to the model id in the manifest',
      `a file hashing to ${id}, found ${fileId}`,
    );
  let model: ModelFile;
  try {
    model = parseModelFile(loaded.bytes, id);
  } catch (error) {
    return fail(`forecaster file: ${(error as Error).message.split('\n')[0]}`);
  }
  if (model.kind !== 'forecaster')
    return fail(`model ${id} is a ${model.kind}, not a forecaster`, `a forecaster file for ${id}`);
  const rounds = manifest.inputs.oracle.rounds
    .map((r) => ({ roundId: BigInt(r.roundId), answer: BigInt(r.answer) }))
    .sort((a, b) => (a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0))
    .slice(-ORACLE_FEATURE_ANSWERS);
  if (rounds.length < ORACLE_FEATURE_ANSWERS)
    return fail(
      `the manifest carries ${rounds.length} round(s); the forecaster's features need ${ORACLE_FEATURE_ANSWERS}`,
    );
  // Consecutive in the feed's own order: one aggregator upgrade may sit between them, as the agent reads a
  // window after an upgrade (whether the old phase ended there is `oracle-window`'s to check).
  if (!isRoundWindow(rounds.map((r) => r.roundId))) {
    const gap = rounds.findIndex((r, i) => i > 0 && r.roundId !== rounds[i - 1]!.roundId + 1n);
    return fail(
      `the forecast's rounds are not consecutive (round ${rounds[gap - 1]!.roundId} is followed by ${rounds[gap]!.roundId}; at most one aggregator upgrade may sit between two rounds)`,
    );
  }
  const first = rounds[0]!.roundId;
  const last = rounds.at(-1)!.roundId;
  let output: bigint;
  try {
    const features = oracleFeaturesFixed(
      rounds.map((r) => r.answer),
      model.scaleBits,
    );
    output = BigInt(inferFixed(model, features.map(Number))[0]!);
  } catch (error) {
    return fail(`re-running the forecaster: ${(error as Error).message.split('\n')[0]}`);
  }
  const expectedPpm = fixedToPpm(output, model.scaleBits);
  const expected = `forecast ${expectedPpm} ppm of model ${id} (fixed-point output ${output} at 2^-${model.scaleBits} on rounds ${first}..${last})`;
  const same = expectedPpm === stated.returnPpm;
  return {
    name,
    status: same ? 'pass' : 'fail',
    expected,
    actual,
    ...(same ? {} : { detail: "the manifest's forecast is not the forecaster's output on its rounds" }),
  };
}
