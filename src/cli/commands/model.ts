import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { NonRetryableError } from '../../errors/index.js';
import type { BacktestOptions, BacktestResult } from '../../models/index.js';
import { isoDate, positiveInt } from '../parse.js';
import { registerModelRegistry } from './registry.register.js';

const DATASETS = ['wti-daily', 'brent-daily', 'wti-monthly', 'brent-monthly', 'gold-monthly'] as const;

type BacktestFlags = {
  dataset: (typeof DATASETS)[number];
  model: 'mlp' | 'ridge';
  start?: string;
  end?: string;
  refitEvery?: number;
};

function backtestOptions(flags: BacktestFlags): BacktestOptions {
  return {
    dataset: flags.dataset,
    model: flags.model,
    ...(flags.start ? { start: flags.start } : {}),
    ...(flags.end ? { end: flags.end } : {}),
    ...(flags.refitEvery ? { refitEvery: flags.refitEvery } : {}),
  };
}

/** `--start` / `--end` of a backtest do not select any forecast in the dataset. */
export class BacktestRangeError extends NonRetryableError {
  override name = 'BacktestRangeError';
}

/**
 * Refuses a backtest range that is reversed or lies outside the dataset, before the backtest runs (it
 * would otherwise print a table of NaN and exit 0). `dates` / `y` are the dataset's feature rows; a row
 * with a NaN target (the last one) cannot be forecast. The same idea as `checkDemoRange` (demo.ts), which
 * is WTI- and forecaster-specific, so the minimal logic is repeated here rather than shared.
 */
export function checkBacktestRange(
  dataset: string,
  range: { start?: string | undefined; end?: string | undefined },
  dates: readonly string[],
  y: readonly number[],
): void {
  const first = dates[0];
  let lastIndex = dates.length - 1;
  while (lastIndex >= 0 && !Number.isFinite(y[lastIndex])) lastIndex--;
  const last = dates[lastIndex];
  if (!first || !last) throw new BacktestRangeError(`The ${dataset} dataset has no rows to forecast.`);
  const { start, end } = range;
  const problem =
    start && end && start > end
      ? `--start ${start} is after --end ${end}`
      : start && start > last
        ? `--start ${start} is after the last day of ${dataset} that can be forecast`
        : end && end < first
          ? `--end ${end} is before the first day of ${dataset}`
          : undefined;
  if (problem)
    throw new BacktestRangeError(`${problem} (${dataset} covers ${first}…${last}).`, {
      details: `Pick dates inside ${first}…${last}, start before end, or omit --start/--end to use all of it.`,
    });
}

/**
 * Refuses a backtest that made no forecast (the range fell inside the rows the first fit trains on, or
 * held no row of the dataset), instead of printing statistics of nothing.
 */
export function checkBacktestForecasts(
  dataset: string,
  range: { start?: string | undefined; end?: string | undefined },
  dates: readonly string[],
  result: Pick<BacktestResult, 'rows' | 'options'>,
): void {
  if (result.rows.length > 0) return;
  const firstForecast = dates[result.options.minTrain] ?? dates.at(-1) ?? '?';
  const asked = `${range.start ?? dates[0] ?? '?'}…${range.end ?? dates.at(-1) ?? '?'}`;
  throw new BacktestRangeError(`The range ${asked} holds no forecast of ${dataset}.`, {
    details: `The backtest trains on the first ${result.options.minTrain} rows before its first forecast, so forecasts start at ${firstForecast}; pick --start/--end that include days from ${firstForecast} to ${dates.at(-1) ?? '?'} (trading days only).`,
  });
}

/** Fewer rows than this before `--train-end` make a forecaster not worth registering (four years of days). */
export const MIN_TRAIN_ROWS = 1000;

/**
 * Refuses a `model train --train-end` after the data ends (the model would be named for days it never saw)
 * or with fewer than `MIN_TRAIN_ROWS` days before it, naming the dataset's range.
 */
