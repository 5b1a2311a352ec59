import { join } from 'node:path';
import { type Address, encodeAbiParameters, keccak256, type LocalAccount } from 'viem';
import {
  createClients,
  DEVNET_ROLES,
  type DeploymentManifest,
  type Devnet,
  defaultSuiteOptions,
  deploySuite,
  depositCollateral,
  devnetAccount,
  devnetReporter,
  ensureAllowance,
  faucet,
  type ProvenantClients,
  readPosition,
  startDevnet,
} from '../chain/index.js';
import { ContentStore } from '../provenance/index.js';
import { type AgentAddresses, agentAddresses } from './addresses.js';
import { bootstrapOnDevnet, DEMO_ZK_CONFIG, ensureModelRegistered } from './bootstrap.js';
import { loadGenerator, type TrainedForecaster, trainAgentForecaster } from './models.js';
import { ensureZkCommitment } from './zkCommitment.js';

const E6 = 10n ** 6n;
const E18 = 10n ** 18n;

export type StackParameters = {
  stateDir: string;
  /** Chain state file; null keeps the chain in memory (tests). */
  statePath: string | null;
  /** Genesis time of a new chain (seconds): the replay's first date. */
  genesisTimestamp?: bigint | undefined;
  /** The forecaster is trained on data dated up to here. */
  trainEnd: string;
  forecasterKind: 'ridge' | 'mlp';
  reporters?: number;
  quorum?: number;
  /** Collateral the agent deposits (whole tUSD). */
  capitalUsd?: number;
  /** Ridge forecaster only: governance makes the sWTI vault accept proven mints only (`zkRequired`). */
  requireZk?: boolean | undefined;
  onStep?: (step: string) => void;
};

/** A deployed, governed and funded Provenant on the embedded devnet. */
export type Stack = {
  stateDir: string;
  devnet: Devnet;
  deployer: ProvenantClients;
  agent: ProvenantClients;
  agentAccount: LocalAccount;
  relayer: ProvenantClients;
  reporterAccounts: LocalAccount[];
  users: ProvenantClients[];
  /** The guardian key (pause and tighten only); the demo's monitor uses it. */
  guardian: ProvenantClients;
  addresses: AgentAddresses;
  manifest: DeploymentManifest;
  forecaster: TrainedForecaster;
  generator: ReturnType<typeof loadGenerator>;
  content: ContentStore;
  close: () => Promise<void>;
};

/**
 * Starts (or resumes) the devnet and brings the whole suite up idempotently: deploy, register the
 * models with their shareholders, pass the bootstrap proposal through governance (time advanced on the
 * devnet), fund the agent and deposit its collateral. Every step checks the chain first, so a second
 * run on the same state does nothing twice.
 */
export async function openStack(p: StackParameters): Promise<Stack> {
  const step = p.onStep ?? (() => {});
  const devnet = await startDevnet({ statePath: p.statePath, genesisTimestamp: p.genesisTimestamp });
  try {
    const connect = (account: LocalAccount) =>
      createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
    const reporterCount = p.reporters ?? 5;
    const deployerAccount = devnetAccount(DEVNET_ROLES.deployer);
    const agentAccount = devnetAccount(DEVNET_ROLES.agent);
    const reporterAccounts = Array.from({ length: reporterCount }, (_, i) => devnetReporter(i));
    const [deployer, agent, relayer, user0, user1, user2, guardian] = await Promise.all([
      connect(deployerAccount),
      connect(agentAccount),
      connect(reporterAccounts[0]!),
      connect(devnetAccount(DEVNET_ROLES.user0)),
      connect(devnetAccount(DEVNET_ROLES.user1)),
      connect(devnetAccount(DEVNET_ROLES.user2)),
      connect(devnetAccount(DEVNET_ROLES.guardian)),
    ]);
    step('deploying contracts');
    const roles = {
      deployer: deployerAccount.address,
      agent: agentAccount.address,
      guardian: devnetAccount(DEVNET_ROLES.guardian).address,
      reporters: reporterAccounts.map((a) => a.address),
    };
    const deployed = await deploySuite(
      deployer,
      p.stateDir,
      defaultSuiteOptions(roles, p.quorum === undefined ? {} : { quorum: p.quorum }),
    );
    const addresses = agentAddresses(deployed.manifest, {
      synth: deployed.addresses['SynthToken.sWTI'] as Address,
    });
    step('training the forecaster on data before the replay');
    const forecaster = trainAgentForecaster({
      kind: p.forecasterKind,
      trainEnd: p.trainEnd,
      stateDir: p.stateDir,
    });
    const generator = loadGenerator();
    const content = new ContentStore(p.stateDir);
    await content.put(forecaster.bytes);
    await content.put(generator.bytes);
    step('registering models');
    const shareholders = [user0.account.address, user1.account.address];
    await ensureModelRegistered(deployer, addresses.registry, {
      id: forecaster.id,
      kind: 0,
      version: forecaster.model.version,
      uri: `ipfs://${await content.put(forecaster.bytes)}`,
      licence: 'MIT',
      holders: shareholders,
      amounts: [600_000n * E18, 400_000n * E18],
    });
    await ensureZkCommitment(deployer, addresses.registry, forecaster);
    await ensureModelRegistered(deployer, addresses.registry, {
      id: generator.id,
      kind: 1,
      version: generator.model.version,
      uri: `ipfs://${await content.put(generator.bytes)}`,
      licence: 'CC-BY-4.0',
      holders: shareholders,
      amounts: [500_000n * E18, 500_000n * E18],
    });
    step('governance: bootstrap proposal (propose, vote, queue, execute)');
    await bootstrapOnDevnet(
      deployer,
      addresses,
      { forecasterId: forecaster.id, generatorId: generator.id },
      {
        nftMintFee: 1n * E6,
        ...(p.forecasterKind === 'ridge' ? { zk: DEMO_ZK_CONFIG, zkRequired: p.requireZk === true } : {}),
        onStep: (s) => step(`governance: ${s}`),
      },
    );
    step('funding the agent');
    const capital = BigInt(p.capitalUsd ?? 1_000_000) * E6;
    const position = await readPosition(agent, addresses.vault, agentAccount.address);
    if (position.collateral === 0n) {
      await faucet(agent, addresses.collateral, agentAccount.address, capital + 100_000n * E6);
      await ensureAllowance(agent, addresses.collateral, addresses.vault);
      await ensureAllowance(agent, addresses.collateral, addresses.nft);
      await ensureAllowance(agent, addresses.collateral, addresses.pool);
      await ensureAllowance(agent, addresses.synth, addresses.pool);
      await depositCollateral(agent, addresses.vault, {
        owner: agentAccount.address,
        amount: capital,
        intentId: keccak256(
          encodeAbiParameters(
            [{ type: 'string' }, { type: 'address' }],
            ['initial-deposit', agentAccount.address],
          ),
        ),
      });
    }
    return {
      stateDir: p.stateDir,
      devnet,
      deployer,
      agent,
      agentAccount,
      relayer,
      reporterAccounts,
      users: [user0, user1, user2],
      guardian,
      addresses,
      manifest: deployed.manifest,
      forecaster,
      generator,
      content,
      close: devnet.stop,
    };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}

export function journalPath(stateDir: string): string {
  return join(stateDir, 'journal.sqlite');
}
