import type { Command } from 'commander';
import type { Address } from 'viem';
import type { DeploymentManifest, ProvenantClients } from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';

type DeployFlags = {
  json?: boolean;
  agent?: string;
  guardian?: string;
  reporters?: string[];
  collateral?: string;
  feed?: string[];
};

function address(
  isAddress: (value: string) => value is Address,
  flag: string,
  value: string | undefined,
): Address | undefined {
  if (value === undefined) return undefined;
  if (!isAddress(value))
    throw new NonRetryableError(`--${flag} ${value} is not an address.`, {
      details: 'Pass a 0x-prefixed 20-byte hex address.',
    });
  return value;
}

/**
 * The chain id of a local development node (anvil's and hardhat's default). No token has value there, so
 * `deploy` may deploy TestStablecoin as collateral on it, as on the embedded devnet; on any other chain
 * it requires --collateral.
 */
export const LOCAL_DEV_CHAIN_ID = 31337;

/**
 * The manifest name of an existing collateral token (`deploy --collateral`). The agent-side commands
 * (`agent`, `policy`, `model`, `synth`, `verify`, …) resolve the collateral from the manifest: the
 * deployed `TestStablecoin` on a development chain, else this entry.
 */
export const COLLATERAL_ENTRY = 'Collateral';

/**
 * Records the existing collateral ERC-20 in the deployment manifest as `Collateral` (deployed by no one
 * here: zero init and transaction hashes; the runtime code hash found now). Its block is the suite's
 * first deployment block, so event scans (which start at the manifest's earliest block) do not move to
 * genesis. Idempotent; a re-run with another `--collateral` overwrites the entry (the vault is then
 * redeployed by the plan, its constructor argument having changed).
 */
