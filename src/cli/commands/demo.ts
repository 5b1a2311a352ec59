import { type Command, Option } from 'commander';
import type { DemoProgress } from '../../agent/index.js';
import type { Series } from '../../data/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';
import { artSize, isoDate, nonNegativeInt } from '../parse.js';
import { createProgressLine } from '../progress.js';

type DemoFlags = {
  start: string;
  end: string;
  fresh?: boolean;
  resumeAfter: number;
  artSize?: number;
  report: string;
  wtiFeed: 'median-oracle' | 'chainlink-proxy';
  upgradeWtiAggregatorOn?: string;
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The main job: replay real WTI, Brent and gold history through 5 reporters into the oracles and run the agent on top, on the embedded devnet. Ctrl-C stops cleanly; running it again resumes (a state made by other contract code is moved aside and the demo starts fresh).',
    )
    .option('--start <date>', 'first trading day the agent acts on', isoDate, '2019-12-02')
    .option('--end <date>', 'last trading day', isoDate, '2020-12-31')
    .option(
      '--resume-after <epochs>',
      'epochs a halt lasts before the demo operator resumes the agent',
      nonNegativeInt,
      5,
    )
    .option('--art-size <pixels>', 'artwork size, at most 4096 (default 512)', artSize)
    .option('--report <dir>', 'report folder', 'reports/demo')
    .option(
      '--fresh',
      'move the previous demo state (devnet, journal, content) aside, nothing deleted, and start over',
    )
    .addOption(
      new Option(
        '--wti-feed <kind>',
        'where the suite reads WTI: its own MedianOracle, or a Chainlink-style proxy (round ids phase << 64 | n) over one, as a deployment on a real Chainlink feed would',
      )
        .choices(['median-oracle', 'chainlink-proxy'])
        .default('median-oracle'),
    )
    .option(
      '--upgrade-wti-aggregator-on <date>',
      "with --wti-feed chainlink-proxy: on this replay day the proxy moves to a new aggregator (phase 2), as Chainlink does when it replaces a feed's aggregator; rehearses what the agent, the zk accumulator and verify do across it",
      isoDate,
    )
    .action(async (flags: DemoFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { loadDataset } = await import('../../data/index.js');
      checkDemoRange(flags.start, flags.end, loadDataset('wti-daily').series);
      // Loaded here, not at start-up: the agent pulls in viem, snarkjs, better-sqlite3 and resvg.
      const { runDemo } = await import('../../agent/index.js');
      const { feedRulesOf, txManagerSettings } = await import('../../config/index.js');
      const { loadCliConfig, withShutdown } = await import('../context.js');
      const { moveDemoStateAside, prepareDemoStateDir } = await import('./demoState.js');
      const { finishDemo } = await import('./demoSummary.js');
      if (globals.rpcUrl?.length)
        throw new NonRetryableError(
          '`provenant demo` runs on its embedded devnet; --rpc-url is not used by it.',
          {
            details:
              'Drop --rpc-url to run the demo. To run the agent on another chain, deploy there (`provenant deploy --rpc-url …`) and use `provenant agent run --rpc-url …`.',
            docsPath: 'docs/agent.md#running-the-agent',
          },
        );
      const config = loadCliConfig(globals);
      if (config.chain.rpcUrls.length)
        console.log(
          `Note: chain.rpcUrls in the config is not used by the demo (it runs on its embedded devnet, port ${config.devnet.port || 'any free one'}).`,
        );
      if (flags.fresh) {
        const aside = moveDemoStateAside(config.stateDirPath);
        if (aside)
          console.log(`The previous demo state was moved to ${aside} (delete it when no longer needed).`);
      }
      const moved = prepareDemoStateDir(config.stateDirPath);
      if (moved)
        console.log(
          `The demo state in ${config.stateDirPath} was made by other contract code; it was moved to ${moved} and the demo starts fresh.`,
        );
      const progress = createProgressLine();
      let stopping = false;
      await withShutdown(
        async () => {},
        async (signal) => {
          signal.addEventListener('abort', () => {
            stopping = true;
          });
          const result = await runDemo({
            stateDir: config.stateDirPath,
            start: flags.start,
            end: flags.end,
            resumeAfterEpochs: flags.resumeAfter,
            wtiFeed: flags.wtiFeed,
            upgradeWtiAggregatorOn: flags.upgradeWtiAggregatorOn,
            devnet: {
              port: config.devnet.port,
              host: config.devnet.host,
              stateIntervalSeconds: config.devnet.stateIntervalSeconds,
            },
            feedRules: feedRulesOf(config.oracle),
            stuckAfterMs: txManagerSettings(config.chain).stuckAfterMs,
            agent: {
              ...(config.agent as object),
              ...(flags.artSize
                ? { art: { size: flags.artSize, evolveEveryEpochs: 20, maxTokens: 12 } }
                : {}),
            },
            signal,
            onStep: (step) => progress.note(`setup: ${step}`),
            onProgress: (event: DemoProgress) => progress.update(formatProgress(event), event.note),
          });
          progress.done();
          try {
            await finishDemo(result, { reportDir: flags.report, stopped: stopping });
          } finally {
            result.journal.close();
            await result.stack.close();
          }
        },
      );
    });
}

