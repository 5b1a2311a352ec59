import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadedSeries, loadSeriesFile } from './loadSeries.js';

/** The repository's `data/` folder (the shipped datasets). */
export const DEFAULT_DATA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../data');

export type DatasetName =
  | 'wti-daily'
  | 'brent-daily'
  | 'wti-monthly'
  | 'brent-monthly'
  | 'gold-monthly'
  | 'cpi-us';

const SPECS: Record<
  DatasetName,
  {
    path: string;
    frequency: 'daily' | 'monthly';
    valueColumn: string;
    realDataFrom?: string;
    knownGaps?: string[];
  }
> = {
  'wti-daily': { path: 'oil-prices/wti-daily.csv', frequency: 'daily', valueColumn: 'Price' },
  'brent-daily': { path: 'oil-prices/brent-daily.csv', frequency: 'daily', valueColumn: 'Price' },
  'wti-monthly': { path: 'oil-prices/wti-monthly.csv', frequency: 'monthly', valueColumn: 'Price' },
  'brent-monthly': { path: 'oil-prices/brent-monthly.csv', frequency: 'monthly', valueColumn: 'Price' },
  'gold-monthly': {
    path: 'gold-prices/monthly.csv',
    frequency: 'monthly',
    valueColumn: 'Price',
    realDataFrom: '1960-01-01',
  },
  // The BLS did not publish an October 2025 CPI (federal government shutdown): the file goes from
  // 2025-09 to 2025-11. Alignment carries the September value forward until November's release.
  'cpi-us': {
    path: 'cpi-us/cpiai.csv',
    frequency: 'monthly',
    valueColumn: 'Index',
    knownGaps: ['2025-11-01'],
  },
};

/** Loads one shipped dataset by name, validated and cleaned (see its SOURCE.md for the rules). */
export function loadDataset(name: DatasetName, dataDir: string = DEFAULT_DATA_DIR): LoadedSeries {
  const spec = SPECS[name];
  return loadSeriesFile(join(dataDir, spec.path), {
    name,
    frequency: spec.frequency,
    valueColumn: spec.valueColumn,
    ...(spec.realDataFrom === undefined ? {} : { realDataFrom: spec.realDataFrom }),
    ...(spec.knownGaps === undefined ? {} : { knownGaps: spec.knownGaps }),
  });
}

/** The relative path of a dataset inside the data folder. */
export function datasetPath(name: DatasetName): string {
  return SPECS[name].path;
}
