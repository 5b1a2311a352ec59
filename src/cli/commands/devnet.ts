import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import type { GlobalOptions } from '../context.js';

export function registerDevnet(program: Command): void {
  program
    .command('devnet')
    .description(
      'Start the embedded devnet (anvil from node_modules) on a loopback port (devnet.host in the config) and keep it running until Ctrl-C.',
    )
    .option(
      '--state <file>',
      'load chain state from this file and save it there periodically and on stop (default: devnet.stateFile under the state dir, <stateDir>/devnet-state.json; devnet.stateFile null keeps the chain in memory)',
    )
    .option('--port <port>', 'port to listen on, 1024 to 65535 (default or 0: a free one)', parsePort)
    .action(async (options: { state?: string; port?: number }, command: Command) => {
      // Loaded here, not at start-up: the chain module pulls in viem.
      const { startDevnet } = await import('../../chain/index.js');
      const { loadCliConfig, withShutdown } = await import('../context.js');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const config = loadCliConfig(globals);
      // The same chain the other commands start on their own (docs/config.md: devnet.stateFile under stateDir),
      // so `provenant devnet` serves the demo's or a deployment's saved chain unless told otherwise.
      const statePath = options.state
        ? resolve(options.state)
        : config.devnet.stateFile
          ? join(config.stateDirPath, config.devnet.stateFile)
          : null;
      const devnet = await startDevnet({
        port: options.port ?? config.devnet.port,
        host: config.devnet.host,
        chainId: config.devnet.chainId,
        statePath,
        stateIntervalSeconds: config.devnet.stateIntervalSeconds,
        // A saved chain keeps its own clock: startDevnet's default (`keepSavedClock`).
      });
      console.log(
        `Devnet running at ${devnet.rpcUrl} (chain ${devnet.chainId})${devnet.statePath ? `, state in ${devnet.statePath} (lock ${devnet.lockPath})` : ''}.`,
      );
      if (!isLoopback(config.devnet.host))
        console.error(
          `Warning: the devnet listens on ${config.devnet.host}, not loopback: anyone who reaches this machine can send transactions from its funded accounts, whose keys come from a public test mnemonic. Set devnet.host to 127.0.0.1 unless you mean it.`,
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

/** A whole number only ("18545x" or "1e4" are mistakes, not ports); range checks happen in startDevnet. */
function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value.trim())) {
    throw new InvalidArgumentError('expected a whole number from 1024 to 65535, or 0 for a free port.');
  }
  return Number(value.trim());
}

/** 127.0.0.0/8, ::1 and localhost: where only this machine can connect. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
