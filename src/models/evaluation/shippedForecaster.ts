import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATA_DIR, datasetPath } from '../../data/index.js';
import {
  CROSS_ASSET,
  datasetFeatures,
  type ExportResult,
  type ForecasterKind,
  trainForecaster,
} from '../forecast/index.js';
import { modelFileBytes } from '../modelFile.js';

/** Where the shipped WTI forecaster lives (repository root `models/`). */
export const SHIPPED_FORECASTER_PATH = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../models/forecaster-wti.json',
);

/**
 * The forecaster the agent ships: trained on the last 2520 daily WTI rows whose next return is
 * known, seed 42, exported to fixed point. The metadata records the data files' SHA-256 so the
 * training input is pinned by the commitment too.
 */
export function buildShippedForecaster(
  options: { dataDir?: string; kind?: ForecasterKind } = {},
): ExportResult {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const kind = options.kind ?? 'mlp';
  const files = ['wti-daily', CROSS_ASSET['wti-daily'], 'cpi-us'] as const;
  const sha256 = Object.fromEntries(
    files.map((f) => [
      datasetPath(f),
      createHash('sha256')
        .update(readFileSync(join(dataDir, datasetPath(f))))
        .digest('hex'),
    ]),
  );
  const r = trainForecaster({
    features: datasetFeatures('wti-daily', dataDir),
    kind,
    window: 2520,
    seed: 42,
    name: 'forecaster-wti',
    version: '1',
    metadata: {
      dataset: 'wti-daily',
      dataSha256: sha256,
      target: 'next trading-day log return of WTI spot (EIA RWTC)',
    },
  });
  return r;
}

/** Writes the shipped forecaster's canonical bytes (what `modelId` commits to). */
export function writeShippedForecaster(
  path: string = SHIPPED_FORECASTER_PATH,
  options: { dataDir?: string; kind?: ForecasterKind } = {},
): ExportResult {
  const r = buildShippedForecaster(options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, modelFileBytes(r.model));
  return r;
}
