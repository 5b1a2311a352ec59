import type { Command } from 'commander';
import { type Address, isAddress } from 'viem';
import {
  DEVNET_ROLES,
  defaultSuiteOptions,
  deploySuite,
  devnetAccount,
  devnetReporter,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { type GlobalOptions, openChain, withShutdown } from '../context.js';
import { printTable, toJson } from '../output.js';

type DeployFlags = {
  json?: boolean;
  agent?: string;
  guardian?: string;
  reporters?: string[];
  collateral?: string;
};

function address(flag: string, value: string | undefined): Address | undefined {
  if (value === undefined) return undefined;
  if (!isAddress(value))
    throw new NonRetryableError(`--${flag} ${value} is not an address.`, {
      details: 'Pass a 0x-prefixed 20-byte hex address.',
    });
  return value;
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(
      'Deploy the contract suite in dependency order; a second run reuses what is already on-chain.',
    )
    .option('--agent <address>', 'the agent key (required on a real network; the devnet uses its account 1)')
    .option(
      '--guardian <address>',
      'the guardian (required on a real network; the devnet uses its account 2)',
    )
    .option('--reporters <address...>', 'oracle reporter addresses (required on a real network)')
    .option(
      '--collateral <address>',
      'an existing collateral ERC-20 such as USDC (default on the devnet: deploy TestStablecoin)',
    )
    .option('--json', 'print the deployment manifest as JSON')
    .action(async (flags: DeployFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const context = await openChain(globals);
      await withShutdown(context.close, async () => {
        const onDevnet = context.devnet !== undefined;
        const agent =
          address('agent', flags.agent) ?? (onDevnet ? devnetAccount(DEVNET_ROLES.agent).address : undefined);
        const guardian =
          address('guardian', flags.guardian) ??
          (onDevnet ? devnetAccount(DEVNET_ROLES.guardian).address : undefined);
        const reporters =
          flags.reporters?.map((r) => address('reporters', r) as Address) ??
          (onDevnet
            ? Array.from({ length: context.config.oracle.reporters }, (_, i) => devnetReporter(i).address)
            : undefined);
        if (!agent || !guardian || !reporters) {
          throw new NonRetryableError(
            'On a real network, deploy needs --agent, --guardian and --reporters.',
            {
              details:
                'The agent, the guardian and the deployer must be three different keys: the guard refuses an agent that can also configure or pause.',
            },
          );
        }
        const roles = { deployer: context.clients.account.address, agent, guardian, reporters };
        const result = await deploySuite(
          context.clients,
          context.stateDir,
          defaultSuiteOptions(roles, {
            quorum: Math.min(context.config.oracle.quorum, reporters.length),
            collateral: address('collateral', flags.collateral),
          }),
        );
        if (flags.json) {
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