/** The dates the demo replays must lie in the WTI data and in order; checked before anything starts. */
export class DemoRangeError extends NonRetryableError {
  override name = 'DemoRangeError';
}

/**
 * Checks `--start`/`--end` against the WTI series' coverage up front (otherwise the replay fails deep
 * inside with a bare RangeError): start ≤ end, start on or before the last day, end on or after the first.
 */
/** WTI trading days the forecaster needs before --start: 21 answers for the first feature row + 50 training rows + 1. */
const MIN_DAYS_BEFORE_START = 72;

export function checkDemoRange(start: string, end: string, wti: Series): void {
  const first = wti.points[0]?.date;
  const last = wti.points.at(-1)?.date;
  if (!first || !last)
    throw new DemoRangeError('The WTI dataset is empty.', { docsPath: 'data/oil-prices/SOURCE.md' });
  const covers = `WTI data covers ${first}…${last}`;
  // The agent's forecaster is trained on the days before --start: its features need 21 answers, and
  // training needs at least 50 rows (trainForecaster), so fewer days of history cannot work.
  const historyBefore = wti.points.filter((p) => p.date < start).length;
  const problem =
    start > last
      ? `--start ${start} is after the last WTI day in the data`
      : end < first
        ? `--end ${end} is before the first WTI day in the data`
        : start > end
          ? `--start ${start} is after --end ${end}`
          : historyBefore < MIN_DAYS_BEFORE_START
            ? `--start ${start} leaves ${historyBefore} WTI days before it to train the forecaster on; it needs at least ${MIN_DAYS_BEFORE_START}`
            : undefined;
  if (problem)
    throw new DemoRangeError(`${problem} (${covers}).`, {
      details: `Pick trading days inside ${first}…${last}, start before end, e.g. --start 2019-12-02 --end 2020-12-31 (the default).`,
      docsPath: 'data/oil-prices/SOURCE.md',
    });
}

function formatProgress(e: DemoProgress): string {
  const r = e.report;
  const eta = e.ranThisRun > 0 ? ((e.elapsedMs / e.ranThisRun) * (e.total - e.epoch)) / 1000 : 0;
  const fc = r.forecast ? `${(r.forecast.mean * 100).toFixed(3)}%` : '—';
  const pos = r.debt !== undefined ? `${(Number(r.debt / 10n ** 15n) / 1000).toFixed(0)} sWTI` : '—';
  return `epoch ${e.epoch}/${e.total} ${r.date || '…'} WTI ${r.price?.toFixed(2) ?? '—'} forecast ${fc} position ${pos} refusals ${e.totals.refusals} halts ${e.totals.halts}${r.halted ? ' [halted]' : ''} ETA ${eta.toFixed(0)}s`;
}