export function checkTrainEnd(trainEnd: string, series: readonly { date: string }[]): void {
  const first = series[0]?.date ?? '?';
  const last = series.at(-1)?.date ?? '?';
  const rows = series.filter((p) => p.date <= trainEnd).length;
  const problem =
    trainEnd > last
      ? `--train-end ${trainEnd} is after the last WTI day shipped (${last}): the model would be named for days it never saw`
      : rows < MIN_TRAIN_ROWS
        ? `--train-end ${trainEnd} leaves ${rows} WTI days to train on, fewer than ${MIN_TRAIN_ROWS}`
        : undefined;
  if (problem)
    throw new BacktestRangeError(`${problem} (wti-daily covers ${first}…${last}).`, {
      details: `Pick a --train-end between ${series[MIN_TRAIN_ROWS - 1]?.date ?? first} and ${last}.`,
    });
}

/** Loads the dataset, checks the range against it, and runs the backtest on the same features. */
async function backtest(flags: BacktestFlags): Promise<BacktestResult> {
  // Loaded here, not at start-up: the models module pulls in viem.
  const { datasetFeatures, runBacktest } = await import('../../models/index.js');
  const features = datasetFeatures(flags.dataset);
  checkBacktestRange(flags.dataset, flags, features.dates, features.y);
  const result = runBacktest({ ...backtestOptions(flags), features });
  checkBacktestForecasts(flags.dataset, flags, features.dates, result);
  return result;
}

function withBacktestFlags(command: Command): Command {
  return command
    .addOption(new Option('--dataset <name>', 'shipped dataset').choices(DATASETS).default('wti-daily'))
    .addOption(
      new Option('--model <kind>', 'model that drives positions').choices(['ridge', 'mlp']).default('ridge'),
    )
    .option('--start <date>', 'first forecast date (YYYY-MM-DD)', isoDate)
    .option('--end <date>', 'last forecast date (YYYY-MM-DD)', isoDate)
    .option('--refit-every <rows>', 'rows between refits', positiveInt);
}

async function summary(result: BacktestResult): Promise<[string, string][]> {
  const { driftLambdaRange } = await import('../../models/index.js');
  const lr = driftLambdaRange(result.refits);
  const m = result.metrics;
  const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : String(x));
  return [
    ['forecasts', `${m.n} (${result.rows[0]?.date ?? '?'} … ${result.rows.at(-1)?.date ?? '?'})`],
    [
      'MSE rw / ridge / mlp',
      `${m.mse.rw.toExponential(3)} / ${m.mse.ridge.toExponential(3)} / ${m.mse.mlp.toExponential(3)}`,
    ],
    ['out-of-sample R² ridge / mlp', `${f(m.oosR2.ridge * 100, 2)}% / ${f(m.oosR2.mlp * 100, 2)}%`],
    ['Diebold–Mariano p(worse than RW) ridge / mlp', `${f(m.dm.ridge.pWorse)} / ${f(m.dm.mlp.pWorse)}`],
    [
      'VaR 99% exceedances (Kupiec p, Christoffersen independence p, Christoffersen conditional-coverage p)',
      `${m.coverage.fhs99.exceedances} of ${m.coverage.fhs99.n} (${f(m.coverage.fhs99.kupiecP)}, ${f(m.coverage.fhs99.independenceP)}, ${f(m.coverage.fhs99.conditionalP)})`,
    ],
    [
      'drift: halted fraction, false alarms / decade (calm)',
      `${f(m.drift.haltedFraction * 100, 1)}%, ${f(m.drift.falseAlarmsPerDecade, 2)}`,
    ],
    [
      'drift: Page–Hinkley λ over the refits (min / median / max)',
      lr ? `${f(lr.min, 2)} / ${f(lr.median, 2)} / ${f(lr.max, 2)}` : 'no refit',
    ],
    ...m.drift.breaks.map((b): [string, string] => [
      `break ${b.name} (${b.date})`,
      b.delay === undefined
        ? 'no alarm'
        : `halted after ${b.delay} ${b.unit}${b.alreadyHalted ? ' (already halted)' : ''}`,
    ]),
    ['fixed vs float max |Δ|', m.fixedVsFloatMaxAbs.toExponential(2)],
  ];
}

