// Why: the off-chain half of a decision (model file, features, forecast) is re-derived from the manifest
// alone, before anything is compared with the chain.
import {
  dequantize,
  inferFixed,
  type ModelFile,
  modelId as modelIdOf,
  ORACLE_FEATURE_ANSWERS,
  oracleFeaturesFixed,
  parseModelFile,
  quantize,
  toForecast,
} from '../../models/index.js';
import { type RecordCheck, show } from './checks.js';
import type { SynthManifest } from './manifest.js';
import type { SynthVerifyDependencies } from './types.js';

/**
 * `model-file`, `features-replay`, `forecast-replay`. Returns the model (undefined when its file is
 * missing or unreadable) and the fixed-point forecaster's outputs on the manifest's features, which the
 * zk checks compare with the proven outputs.
 */
export async function modelReplayChecks(
  m: SynthManifest,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<{ model: ModelFile | undefined; outputs: number[] }> {
  let model: ModelFile | undefined;
  try {
    const file = parseModelFile(await deps.loadModelFile(m.model.id));
    check('model-file', modelIdOf(file) === m.model.id, m.model.id, modelIdOf(file));
    model = file;
  } catch (error) {
    check('model-file', false, m.model.id, (error as Error).message);
  }
  const quantized = model ? m.features.map((v) => quantize(Number(v), model.scaleBits)) : [];
  const outputs = model ? inferFixed(model, quantized) : [];
  if (model) {
    // The forecaster's inputs are the oracle features of the last 21 rounds: re-derive them.
    const window = m.inputs.rounds.slice(-ORACLE_FEATURE_ANSWERS).map(([, a]) => BigInt(a));
    let derived: string;
    try {
      derived = show(oracleFeaturesFixed(window, model.scaleBits));
    } catch (error) {
      derived = (error as Error).message;
    }
    check(
      'features-replay',
      derived === show(quantized),
      derived,
      quantized,
      'oracleFeaturesFixed(last 21 answers)',
    );
    const f = toForecast(outputs.map((q) => dequantize(q, model.scaleBits)));
    const mean = f.mean.toPrecision(12);
    // The manifest's vol is max(forecast vol, EWMA vol): at least the model's.
    const volOk = Number(m.forecast.vol) >= Number(f.vol.toPrecision(12));
    check(
      'forecast-replay',
      mean === m.forecast.mean && volOk,
      `mean ${mean}, vol ≥ ${f.vol.toPrecision(12)}`,
      `mean ${m.forecast.mean}, vol ${m.forecast.vol}`,
    );
  }
  return { model, outputs };
}
