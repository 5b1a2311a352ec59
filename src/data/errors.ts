import { NonRetryableError } from '../errors/index.js';
import type { ValidationIssue } from './types.js';

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
      docsPath: 'data/README or the dataset SOURCE.md',
    });
    this.issues = issues;
  }
}