export function registerModel(program: Command): void {
  const model = program
    .command('model')
    .description(
      'Forecasting models: backtests and reports on the shipped real data; the on-chain model registry.',
    );
  withBacktestFlags(
    model
      .command('backtest')
      .description('Walk-forward backtest with periodic refits and no look-ahead; prints the statistics.'),
  )
    .option('--json', 'print the metrics as JSON')
    .action(async (flags: BacktestFlags & { json?: boolean }) => {
      const { printTable, toJson } = await import('../output.js');
      const result = await backtest(flags);
      if (flags.json) console.log(toJson(result.metrics));
      else printTable(await summary(result));
    });
  withBacktestFlags(
    model
      .command('report')
      .description('Run the backtest and write a report folder (Markdown + PNG charts).'),
  )
    .option('--out <dir>', 'report folder', 'reports/model')
    .action(async (flags: BacktestFlags & { out: string }) => {
      const { writeModelReport } = await import('../../models/index.js');
      const { printTable } = await import('../output.js');
      const result = await backtest(flags);
      const { files } = writeModelReport(result, resolve(flags.out));
      printTable(await summary(result));
      console.log(`\nWrote ${files.length} files to ${resolve(flags.out)}:`);
      for (const file of files) console.log(`  ${file}`);
    });
  model
    .command('train')
    .description(
      'Train the forecaster the agent runs (ten years of daily WTI before --train-end, on the oracle-only features, fixed seed, fixed point) and write its canonical model file: the bytes whose keccak256 is the model id, ready for `model register`. The same inputs always give the same id.',
    )
    .addOption(new Option('--kind <kind>', 'forecaster kind').choices(['ridge', 'mlp']).default('ridge'))
    .requiredOption(
      '--train-end <date>',
      'last day of the training data (YYYY-MM-DD); the model is named for it',
      isoDate,
    )
    .option(
      '--out <file>',
      'also write the model file here (it is always written under <stateDir>/models/<id>.json)',
    )
    .action(async (flags: { kind: 'ridge' | 'mlp'; trainEnd: string; out?: string }, command: Command) => {
      // Loaded here, not at start-up: training pulls in the models and the agent's loaders.
      const { trainAgentForecaster } = await import('../../agent/index.js');
      const { loadCliConfig } = await import('../context.js');
      const { writeFileAtomicSync } = await import('../../files/index.js');
      const { join } = await import('node:path');
      const config = loadCliConfig(command.optsWithGlobals());
      const { loadDataset } = await import('../../data/index.js');
      checkTrainEnd(flags.trainEnd, loadDataset('wti-daily').series.points);
      const trained = trainAgentForecaster({
        kind: flags.kind,
        trainEnd: flags.trainEnd,
        stateDir: config.stateDirPath,
      });
      const stored = join(config.stateDirPath, 'models', `${trained.id}.json`);
      if (flags.out) writeFileAtomicSync(resolve(flags.out), trained.bytes);
      const file = flags.out ? resolve(flags.out) : stored;
      console.log(
        `Model ${trained.id}: ${trained.model.name} version ${trained.model.version} (${flags.kind}, scale 2^-${trained.model.scaleBits}, trained on ${trained.reference.X.length} days of WTI up to ${flags.trainEnd}), ${trained.bytes.length} bytes.`,
      );
      console.log(`Written to ${stored}${flags.out ? ` and ${file}` : ''}.`);
      console.log(
        `Next: \`provenant model register ${file} --holder <address=shares>…\` (shares sum to 1000000), then governance approves it (\`provenant model approve\`).`,
      );
    });
  registerModelRegistry(model);
}
