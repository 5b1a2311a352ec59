import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_DATA_DIR, datasetPath, loadDataset } from './datasets.js';
import { DataValidationError, SHIPPED_DATASET_FOLDERS, sourceDocOf } from './errors.js';
import { loadSeriesFile } from './loadSeries.js';

function brokenCopy(relPath: string, edit: (lines: string[]) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-data-'));
  const lines = readFileSync(join(DEFAULT_DATA_DIR, relPath), 'utf8').split('\n');
  edit(lines);
  const path = join(dir, relPath.split('/').pop()!);
  writeFileSync(path, lines.join('\n'));
  return path;
}

function expectIssue(fn: () => unknown, file: string, line: number, problem: string): DataValidationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DataValidationError);
    const e = error as DataValidationError;
    const issue = e.issues.find((i) => i.line === line && i.problem === problem);
    expect(issue, `issues were ${JSON.stringify(e.issues)}`).toBeDefined();
    expect(e.message).toContain(`${file}:${line}: ${problem}`);
    expect(e.message).toContain('Fix:');
    return e;
  }
  throw new Error('expected a DataValidationError');
}

describe('loadDataset (shipped files)', () => {
  test('wti-daily: validates, drops the negative settlement of 2020-04-20 and logs it', () => {
    const { series, cleaning } = loadDataset('wti-daily');
    expect(series.points.length).toBe(10_226 - 1);
    expect(series.points[0]).toEqual({ date: '1986-01-02', value: 25.56 });
    expect(series.points.find((p) => p.date === '2020-04-20')).toBeUndefined();
    expect(cleaning).toEqual([
      {
        file: join(DEFAULT_DATA_DIR, 'oil-prices/wti-daily.csv'),
        line: 8645,
        date: '2020-04-20',
        rule: 'non-positive-price',
        action: 'dropped',
        raw: '2020-04-20,-36.98',
      },
    ]);
    expect(series.points.every((p) => p.value > 0)).toBe(true);
  });

  test('gold-monthly: drops the annual-repeated rows before 1960 and reads YYYY-MM as the 1st', () => {
    const { series, cleaning } = loadDataset('gold-monthly');
    expect(series.points[0]!.date).toBe('1960-01-01');
    expect(cleaning.length).toBe((1960 - 1833) * 12);
    expect(cleaning.every((c) => c.rule === 'annual-repeated-before-1960')).toBe(true);
  });

  test('cpi-us, brent and monthly files load with no cleaning', () => {
    const cpi = loadDataset('cpi-us').cleaning;
    expect(cpi).toMatchObject([{ line: 1355, date: '2025-11-01', rule: 'known-gap', action: 'noted' }]);
    for (const name of ['brent-daily', 'brent-monthly', 'wti-monthly'] as const) {
      const { series, cleaning } = loadDataset(name);
      expect(cleaning).toEqual([]);
      expect(series.points.length).toBeGreaterThan(400);
      for (let i = 1; i < series.points.length; i++)
        expect(series.points[i]!.date > series.points[i - 1]!.date).toBe(true);
    }
    expect(loadDataset('cpi-us').series.points[0]).toEqual({ date: '1913-01-01', value: 9.8 });
  });
});

