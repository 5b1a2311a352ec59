import type { Command } from 'commander';
import { DEVNET_ROLES, deploySuite, devnetAccount, devnetReporter } from '../../chain/index.js';
import { type GlobalOptions, openChain, withShutdown } from '../context.js';
import { printTable, toJson } from '../output.js';

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(
      'Deploy the contract suite in dependency order; a second run reuses what is already on-chain.',
    )
    .option('--json', 'print the deployment manifest as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const context = await openChain(globals);
      await withShutdown(context.close, async () => {
        const deployer = context.clients.account.address;
        const onDevnet = context.devnet !== undefined;
        const result = await deploySuite(context.clients, context.stateDir, {
          deployer,
          agent: onDevnet ? devnetAccount(DEVNET_ROLES.agent).address : deployer,
          guardian: onDevnet ? devnetAccount(DEVNET_ROLES.guardian).address : deployer,
          reporters: onDevnet
            ? Array.from({ length: context.config.oracle.reporters }, (_, i) => devnetReporter(i).address)
            : [deployer],
        });
        if (options.json) {
          console.log(toJson(result.manifest));
          return;
        }
        console.log(`Deployed on chain ${context.clients.chain.id}; manifest ${result.manifestPath}`);
        printTable(
          result.outcomes.map((o) => [
            o.name,
            `${o.address}  ${o.outcome}${o.reason ? ` (${o.reason})` : ''}`,
          ]),
        );
      });
    });
}
