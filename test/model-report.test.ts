import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { buildProgram } from '../src/cli/main.js';

/** Runs one `provenant` command in-process (no chain needed) and returns what it printed. */
async function runModelCli(args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  });
  try {
    await buildProgram().parseAsync(['node', 'provenant', ...args]);
    return lines.join('\n');
  } finally {
    log.mockRestore();
  }
}

describe('provenant model report', () => {
  test('runs on the shipped WTI daily data and writes the charts, report.md and summary.json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'provenant-model-report-')), 'report');
    const printed = await runModelCli([
      'model',
      'report',
      '--dataset',
      'wti-daily',
      '--start',
      '2019-01-01',
      '--end',
      '2020-12-31',
      '--out',
      out,
    ]);
    for (const file of [
      'forecast-vs-actual.png',
      'var-bands.png',
      'drift-alarms.png',
      'drift-threshold.png',
      'position-size.png',
      'report.md',
      'summary.json',
    ]) {
      expect(existsSync(join(out, file)), file).toBe(true);
      expect(statSync(join(out, file)).size, file).toBeGreaterThan(100);
    }
    for (const png of [
      'forecast-vs-actual.png',
      'var-bands.png',
      'drift-alarms.png',
      'drift-threshold.png',
      'position-size.png',
    ])
      expect(readFileSync(join(out, png)).subarray(1, 4).toString('latin1')).toBe('PNG');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('# Model backtest: wti-daily (daily)');
    // The Diebold–Mariano table (header and the two model rows).
    expect(md).toContain(
      '| model | MSE | out-of-sample R² vs RW | direction hit rate | DM stat | p(worse) | p(better) |',
    );
    expect(md).toMatch(/\| ridge \| [0-9.e-]+ \|/);
    // The VaR coverage table with Kupiec and both Christoffersen p-values.
    expect(md).toContain(
      '| VaR | n | exceedances | expected | rate | Kupiec p | Christoffersen independence p | Christoffersen conditional-coverage p |',
    );
    expect(md).toMatch(/\| FHS 99% \| \d+ \| \d+ \|/);
    // The targets table.
    expect(md).toContain('## Targets');
    expect(md).toContain('| VaR 99% coverage not rejected by Kupiec at 5% |');
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary.metrics.n).toBeGreaterThan(400);
    expect(printed).toContain('Christoffersen conditional-coverage p');
    expect(printed).toMatch(
      /drift: Page–Hinkley λ over the refits \(min \/ median \/ max\) +\d+\.\d\d \/ \d+\.\d\d \/ \d+\.\d\d/,
    );
    expect(printed).toContain(`Wrote 7 files to ${out}`);
    // The drift section names where λ came from (rationale 11) and the chart that draws it.
    expect(md).toMatch(/λ is set at each refit from the fit window's own errors/);
    expect(md).toContain('![drift threshold](drift-threshold.png)');
  });
});
