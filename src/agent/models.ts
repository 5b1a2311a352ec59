import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Hex, keccak256 } from 'viem';
import { NonRetryableError } from '../errors/index.js';
import { writeFileAtomicSync } from '../files/index.js';
import {
  inferFixedReal,
  type ModelFile,
  modelFileBytes,
  modelId,
  oracleDatasetFeatures,
  parseModelFile,
  trainForecaster,
} from '../models/index.js';

/** The repository's shipped model files. */
export const MODELS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../models');

export function loadGenerator(): { model: ModelFile; id: Hex; bytes: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(join(MODELS_DIR, 'generator-v1.json')));
  const model = parseModelFile(bytes, 'models/generator-v1.json');
  return { model, id: modelId(model), bytes };
}

/** Fixed fixed-point scale of the agent's forecaster: the zk circuit (zk/ridge/) is generated for exactly this scale. */
export const AGENT_FORECASTER_SCALE_BITS = 20;

export type TrainedForecaster = {
  model: ModelFile;
  id: Hex;
  bytes: Uint8Array;
  reference: { X: number[][]; errors: number[] };
};

/**
 * The forecaster the agent runs, trained only on data dated before `trainEnd` (no look-ahead into the
 * replayed history): ten years of daily WTI, on the oracle-only features (`oracleFeaturesFixed`: the last
 * 21 prices as the WTI feed publishes them), fixed seed, exported to fixed point. Oracle-only, so the zk
 * circuit can derive every feature from the feed's answers and the proof binds the forecast to the
 * oracle (issue 8). Deterministic, so the same inputs give the same model id; cached under
 * `<stateDir>/models/`. The drift detector's reference is the training window and its in-sample errors.
 */
export function trainAgentForecaster(parameters: {
  kind: 'ridge' | 'mlp';
  trainEnd: string;
  stateDir: string;
}): TrainedForecaster {
  const features = oracleDatasetFeatures('wti-daily', { scaleBits: AGENT_FORECASTER_SCALE_BITS });
  const trained = trainForecaster({
    features,
    kind: parameters.kind,
    trainEnd: parameters.trainEnd,
    window: 2520,
    seed: 42,
    name: `forecaster-wti-${parameters.kind}`,
    version: parameters.trainEnd,
    scaleBits: AGENT_FORECASTER_SCALE_BITS,
  });
  const model = trained.model;
  const bytes = modelFileBytes(model);
  const id = modelId(model);
  const path = join(parameters.stateDir, 'models', `${id}.json`);
  // Written atomically, and rewritten when the cached file is not these bytes (a torn write by a
  // killed process, or an edit): verify reads this file and must get the model that was committed to.
  if (!existsSync(path) || keccak256(readFileSync(path)) !== id) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomicSync(path, bytes);
  }
  const rows: number[][] = [];
  const errors: number[] = [];
  features.dates.forEach((date, i) => {
    if (date < trained.trainRows.from || date > trained.trainRows.to) return;
    const x = features.X[i]!;
    rows.push(x);
    errors.push(features.y[i]! - inferFixedReal(model, x)[0]!);
  });
  return { model, id, bytes, reference: { X: rows, errors } };
}

/**
 * Reads a model file the agent stored (by id) or a shipped one; used by `verify`. A stored file whose
 * bytes do not hash to `id` (damaged) is never served as that model: the shipped file is tried instead,
 * else undefined (the caller says where to put the right file).
 */
export function loadModelById(stateDir: string, id: Hex): Uint8Array | undefined {
  const stored = join(stateDir, 'models', `${id}.json`);
  if (existsSync(stored)) {
    const bytes = new Uint8Array(readFileSync(stored));
    if (keccak256(bytes) === id) return bytes;
  }
  const shipped = loadGenerator();
  if (shipped.id === id) return shipped.bytes;
  return undefined;
}

/**
 * `loadModelById` as a loader that says where to put a missing file (for `verify` and `verify --synth`).
 * `elsewhere` is asked when neither `<stateDir>/models` nor `models/` has the file (e.g. the content store
 * under the registry's metadataURI: what an auditor holding only the CAR export has); it returns the bytes
 * only when they hash to the id.
 */
export function modelFileLoader(
  stateDir: string,
  elsewhere?: { where: string; load: (id: Hex) => Promise<Uint8Array | undefined> },
): (id: Hex) => Promise<Uint8Array> {
  return async (id) => {
    const bytes = loadModelById(stateDir, id) ?? (await elsewhere?.load(id));
    if (!bytes)
      throw new NonRetryableError(
        `Model file ${id} is not in ${stateDir}/models or models/${elsewhere ? ` or ${elsewhere.where}` : ''}.`,
        {
          details: 'Copy the model file (named <id>.json) into <stateDir>/models.',
          docsPath: 'docs/models.md#model-file-format',
        },
      );
    return bytes;
  };
}
