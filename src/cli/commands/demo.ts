import type { Command } from 'commander';
import { type DemoProgress, runDemo } from '../../agent/index.js';
import { type GlobalOptions, loadCliConfig, withShutdown } from '../context.js';
import { createProgressLine } from '../progress.js';
import { prepareDemoStateDir } from './demoState.js';
import { finishDemo } from './demoSummary.js';

type DemoFlags = {
  start: string;
  end: string;
  fresh?: boolean;
  resumeAfter: number;
  artSize?: number;
  report: string;
};

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'The main job: replay real WTI, Brent and gold history through 5 reporters into the oracles and run the agent on top, on the embedded devnet. Ctrl-C stops cleanly; running it again resumes (a state made by other contract code is moved aside and the demo starts fresh).',
    )
    .option('--start <date>', 'first trading day the agent acts on', '2019-12-02')
    .option('--end <date>', 'last trading day', '2020-12-31')
    .option(
      '--resume-after <epochs>',
      'epochs a halt lasts before the demo operator resumes the agent',
      (v) => Number.parseInt(v, 10),
      5,
    )
    .option('--art-size <pixels>', 'artwork size (default 512)', (v) => Number.parseInt(v, 10))
    .option('--report <dir>', 'report folder', 'reports/demo')
    .option('--fresh', 'discard the previous demo state (devnet, journal, content) and start over')
    .action(async (flags: DemoFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadCliConfig(globals);
      if (flags.fresh) {
        const { rmSync } = await import('node:fs');
        rmSync(config.stateDirPath, { recursive: true, force: true });
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

function formatProgress(e: DemoProgress): string {
  const r = e.report;
  const eta = e.ranThisRun > 0 ? ((e.elapsedMs / e.ranThisRun) * (e.total - e.epoch)) / 1000 : 0;
  const fc = r.forecast ? `${(r.forecast.mean * 100).toFixed(3)}%` : '—';
  const pos = r.debt !== undefined ? `${(Number(r.debt / 10n ** 15n) / 1000).toFixed(0)} sWTI` : '—';
  return `epoch ${e.epoch}/${e.total} ${r.date || '…'} WTI ${r.price?.toFixed(2) ?? '—'} forecast ${fc} position ${pos} refusals ${e.totals.refusals} halts ${e.totals.halts}${r.halted ? ' [halted]' : ''} ETA ${eta.toFixed(0)}s`;
}
