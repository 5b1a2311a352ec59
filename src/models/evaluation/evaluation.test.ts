import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { datasetFeatures, mulberry32 } from '../forecast/index.js';
import { modelFileBytes, parseModelFile } from '../modelFile.js';
import { runBacktest } from './runBacktest.js';
import { buildShippedForecaster, SHIPPED_FORECASTER_PATH } from './shippedForecaster.js';
import { dieboldMariano, varCoverage } from './tests.js';
import { writeModelReport } from './writeModelReport.js';

describe('statistical tests', () => {
  test('Kupiec on a worked example (n = 1000, 20 exceedances of a 99% VaR)', () => {
    const hits = Array.from({ length: 1000 }, (_, i) => i % 50 === 7);
    const c = varCoverage(hits, 0.99);
    expect(c.exceedances).toBe(20);
    expect(c.kupiecLR).toBeCloseTo(7.8274, 3);
    expect(c.kupiecP).toBeCloseTo(0.00515, 4);
    expect(
      varCoverage(
        Array.from({ length: 1000 }, (_, i) => i % 100 === 3),
        0.99,
      ).kupiecP,
    ).toBeGreaterThan(0.99);
  });

  test('Christoffersen rejects clustered exceedances that Kupiec accepts', () => {
    const hits = Array.from({ length: 1000 }, (_, i) => i >= 500 && i < 510);
    const c = varCoverage(hits, 0.99);
    expect(c.kupiecP).toBeGreaterThan(0.9);
    expect(c.independenceP).toBeLessThan(0.001);
  });

  test('Diebold–Mariano: equal errors give 0, a worse model a small p(worse)', () => {
    const r = mulberry32(5);
    const e = Array.from({ length: 2000 }, () => r() - 0.5);
    expect(dieboldMariano(e, e).statistic).toBe(0);
    const worse = dieboldMariano(
      e.map((v) => v + 0.2),
      e,
    );
    expect(worse.pWorse).toBeLessThan(1e-6);
    expect(worse.pBetter).toBeGreaterThan(0.99);
  });
});

describe('runBacktest', () => {
  const full = datasetFeatures('wti-daily');
  const n = 1700;
  const small = {
    ...full,
    dates: full.dates.slice(0, n),
    X: full.X.slice(0, n),
    y: full.y.slice(0, n),
    r: full.r.slice(0, n),
  };
  const base = { minTrain: 500, trainWindow: 500, refitEvery: 63, epochs: { initial: 5, refit: 1 } } as const;

  test('no look-ahead: shuffling the future does not change past forecasts', () => {
    const cut = 1300;
    const rand = mulberry32(99);
    const perm = Array.from({ length: n - cut }, (_, k) => cut + k);
    for (let i = perm.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    const shuffled = {
      ...small,
      X: small.X.map((x, i) => (i < cut ? x : small.X[perm[i - cut]!]!)),
      y: small.y.map((v, i) => (i < cut ? v : small.y[perm[i - cut]!]!)),
      r: small.r.map((v, i) => (i < cut ? v : small.r[perm[i - cut]!]!)),
    };
    const a = runBacktest({ ...base, features: small });
    const b = runBacktest({ ...base, features: shuffled });
    const cutDate = small.dates[cut]!;
    const pick = (r: (typeof a.rows)[number]) => [
      r.date,
      r.mean,
      r.ridge,
      r.mlp,
      r.modelVol,
      r.garchVol,
      r.var95,
      r.var99,
      r.halt,
      r.position,
    ];
    const pastA = a.rows.filter((r) => r.date < cutDate).map(pick);
    const pastB = b.rows.filter((r) => r.date < cutDate).map(pick);
    expect(pastA.length).toBeGreaterThan(700);
    expect(pastB).toEqual(pastA);
    // The future itself does change (the check above could otherwise pass vacuously).
    const futA = a.rows.filter((r) => r.date > cutDate).map(pick);
    const futB = b.rows.filter((r) => r.date > cutDate).map(pick);
    expect(futB).not.toEqual(futA);
  });

  test('report: runs on shipped gold data and writes markdown, summary and four PNG charts', () => {
    const result = runBacktest({ dataset: 'gold-monthly' });
    expect(result.rows[0]!.date >= '1970-01-01').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'provenant-report-'));
    const { files } = writeModelReport(result, dir);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([
      'drift-alarms.png',
      'forecast-vs-actual.png',
      'position-size.png',
      'report.md',
      'summary.json',
      'var-bands.png',
    ]);
    for (const f of files.filter((p) => p.endsWith('.png'))) {
      const png = PNG.sync.read(readFileSync(f));
      expect(png.width).toBe(1000);
    }
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('# Model backtest: gold-monthly (monthly)');
    expect(md).toMatch(/\| mlp \| [0-9.e-]+ \|/);
    expect(md).toContain('Kupiec');
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).metrics.n).toBe(result.metrics.n);
  });
});

describe('shipped forecaster', () => {
  test.runIf(existsSync(SHIPPED_FORECASTER_PATH))(
    'models/forecaster-wti.json is reproducible from the shipped data',
    () => {
      const bytes = readFileSync(SHIPPED_FORECASTER_PATH);
      const model = parseModelFile(bytes, SHIPPED_FORECASTER_PATH);
      expect(model.kind).toBe('forecaster');
      expect(Buffer.from(modelFileBytes(buildShippedForecaster().model)).equals(bytes)).toBe(true);
    },
  );
});
