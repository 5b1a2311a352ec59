import { NonRetryableError } from '../errors/index.js';
import type { ValidationIssue } from './types.js';

/** Shipped dataset files by name → their folder under data/ (kept equal to datasets.ts SPECS by a test). */
export const SHIPPED_DATASET_FOLDERS: Record<string, string> = {
  'wti-daily.csv': 'oil-prices',
  'brent-daily.csv': 'oil-prices',
  'wti-monthly.csv': 'oil-prices',
  'brent-monthly.csv': 'oil-prices',
  'monthly.csv': 'gold-prices',
  'cpiai.csv': 'cpi-us',
};

/**
 * The SOURCE.md that documents a dataset file (origin, columns, cleaning rules):
 * `data/oil-prices/SOURCE.md` for `…/data/oil-prices/wti-daily.csv`, and for a copy of a shipped file
 * elsewhere; for any other file, the SOURCE.md in the file's own folder.
 */
export function sourceDocOf(file: string): string {
  const parts = file.split(/[\\/]/);
  const dataAt = parts.lastIndexOf('data');
  if (dataAt >= 0 && dataAt < parts.length - 2) return [...parts.slice(dataAt, -1), 'SOURCE.md'].join('/');
  const shipped = SHIPPED_DATASET_FOLDERS[parts.at(-1) ?? ''];
  if (shipped) return `data/${shipped}/SOURCE.md`;
  return [...parts.slice(0, -1), 'SOURCE.md'].join('/') || 'SOURCE.md';
}

/**
 * A dataset failed validation. Names every bad row by file and line, the problem and the fix.
 * `issues` holds all problems found (not only the first), so one run shows everything to repair.
 */
export class DataValidationError extends NonRetryableError {
  override name = 'DataValidationError';
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    const first = issues[0];
    const head = first
      ? `Dataset ${first.file} is invalid: line ${first.line}: ${first.message}`
      : 'Dataset is invalid';
    const shown = issues
      .slice(0, 20)
      .map((i) => `${i.file}:${i.line}: ${i.problem}: ${i.message}. Fix: ${i.fix}`);
    if (issues.length > 20) shown.push(`… and ${issues.length - 20} more`);
    super(head, {
      metaMessages: shown,
      details: `${issues.length} problem(s). Repair the file (or restore the shipped copy, see its SOURCE.md) and load again.`,
      docsPath: first ? sourceDocOf(first.file) : 'data/<dataset>/SOURCE.md',
    });
    this.issues = issues;
  }
}