describe('loadSeriesFile (broken copies)', () => {
  const wti = { name: 'wti-daily', frequency: 'daily' as const, valueColumn: 'Price' };

  test('behavior: unparseable number names file, line and problem', () => {
    const path = brokenCopy('oil-prices/wti-daily.csv', (l) => {
      l[99] = '1986-05-23,12.3x';
    });
    const e = expectIssue(() => loadSeriesFile(path, wti), path, 100, 'unparseable-number');
    expect(e.message).toContain("Price '12.3x' is not a number");
  });

  test('behavior: non-monotone date', () => {
    const path = brokenCopy('oil-prices/wti-daily.csv', (l) => {
      [l[10], l[11]] = [l[11]!, l[10]!];
    });
    expectIssue(() => loadSeriesFile(path, wti), path, 12, 'non-monotone-date');
  });

  test('behavior: gap in a daily file (rows removed)', () => {
    const path = brokenCopy('oil-prices/wti-daily.csv', (l) => {
      l.splice(500, 10);
    });
    expectIssue(() => loadSeriesFile(path, wti), path, 501, 'gap');
  });

  test('behavior: skipped month in a monthly file', () => {
    const path = brokenCopy('cpi-us/cpiai.csv', (l) => {
      l.splice(1000, 1);
    });
    expectIssue(
      () => loadSeriesFile(path, { name: 'cpi', frequency: 'monthly', valueColumn: 'Index' }),
      path,
      1001,
      'gap',
    );
  });

  test('behavior: unparseable date and all issues reported together', () => {
    const path = brokenCopy('oil-prices/brent-monthly.csv', (l) => {
      l[5] = '1987-13-15,19.0';
      l[20] = '1988-12-15,abc';
    });
    const opts = { name: 'brent-monthly', frequency: 'monthly' as const, valueColumn: 'Price' };
    const e = expectIssue(() => loadSeriesFile(path, opts), path, 6, 'unparseable-date');
    expect(e.issues.some((i) => i.line === 21 && i.problem === 'unparseable-number')).toBe(true);
  });

  test('behavior: empty value is cleaned (dropped and logged), not an error', () => {
    const path = brokenCopy('oil-prices/wti-daily.csv', (l) => {
      l[2] = '1986-01-03,';
    });
    const { series, cleaning } = loadSeriesFile(path, wti);
    expect(cleaning[0]).toMatchObject({ line: 3, rule: 'missing-value', date: '1986-01-03' });
    expect(series.points[1]!.date).toBe('1986-01-06');
  });

  test('behavior: bad header and missing file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-data-'));
    const path = join(dir, 'x.csv');
    copyFileSync(join(DEFAULT_DATA_DIR, 'oil-prices/wti-daily.csv'), path);
    expectIssue(() => loadSeriesFile(path, { ...wti, valueColumn: 'Close' }), path, 1, 'bad-header');
    expect(() => loadSeriesFile(join(dir, 'missing.csv'), wti)).toThrow(/cannot read the file/);
  });
});

describe('DataValidationError: Docs pointer', () => {
  test('behavior: a broken copy of a shipped file points to data/<set>/SOURCE.md, which exists', () => {
    const path = brokenCopy('oil-prices/wti-daily.csv', (lines) => {
      lines[5] = 'not-a-date,1';
    });
    let error: unknown;
    try {
      loadSeriesFile(path, { name: 'wti-daily', frequency: 'daily', valueColumn: 'Price' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DataValidationError);
    const docs = (error as DataValidationError).docsPath;
    expect(docs).toBe('data/oil-prices/SOURCE.md');
    expect(existsSync(join(DEFAULT_DATA_DIR, '..', docs!))).toBe(true);
    expect((error as Error).message).not.toContain('data/README');
  });

  test('sourceDocOf: under data/, a shipped name elsewhere, any other file', () => {
    expect(sourceDocOf('/repo/data/gold-prices/monthly.csv')).toBe('data/gold-prices/SOURCE.md');
    expect(sourceDocOf('/tmp/x/cpiai.csv')).toBe('data/cpi-us/SOURCE.md');
    expect(sourceDocOf('/tmp/x/mine.csv')).toBe('/tmp/x/SOURCE.md');
  });

  test('every shipped dataset file is known to sourceDocOf and its SOURCE.md exists', () => {
    for (const name of [
      'wti-daily',
      'brent-daily',
      'wti-monthly',
      'brent-monthly',
      'gold-monthly',
      'cpi-us',
    ] as const) {
      const rel = datasetPath(name);
      const file = rel.split('/').pop()!;
      expect(SHIPPED_DATASET_FOLDERS[file], name).toBe(rel.split('/')[0]);
      expect(existsSync(join(DEFAULT_DATA_DIR, rel.split('/')[0]!, 'SOURCE.md'))).toBe(true);
    }
  });
});
