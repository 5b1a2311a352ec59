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
 *
 * `npx tsx bench/driftCalibration.bench.ts garch-cusum` calibrates the pair (Page–Hinkley λ, signed
 * CUSUM h) of 'garch' mode with `meanShift` (k = 0.25, clip 3 fixed in advance) under the SAME null,
 * seeds and pipeline, with the budget split in advance (rationale 9): λ = the smallest with
 * Page–Hinkley-only ≤ 0.5 halt/decade, h = the smallest with CUSUM-only ≤ 0.5, each the larger of
 * the ridge and MLP choices; the combined rate of the pair must be ≤ 1/decade.
 *
 * `npx tsx bench/driftCalibration.bench.ts garch-confirm` calibrates the confirmation rule of
 * rationale 10 (Page–Hinkley on |z| alone, OR trailing-scale Page–Hinkley λ 15 AND signed CUSUM
 * (k 0.25, clip 3) within 42 rows) under the SAME null, seeds and pipeline, with the same split:
 * λ_G = the smallest with Page–Hinkley-on-|z|-only ≤ 0.5/decade, h = the smallest with the
 * confirmed pair alone ≤ 0.5, each the larger of the ridge and MLP choices; combined ≤ 1/decade.
 *
 * `npx tsx bench/driftCalibration.bench.ts reference-threshold` is not a calibration: it counts the
 * halts of the trailing detector with λ set from each reference (rationale 11, the default) on the
 * same null paths, next to the fixed λ 15 it replaced, and on an i.i.d. t(5) null for contrast.
 */

import {
  DEFAULT_PAGE_HINKLEY,
  DEFAULT_REFERENCE_THRESHOLD,
  type DriftMonitorOptions,
} from '../src/models/drift/index.js';
import {
  calibrateDriftPair,
  calibrateDriftThreshold,
  type DriftCalibration,
  type DriftNullModel,
  fitDriftNullModel,
  nullHaltRates,
} from '../src/models/evaluation/index.js';
import { datasetFeatures } from '../src/models/forecast/index.js';
import { fitGarch } from '../src/models/risk/index.js';

const BUDGET = 1;
const GRID = [10, 12.5, 15, 17.5, 20, 22.5, 25, 30, 40, 60, 100, 150];
const SEED = 20260601;
const fmt = (v: number, d = 2) => v.toFixed(d);
const H_GRID = [4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 20, 25, 30];
const arg = process.argv[2];
if (
  arg !== undefined &&
  arg !== 'trailing' &&
  arg !== 'reference' &&
  arg !== 'garch' &&
  arg !== 'garch-cusum' &&
  arg !== 'garch-confirm' &&
  arg !== 'reference-threshold'
)
  throw new RangeError(
    `mode must be trailing, reference, garch, garch-cusum, garch-confirm or reference-threshold, got ${arg}`,
  );
const mode =
  arg === 'garch-cusum' || arg === 'garch-confirm'
    ? 'garch'
    : arg === 'reference-threshold'
      ? 'trailing'
      : arg;
const pair = arg === 'garch-cusum' || arg === 'garch-confirm';
const secondName = arg === 'garch-confirm' ? 'confirmed pair (T AND C within 42 rows)' : 'CUSUM';
const drift: DriftMonitorOptions = mode ? { errorScale: mode } : {};
console.log(
  `error scale: ${mode ?? 'the DriftMonitor default'}${arg === 'garch-cusum' ? ' + signed CUSUM (k 0.25, clip 3)' : arg === 'garch-confirm' ? ' + confirmation (trailing PH δ 0.25 λ 15 AND signed CUSUM k 0.25 clip 3, window 42)' : ''}`,
);

const features = datasetFeatures('wti-daily');
const primary = fitDriftNullModel(features, { firstFitRows: 1000, studentT: 5 });
const describe = (name: string, m: DriftNullModel) =>
  console.log(
    `${name}: GARCH(1,1)-t(${m.studentT}) ω ${m.garch.omega.toExponential(3)}, α ${fmt(m.garch.alpha, 4)}, β ${fmt(m.garch.beta, 4)} (α+β ${fmt(m.garch.persistence, 5)}), μ ${m.garch.mu.toExponential(3)}; start variance ${m.initVariance.toExponential(3)} (sd ${fmt(Math.sqrt(m.initVariance) * 100, 2)} %/day); fit window ${m.fittedOn.from}..${m.fittedOn.to} (${m.fittedOn.rows} rows)`,
  );
