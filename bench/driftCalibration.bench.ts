/**
 * Calibration of the error-drift threshold λ (Page–Hinkley) on simulated stationary data (prints
 * figures; not a test). Run with `npx tsx bench/driftCalibration.bench.ts` (≈ 70–85 s on the shared 2 cores).
 *
 * Fixed in advance: budget ≤ 1 halt onset per decade (2520 monitored trading days) under the null,
 * half of issue 6's 2/decade calm-period target; null model GARCH(1,1) with unit-variance Student-t
 * (ν = 5) innovations, fitted on the WTI daily targets of the walk-forward's first fit window only
 * (1986-04-01..1990-02-28, before the first out-of-sample row); 20 paths × 10 years per forecaster,
 * seeds 20260601 + k; the real `runBacktest` pipeline (same refits, same DriftMonitor options).
 * The rule: the smallest λ on the grid whose simulated halt rate is ≤ the budget becomes the default.
 *
 * `npx tsx bench/driftCalibration.bench.ts garch` calibrates the `errorScale: 'garch'` mode
 * (errors standardised by the risk model's conditional GARCH σ, rationale 8) under the SAME null,
 * budget, seeds and grid; without an argument the monitor's default error scale is calibrated.
 */

import { DEFAULT_PAGE_HINKLEY, type DriftMonitorOptions } from '../src/models/drift/index.js';
import {
  calibrateDriftThreshold,
  type DriftCalibration,
  type DriftNullModel,
  fitDriftNullModel,
} from '../src/models/evaluation/index.js';
import { datasetFeatures } from '../src/models/forecast/index.js';
import { fitGarch } from '../src/models/risk/index.js';

const BUDGET = 1;
const GRID = [10, 12.5, 15, 17.5, 20, 22.5, 25, 30, 40, 60, 100, 150];
const SEED = 20260601;
const fmt = (v: number, d = 2) => v.toFixed(d);
const mode = process.argv[2];
if (mode !== undefined && mode !== 'trailing' && mode !== 'reference' && mode !== 'garch')
  throw new RangeError(`error scale must be trailing, reference or garch, got ${mode}`);
const drift: DriftMonitorOptions = mode ? { errorScale: mode } : {};
console.log(`error scale: ${mode ?? 'the DriftMonitor default'}`);

const features = datasetFeatures('wti-daily');
const primary = fitDriftNullModel(features, { firstFitRows: 1000, studentT: 5 });
const describe = (name: string, m: DriftNullModel) =>
  console.log(
    `${name}: GARCH(1,1)-t(${m.studentT}) ω ${m.garch.omega.toExponential(3)}, α ${fmt(m.garch.alpha, 4)}, β ${fmt(m.garch.beta, 4)} (α+β ${fmt(m.garch.persistence, 5)}), μ ${m.garch.mu.toExponential(3)}; start variance ${m.initVariance.toExponential(3)} (sd ${fmt(Math.sqrt(m.initVariance) * 100, 2)} %/day); fit window ${m.fittedOn.from}..${m.fittedOn.to} (${m.fittedOn.rows} rows)`,
  );
const table = (title: string, c: DriftCalibration) => {
  console.log(
    `\n${title}: ${fmt(c.decades, 1)} decades monitored (${c.monitoredRows} rows), input (PSI) alarm onsets ${c.inputOnsets} = ${fmt((c.inputOnsets / c.decades) * 1, 2)}/decade (independent of λ), ${fmt(c.elapsedMs / 1000, 1)} s`,
  );
  console.log(
    '| λ | halt onsets | halts / decade | error-alarm onsets | error alarms / decade | max on one path |',
  );
  console.log('| -- | -- | -- | -- | -- | -- |');
  for (const r of c.rows)
    console.log(
      `| ${r.lambda} | ${r.haltOnsets} | ${fmt(r.haltsPerDecade)} | ${r.errorOnsets} | ${fmt(r.errorAlarmsPerDecade)} | ${r.maxPerPath} |`,
    );
  console.log(
    `chosen λ (smallest with ≤ ${BUDGET} halt/decade): ${c.chosen ?? `none on the grid (current default λ ${DEFAULT_PAGE_HINKLEY.lambda} kept)`}`,
  );
};

describe('primary null (Gaussian QMLE, the repository fitter)', primary);
for (const model of ['ridge', 'mlp'] as const)
  table(
    `${model}, primary null, 20 paths × 10 y`,
    calibrateDriftThreshold({
      nullModel: primary,
      model,
      lambdas: GRID,
      paths: 20,
      monitoredRows: 2520,
      seed: SEED,
      budgetPerDecade: BUDGET,
      drift,
    }),
  );

// Sensitivity (not used for the choice): the same model fitted by its own Student-t likelihood, and
// an i.i.d. t(5) null (no volatility clustering) at the fit window's variance.
const g = fitGarch(features.y.slice(0, 1000), { studentT: 5 });
const tMle: DriftNullModel = {
  ...primary,
  garch: { omega: g.omega, alpha: g.alpha, beta: g.beta, mu: g.mu, persistence: g.persistence },
};
const v = primary.initVariance;
const iid: DriftNullModel = { ...primary, garch: { omega: v, alpha: 0, beta: 0, mu: 0, persistence: 0 } };
describe('\nsensitivity null A (t(5) likelihood)', tMle);
describe('sensitivity null B (i.i.d. t(5), no clustering)', iid);
for (const [name, m] of [
  ['A', tMle],
  ['B', iid],
] as const)
  table(
    `ridge, sensitivity null ${name}, 5 paths × 10 y`,
    calibrateDriftThreshold({
      nullModel: m,
      model: 'ridge',
      lambdas: GRID,
      paths: 5,
      monitoredRows: 2520,
      seed: SEED,
      budgetPerDecade: BUDGET,
      drift,
    }),
  );
