import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
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

function summary(result: BacktestResult): [string, string][] {
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
      // Loaded here, not at start-up: the models module pulls in viem.
      const { runBacktest } = await import('../../models/index.js');
      const { printTable, toJson } = await import('../output.js');
      const result = runBacktest(backtestOptions(flags));
      if (flags.json) console.log(toJson(result.metrics));
      else printTable(summary(result));
    });
  withBacktestFlags(
    model
      .command('report')
      .description('Run the backtest and write a report folder (Markdown + PNG charts).'),
  )
    .option('--out <dir>', 'report folder', 'reports/model')
    .action(async (flags: BacktestFlags & { out: string }) => {
      const { runBacktest, writeModelReport } = await import('../../models/index.js');
      const { printTable } = await import('../output.js');
      const result = runBacktest(backtestOptions(flags));
      const { files } = writeModelReport(result, resolve(flags.out));
      printTable(summary(result));
      console.log(`\nWrote ${files.length} files to ${resolve(flags.out)}:`);
      for (const file of files) console.log(`  ${file}`);
    });
  registerModelRegistry(model);
}