if (arg === 'reference-threshold') {
  // Not a calibration: how often the trailing detector with λ set from each reference (rationale 11)
  // halts on the same null paths, next to the fixed λ 15 it replaced; the i.i.d. t(5) null for contrast.
  const iidNull: DriftNullModel = {
    ...primary,
    garch: { omega: primary.initVariance, alpha: 0, beta: 0, mu: 0, persistence: 0 },
  };
  describe('primary null (Gaussian QMLE, the repository fitter)', primary);
  for (const [name, m, paths] of [
    ['primary null', primary, 20],
    ['i.i.d. t(5) null', iidNull, 5],
  ] as const)
    for (const model of ['ridge', 'mlp'] as const) {
      const t0 = performance.now();
      const r = nullHaltRates({ nullModel: m, model, paths, monitoredRows: 2520, seed: SEED }, [
        { referenceThreshold: false, pageHinkley: { ...DEFAULT_PAGE_HINKLEY } },
        { referenceThreshold: { ...DEFAULT_REFERENCE_THRESHOLD } },
      ]);
      console.log(
        `${model}, ${name}, ${paths} paths × 10 y (${fmt(r.decades, 1)} decades; input onsets ${fmt(r.inputAlarmsPerDecade)}/decade; ${fmt((performance.now() - t0) / 1000, 1)} s): halts/decade (error alarms) fixed λ ${DEFAULT_PAGE_HINKLEY.lambda} ${fmt(r.rows[0]!.haltsPerDecade)} (${fmt(r.rows[0]!.errorAlarmsPerDecade)}), λ from the reference ${fmt(r.rows[1]!.haltsPerDecade)} (${fmt(r.rows[1]!.errorAlarmsPerDecade)}); most on one path ${r.rows[0]!.maxPerPath} / ${r.rows[1]!.maxPerPath}`,
      );
    }
  process.exit(0);
}
if (pair) {
  describe('primary null (Gaussian QMLE, the repository fitter)', primary);
  const chosen: { lambda: number; h: number }[] = [];
  const results = (['ridge', 'mlp'] as const).map((model) => {
    const c = calibrateDriftPair({
      nullModel: primary,
      model,
      lambdas: GRID,
      cusumH: H_GRID,
      cusum: { k: 0.25, clip: 3 },
      ...(arg === 'garch-confirm'
        ? { second: 'confirm' as const, confirm: { trailing: { delta: 0.25, lambda: 15 }, window: 42 } }
        : {}),
      pairLambdas: [10, 12.5, 15, 17.5, 20],
      paths: 20,
      monitoredRows: 2520,
      seed: SEED,
      drift: { errorScale: 'garch', meanShift: false },
    });
    console.log(
      `\n${model}, primary null, 20 paths × 10 y: ${fmt(c.decades, 1)} decades (${c.monitoredRows} rows), standardised-PSI onsets ${c.inputOnsets}, ${fmt(c.elapsedMs / 1000, 1)} s`,
    );
    console.log('Page–Hinkley alone | λ | halts/decade (onsets) | max on one path |');
    for (const r of c.pageHinkley)
      console.log(`| ${r.lambda} | ${fmt(r.haltsPerDecade)} (${r.haltOnsets}) | ${r.maxPerPath} |`);
    console.log(`${secondName} alone | h | halts/decade (onsets) | max on one path |`);
    for (const r of c.cusum)
      console.log(`| ${r.h} | ${fmt(r.haltsPerDecade)} (${r.haltOnsets}) | ${r.maxPerPath} |`);
    console.log(`combined (PH OR ${secondName}) halts/decade: rows λ, columns h = ${H_GRID.join(', ')}`);
    for (const l of [10, 12.5, 15, 17.5, 20])
      console.log(
        `| ${l} | ${c.combined
          .filter((r) => r.lambda === l)
          .map((r) => fmt(r.haltsPerDecade))
          .join(' | ')} |`,
      );
    console.log(`split rule (each ≤ 0.5/decade): λ ${c.chosen.lambda ?? 'none'}, h ${c.chosen.h ?? 'none'}`);
    if (c.chosen.lambda !== undefined && c.chosen.h !== undefined)
      chosen.push({ lambda: c.chosen.lambda, h: c.chosen.h });
    return c;
  });
  if (chosen.length === 2) {
    const lambda = Math.max(...chosen.map((c) => c.lambda));
    const h = Math.max(...chosen.map((c) => c.h));
    console.log(`\nchosen pair (larger of the ridge and MLP choices): λ ${lambda}, h ${h}`);
    for (const [k, c] of results.entries()) {
      const row = c.combined.find((r) => r.lambda === lambda && r.h === h);
      console.log(
        `  ${k === 0 ? 'ridge' : 'mlp'} combined halts/decade at (λ ${lambda}, h ${h}): ${row ? `${fmt(row.haltsPerDecade)} (${row.haltOnsets} onsets; error alarms ${row.errorOnsets})` : 'not on the pair grid'}`,
      );
    }
  } else console.log('\nno admissible pair on the grid');
  process.exit(0);
}
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