export async function recordCollateral(
  clients: ProvenantClients,
  stateDir: string,
  collateral: Address,
): Promise<DeploymentManifest> {
  const { keccak256, zeroHash } = await import('viem');
  const { deploymentBlock, readManifest, writeManifest } = await import('../../chain/index.js');
  const manifest = readManifest(stateDir, clients.chain.id);
  let first: bigint | undefined;
  for (const [name, contract] of Object.entries(manifest.contracts)) {
    if (name === COLLATERAL_ENTRY) continue;
    const block = deploymentBlock(contract);
    if (first === undefined || block < first) first = block;
  }
  const code = await clients.publicClient.getCode({ address: collateral });
  manifest.contracts[COLLATERAL_ENTRY] = {
    contract: 'ERC20 (existing, --collateral)',
    address: collateral,
    codeHash: keccak256(code ?? '0x'),
    initHash: zeroHash,
    transactionHash: zeroHash,
    blockNumber: (first ?? 0n).toString(),
  };
  writeManifest(stateDir, manifest);
  return manifest;
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description(
      'Deploy the contract suite in dependency order; a second run reuses what is already on-chain.',
    )
    .option(
      '--agent <address>',
      'the agent key (required on a real network; the devnet uses its account 1); never the deployer (who receives every governance vote) nor the guardian',
    )
    .option(
      '--guardian <address>',
      'the guardian (required on a real network; the devnet uses its account 2)',
    )
    .option('--reporters <address...>', 'oracle reporter addresses (required on a real network)')
    .option(
      '--collateral <address>',
      'the collateral ERC-20 that backs the synths, such as USDC (required on a real network; on the devnet, or a local chain 31337, TestStablecoin is deployed when it is left out); checked before anything is deployed',
    )
    .option(
      '--feed <key=address...>',
      'read feed KEY (WTI, BRENT or XAU) from an existing Chainlink AggregatorV3 feed instead of deploying a MedianOracle for it, e.g. --feed WTI=0x…; checked on deploy, never published to',
    )
    .option('--json', 'print the deployment manifest as JSON')
    .action(async (flags: DeployFlags, command: Command) => {
      // Loaded here, not at start-up: the chain module pulls in viem.
      const { isAddress } = await import('viem');
      const {
        checkSuiteRoles,
        DEVNET_ROLES,
        defaultSuiteOptions,
        deploySuite,
        devnetAccount,
        devnetReporter,
        minOracleQuorum,
        parseExternalFeeds,
      } = await import('../../chain/index.js');
      const { openChain, withShutdown } = await import('../context.js');
      const { printTable, toJson } = await import('../output.js');
      const globals = command.optsWithGlobals<GlobalOptions>();
      const context = await openChain(globals);
      await withShutdown(context.close, async () => {
        const onDevnet = context.devnet !== undefined;
        const agent =
          address(isAddress, 'agent', flags.agent) ??
          (onDevnet ? devnetAccount(DEVNET_ROLES.agent).address : undefined);
        const guardian =
          address(isAddress, 'guardian', flags.guardian) ??
          (onDevnet ? devnetAccount(DEVNET_ROLES.guardian).address : undefined);
        const reporters =
          flags.reporters?.map((r) => address(isAddress, 'reporters', r) as Address) ??
          (onDevnet
            ? Array.from({ length: context.config.oracle.reporters }, (_, i) => devnetReporter(i).address)
            : undefined);
        if (!agent || !guardian || !reporters) {
          throw new NonRetryableError(
            'On a real network, deploy needs --agent, --guardian and --reporters.',
            {
              details:
                'The agent, the guardian and the deployer must be three different keys: the deployer receives every governance vote (PVG), and the guard refuses an agent that can also configure or pause.',
            },
          );
        }
        // Off a development chain the collateral must be named: TestStablecoin is a faucet anyone can
        // mint from, so a vault backed by it would mint synths against worthless collateral.
        const collateral = address(isAddress, 'collateral', flags.collateral);
        if (!collateral && !onDevnet && context.clients.chain.id !== LOCAL_DEV_CHAIN_ID) {
          throw new NonRetryableError(
            `On a real network (chain ${context.clients.chain.id}), deploy needs --collateral: the ERC-20 that backs the synths.`,
            {
              details: `Without it deploy would deploy TestStablecoin, a test coin anyone can mint, and back the synths with it. Pass an existing ERC-20 on this chain, such as USDC: --collateral 0x… (it is checked before anything is deployed). TestStablecoin is deployed only on the embedded devnet or a local development chain (chain id ${LOCAL_DEV_CHAIN_ID}).`,
              docsPath: 'docs/chain.md#deployments',
            },
          );
        }
        const roles = { deployer: context.clients.account.address, agent, guardian, reporters };
        // Before anything is sent: an agent that is the deployer (all the PVG votes) or the guardian.
        checkSuiteRoles(roles);
        const base = defaultSuiteOptions(roles);
        const externalFeeds = parseExternalFeeds(
          flags.feed ?? [],
          base.feeds.map((f) => f.key),
        );
        // MedianOracle refuses a quorum below the Byzantine minimum; a lower configured value is raised
        // (tightened) to it, and said so.
        const configured = Math.min(
          context.config.oracle.quorum ?? minOracleQuorum(reporters.length),
          reporters.length,
        );
        const options = defaultSuiteOptions(roles, {
          quorum: configured,
          collateral,
          externalFeeds,
        });
        if (options.quorum !== configured && !flags.json)
          console.log(
            `oracle.quorum ${configured} is below the minimum ${minOracleQuorum(reporters.length)} for ${reporters.length} reporters (fewer than half lying must not decide a round): deploying with quorum ${options.quorum}.`,
          );
        const result = await deploySuite(context.clients, context.stateDir, options);
        // On stderr, so `--json` output stays one document.
        for (const warning of result.warnings) console.error(`warning: ${warning}`);
        // The commands that act on the suite find the collateral in the manifest (it is not deployed here).
        const manifest = collateral
          ? await recordCollateral(context.clients, context.stateDir, collateral)
          : result.manifest;
        if (flags.json) {
          console.log(toJson(manifest));
          return;
        }
        console.log(`Deployed on chain ${context.clients.chain.id}; manifest ${result.manifestPath}`);
        for (const [key, feed] of Object.entries(externalFeeds))
          console.log(
            `Feed ${key}: external AggregatorV3 at ${feed} (read only; no reporters publish to it)`,
          );
        const rows: [string, string][] = result.outcomes.map((o) => [
          o.name,
          `${o.address}  ${o.outcome}${o.reason ? ` (${o.reason})` : ''}`,
        ]);
        if (collateral)
          rows.unshift([COLLATERAL_ENTRY, `${collateral}  existing ERC-20 (recorded, not deployed)`]);
        printTable(rows);
      });
    });
}
