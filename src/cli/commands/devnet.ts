import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startDevnet } from '../../chain/index.js';
import { type GlobalOptions, loadCliConfig, withShutdown } from '../context.js';

export function registerDevnet(program: Command): void {
  program
    .command('devnet')
    .description(
      'Start the embedded devnet (anvil from node_modules) on a loopback port and keep it running until Ctrl-C.',
    )
    .option('--state <file>', 'load chain state from this file and save it there periodically and on stop')
    .option('--port <port>', 'port to listen on (default: a free one)', (v) => Number.parseInt(v, 10))
    .action(async (options: { state?: string; port?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadCliConfig(globals);
      const devnet = await startDevnet({
        port: options.port ?? config.devnet.port,
        host: config.devnet.host,
        chainId: config.devnet.chainId,
        statePath: options.state ? resolve(options.state) : null,
        stateIntervalSeconds: config.devnet.stateIntervalSeconds,
      });
      console.log(
        `Devnet running at ${devnet.rpcUrl} (chain ${devnet.chainId})${devnet.statePath ? `, state in ${devnet.statePath}` : ''}.`,
      );
      console.log('Press Ctrl-C to stop.');
      await withShutdown(
        devnet.stop,
        (signal) =>
          new Promise<void>((resolveDone) => {
            signal.addEventListener('abort', () => resolveDone());
            devnet.process.once('exit', () => resolveDone());
          }),
      );
      console.log('Devnet stopped.');
    });
}
