import { type DatasetName, DEFAULT_DATA_DIR, loadDataset } from '../../data/index.js';
import { buildFeatures, type FeatureSet } from './features.js';

export type ForecastDataset = 'wti-daily' | 'brent-daily' | 'wti-monthly' | 'brent-monthly' | 'gold-monthly';

/** The cross asset used for the ratio feature of each dataset. */
export const CROSS_ASSET: Record<ForecastDataset, DatasetName> = {
  'wti-daily': 'brent-daily',
  'brent-daily': 'wti-daily',
  'wti-monthly': 'brent-monthly',
  'brent-monthly': 'wti-monthly',
  'gold-monthly': 'wti-monthly',
};

/** Loads a shipped dataset with its cross asset and CPI and builds its features (no look-ahead). */
export function datasetFeatures(
  name: ForecastDataset,
  dataDir: string = DEFAULT_DATA_DIR,
): FeatureSet & { frequency: 'daily' | 'monthly' } {
  const target = loadDataset(name, dataDir).series;
  const cross = loadDataset(CROSS_ASSET[name], dataDir).series;
  const cpi = loadDataset('cpi-us', dataDir).series;
  return { ...buildFeatures({ target, cross, cpi }), frequency: target.frequency };
}
