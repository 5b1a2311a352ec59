import { readFileSync } from 'node:fs';
import { DataValidationError } from './errors.js';
import type { CleaningEntry, Frequency, Point, Series, ValidationIssue } from './types.js';

export type LoadSeriesOptions = {
  /** Series name, e.g. 'wti-daily'. */
  name: string;
  frequency: Frequency;
  /** Column holding the value (the date is always the first column, named `Date`). */
  valueColumn: string;
  /** Drop rows whose value is <= 0 (prices): they have no log. Default true. */
  dropNonPositive?: boolean;
  /** Drop rows dated before this `YYYY-MM-DD` with the rule 'annual-repeated-before-1960'. */
  realDataFrom?: string;
  /**
   * Dates (of the row after the gap) where a gap is a documented fact of the source, e.g. the
   * October 2025 CPI that the BLS never published. Logged as 'known-gap' instead of failing.
   */
  knownGaps?: string[];
  /** Name used in messages; defaults to the path. */
  displayName?: string;
};

export type LoadedSeries = { series: Series; cleaning: CleaningEntry[] };

const DAILY_MAX_GAP_DAYS = 7;

/** Parses `YYYY-MM-DD` or `YYYY-MM` (read as the 1st); returns undefined if it is not a real date. */
export function parseDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = m[3] === undefined ? 1 : Number(m[3]);
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return `${m[1]}-${m[2]}-${String(d).padStart(2, '0')}`;
}

/** Days since 1970-01-01 for a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return Math.round(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000,
  );
}

/** Months since year 0 for a `YYYY-MM-DD` date. */
export function monthNumber(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Validates and cleans CSV text. Validation problems (unparseable number or date, non-monotone
 * date, gap, wrong column count) are collected and thrown together as a `DataValidationError`;
 * cleaning rules (documented in each dataset's SOURCE.md) drop rows and log them in `cleaning`.
 *
 * Order: validation looks at every row first (including rows a cleaning rule will drop), so a
 * broken file is never half-accepted. Gaps are measured between consecutive rows of the file.
 */
export function parseSeriesCsv(text: string, options: LoadSeriesOptions): LoadedSeries {
  const file = options.displayName ?? options.name;
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const issues: ValidationIssue[] = [];
  const cleaning: CleaningEntry[] = [];
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const col = header.indexOf(options.valueColumn);
  if (header[0] !== 'Date' || col < 1) {
    throw new DataValidationError([
      {
        file,
        line: 1,
        problem: 'bad-header',
        message: `header is '${lines[0] ?? ''}', expected a first column 'Date' and a column '${options.valueColumn}'`,
        fix: 'restore the header row of the shipped file',
      },
    ]);
  }
  const points: Point[] = [];
  let prevDate: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const cells = raw.split(',');
    if (cells.length !== header.length) {
      issues.push({
        file,
        line: lineNo,
        problem: 'wrong-column-count',
        message: `'${raw}' has ${cells.length} column(s), the header has ${header.length}`,
        fix: 'remove stray commas or restore the row',
      });
      continue;
    }
    const date = parseDate(cells[0]!);
    if (date === undefined) {
      issues.push({
        file,
        line: lineNo,
        problem: 'unparseable-date',
        message: `date '${cells[0]}' is not YYYY-MM-DD or YYYY-MM`,
        fix: 'write the date as YYYY-MM-DD',
      });
      continue;
    }
    if (prevDate !== undefined) {
      if (date <= prevDate) {
        issues.push({
          file,
          line: lineNo,
          problem: 'non-monotone-date',
          message: `date ${date} is not after the previous row's ${prevDate}`,
          fix: 'sort the rows by date and remove duplicates',
        });
        continue;
      }
      const gap =
        options.frequency === 'daily'
          ? dayNumber(date) - dayNumber(prevDate) > DAILY_MAX_GAP_DAYS
          : monthNumber(date) - monthNumber(prevDate) > 1;
      if (gap && options.knownGaps?.includes(date)) {
        cleaning.push({ file, line: lineNo, date, rule: 'known-gap', action: 'noted', raw });
      } else if (gap) {
        issues.push({
          file,
          line: lineNo,
          problem: 'gap',
          message: `gap from ${prevDate} to ${date} (more than ${options.frequency === 'daily' ? `${DAILY_MAX_GAP_DAYS} days` : 'one month'})`,
          fix: 'restore the missing rows from the source named in SOURCE.md',
        });
      }
    }
    prevDate = date;
    const cell = cells[col]!.trim();
    if (cell === '') {
      cleaning.push({ file, line: lineNo, date, rule: 'missing-value', action: 'dropped', raw });
      continue;
    }
    if (!NUMBER.test(cell)) {
      issues.push({
        file,
        line: lineNo,
        problem: 'unparseable-number',
        message: `${options.valueColumn} '${cell}' is not a number`,
        fix: 'write a plain decimal number (an empty cell means missing)',
      });
      continue;
    }
    const value = Number(cell);
    if (options.realDataFrom !== undefined && date < options.realDataFrom) {
      cleaning.push({
        file,
        line: lineNo,
        date,
        rule: 'annual-repeated-before-1960',
        action: 'dropped',
        raw,
      });
      continue;
    }
    if ((options.dropNonPositive ?? true) && value <= 0) {
      cleaning.push({ file, line: lineNo, date, rule: 'non-positive-price', action: 'dropped', raw });
      continue;
    }
    points.push({ date, value });
  }
  if (issues.length > 0) throw new DataValidationError(issues);
  return { series: { name: options.name, frequency: options.frequency, points }, cleaning };
}

/** Reads a CSV file and applies `parseSeriesCsv`. Errors name the path given. */
export function loadSeriesFile(path: string, options: LoadSeriesOptions): LoadedSeries {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new DataValidationError([
      {
        file: path,
        line: 0,
        problem: 'bad-header',
        message: `cannot read the file (${(cause as Error).message})`,
        fix: 'check the path; the shipped datasets live in data/',
      },
    ]);
  }
  return parseSeriesCsv(text, { displayName: path, ...options });
}
