import { join } from 'node:path';
import { type Address, encodeAbiParameters, isAddressEqual, keccak256, type LocalAccount } from 'viem';
import {
  createClients,
  DEVNET_ROLES,
  type DeploymentManifest,
  type Devnet,
  defaultSuiteOptions,
  deployPlan,
  deploySuite,
  depositCollateral,
  devnetAccount,
  devnetReporter,
  ensureAllowance,
  faucet,
  medianOracleAbi,
  type ProvenantClients,
  phasedAggregatorProxyAbi,
  readManifest,
  readPosition,
  type SuiteOptions,
  startDevnet,
  writeContract,
} from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';
import { publishNextRound, toAnswer } from '../oracle/index.js';
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
  /**
   * Where the suite reads WTI: its own MedianOracle (default), or a Chainlink-style proxy
   * (`PhasedAggregatorProxy`, round ids `1 << 64 | n`) over a stand-alone MedianOracle, deployed before
   * the suite and passed to it as an external feed (`externalFeeds: { WTI: proxy }`).
   */
  wtiFeed?: 'median-oracle' | 'chainlink-proxy' | undefined;
  /**
   * `chainlink-proxy` only: the round published into the proxy's aggregator before the suite is
   * deployed (an external feed must answer `latestRoundData()` at deployment). The demo passes its first
   * warm-up day. Chain time is moved to `timestamp` first.
   */
  wtiFirstRound?: { timestamp: bigint; wti: number } | undefined;
  /** The config's `devnet` settings the stack's anvil uses (port, bind host, state dump interval). */
  devnet?: {
    port?: number | undefined;
    host?: string | undefined;
    stateIntervalSeconds?: number | undefined;
  };
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
  /** A second relayer key: the demo's Brent and gold rounds go through it, in parallel with WTI. */
  feedRelayer: ProvenantClients;
  reporterAccounts: LocalAccount[];
  users: ProvenantClients[];
  /** The guardian key (pause and tighten only); the demo's monitor uses it. */
  guardian: ProvenantClients;
  addresses: AgentAddresses;
  /**
   * Where the relayer publishes WTI rounds: `addresses.feeds.WTI` itself (the suite's MedianOracle), or,
   * with `wtiFeed: 'chainlink-proxy'`, the phase aggregator behind the proxy that `addresses.feeds.WTI`
   * is (the agent, the vault and the accumulator read the proxy; rounds are published into the aggregator).
   */
  wtiPublishTarget: Address;
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
  const devnet = await startDevnet({
    statePath: p.statePath,
    genesisTimestamp: p.genesisTimestamp,
    port: p.devnet?.port,
    host: p.devnet?.host,
    stateIntervalSeconds: p.devnet?.stateIntervalSeconds,
  });
  try {
    const connect = (account: LocalAccount) =>
      createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
    const reporterCount = p.reporters ?? 5;
    const deployerAccount = devnetAccount(DEVNET_ROLES.deployer);
    const agentAccount = devnetAccount(DEVNET_ROLES.agent);
    const reporterAccounts = Array.from({ length: reporterCount }, (_, i) => devnetReporter(i));
    const [deployer, agent, relayer, feedRelayer, user0, user1, user2, guardian] = await Promise.all([
      connect(deployerAccount),
      connect(agentAccount),
      connect(reporterAccounts[0]!),
      connect(devnetAccount(DEVNET_ROLES.feedRelayer)),
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
    const suiteOptions = defaultSuiteOptions(roles, p.quorum === undefined ? {} : { quorum: p.quorum });
    assertSameWtiFeed(p.stateDir, devnet.chainId, p.wtiFeed ?? 'median-oracle');
    let wtiPublishTarget: Address | undefined;
    if (p.wtiFeed === 'chainlink-proxy') {
      step('deploying the external WTI feed (a Chainlink-style proxy over a MedianOracle)');
      const external = await deployProxyFeed(deployer, relayer, reporterAccounts, p, suiteOptions);
      wtiPublishTarget = external.aggregator;
      suiteOptions.externalFeeds = { WTI: external.proxy };
    }
    const deployed = await deploySuite(deployer, p.stateDir, suiteOptions);
    const addresses = agentAddresses(deployed.manifest, {
      // The vault is the synth's ERC-20.
      synth: deployed.addresses['SyntheticVault.sWTI'] as Address,
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
        stateDir: p.stateDir,
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
      feedRelayer,
      reporterAccounts,
      users: [user0, user1, user2],
      guardian,
      addresses,
      wtiPublishTarget: wtiPublishTarget ?? addresses.feeds.WTI,
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

/** A resumed stack was deployed with another kind of WTI feed than the one asked for now. */
export class StackFeedMismatchError extends NonRetryableError {
  override name = 'StackFeedMismatchError';
}

/**
 * A state directory keeps the suite it was deployed with: resuming it with the other `wtiFeed` would
 * leave the suite on its old feed while the demo published into the new one. Refused, naming the fix.
 */
function assertSameWtiFeed(
  stateDir: string,
  chainId: number,
  wanted: 'median-oracle' | 'chainlink-proxy',
): void {
  const existing = readManifest(stateDir, chainId).feeds?.WTI?.source;
  if (existing === undefined) return;
  const had = existing === 'external' ? 'chainlink-proxy' : 'median-oracle';
  if (had !== wanted)
    throw new StackFeedMismatchError(
      `The state in ${stateDir} was deployed with WTI feed '${had}', not '${wanted}'.`,
      {
        details: `Resume it with the same feed (--wti-feed ${had}), or start over with --fresh (discards the devnet, journal and content).`,
      },
    );
}

/**
 * The external WTI feed of `wtiFeed: 'chainlink-proxy'`: a stand-alone MedianOracle (owned by the
 * deployer, outside the suite; the suite's reporters, quorum, bounds and heartbeat, as the suite's own
 * WTI oracle would have) and a PhasedAggregatorProxy over it (owner: deployer, phase 1). Recorded in
 * their own manifest under `<stateDir>/external-feed` (they are not the suite's contracts; a resumed
 * run reuses them). An external feed must have a round before the suite is deployed (`deploySuite`
 * checks `latestRoundData()`, and the zk accumulator starts at the feed's latest round), so the first
 * warm-up day's WTI (`p.wtiFirstRound`) is published into the aggregator here, before the suite exists:
 * the accumulator then starts at `1 << 64 | 1`, the replay's first round, as it starts at round 1 on a
 * MedianOracle. That day's Brent and gold wait for the suite: the demo's first epoch finds WTI's round 1
 * already published and publishes only them (`publishEpoch`).
 */
async function deployProxyFeed(
  deployer: ProvenantClients,
  relayer: ProvenantClients,
  reporterAccounts: LocalAccount[],
  p: StackParameters,
  options: SuiteOptions,
): Promise<{ aggregator: Address; proxy: Address }> {
  const wti = options.feeds.find((f) => f.key === 'WTI');
  if (!wti) throw new RangeError('the suite options have no WTI feed');
  const plan = await deployPlan(deployer, join(p.stateDir, 'external-feed'), [
    {
      name: 'WtiPhaseAggregator',
      contract: 'MedianOracle',
      args: () => [
        deployer.account.address,
        options.oracleDecimals,
        wti.description,
        wti.minAnswer,
        wti.maxAnswer,
        options.heartbeatSeconds,
        [...options.roles.reporters],
        BigInt(options.quorum),
      ],
    },
    {
      name: 'WtiProxy',
      contract: 'PhasedAggregatorProxy',
      args: (d) => [deployer.account.address, d.WtiPhaseAggregator],
    },
  ]);
  const first = plan.outcomes[0]!.address;
  const proxy = plan.outcomes[1]!.address;
  const rounds = await deployer.publicClient.readContract({
    address: first,
    abi: medianOracleAbi,
    functionName: 'latestRound',
  });
  if (BigInt(rounds) === 0n) {
    const day = p.wtiFirstRound;
    if (!day)
      throw new RangeError(
        "wtiFeed 'chainlink-proxy' needs wtiFirstRound: the feed must have a round before the suite is deployed",
      );
    const block = await deployer.publicClient.getBlock();
    if (block.timestamp < day.timestamp) {
      await deployer.testClient!.setNextBlockTimestamp({ timestamp: day.timestamp });
      await deployer.testClient!.mine({ blocks: 1 });
    }
    // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
    const observedAt = day.timestamp > block.timestamp ? day.timestamp : block.timestamp;
    await publishNextRound(
      relayer,
      { accounts: reporterAccounts, spreadPpm: 500 },
      { feed: first, answer: toAnswer(day.wti, options.oracleDecimals), observedAt },
    );
  }
  // Rounds go to the proxy's current aggregator: a resumed run after an upgrade publishes into the new phase.
  const aggregator = await deployer.publicClient.readContract({
    address: proxy,
    abi: phasedAggregatorProxyAbi,
    functionName: 'aggregator',
  });
  return { aggregator, proxy };
}

/**
 * `wtiFeed: 'chainlink-proxy'` only: the aggregator of the proxy's next phase, for an upgrade as Chainlink
 * does when it replaces a feed's aggregator. A MedianOracle with the current aggregator's settings
 * (decimals, description, bounds, heartbeat, reporters, quorum), recorded as `WtiPhaseAggregator.<phase>`
 * in the external feed's manifest, so a call repeated before the switch (a run killed mid-upgrade) reuses
 * it. Publish its first round, then `switchWtiProxy`: Chainlink's new aggregators answer before the switch.
 */
export async function deployNextWtiAggregator(
  stack: Pick<Stack, 'deployer' | 'addresses' | 'stateDir' | 'wtiPublishTarget'>,
): Promise<{ phaseId: number; aggregator: Address }> {
  const { deployer } = stack;
  const current = stack.wtiPublishTarget;
  if (isAddressEqual(current, stack.addresses.feeds.WTI))
    throw new RangeError("a WTI aggregator upgrade needs a stack deployed with wtiFeed 'chainlink-proxy'");
  const setting = <
    F extends 'decimals' | 'description' | 'minAnswer' | 'maxAnswer' | 'heartbeat' | 'reporters' | 'quorum',
  >(
    functionName: F,
  ) => deployer.publicClient.readContract({ address: current, abi: medianOracleAbi, functionName });
  const [decimals, description, minAnswer, maxAnswer, heartbeat, reporters, quorum] = await Promise.all([
    setting('decimals'),
    setting('description'),
    setting('minAnswer'),
    setting('maxAnswer'),
    setting('heartbeat'),
    setting('reporters'),
    setting('quorum'),
  ]);
  const phaseId =
    (await deployer.publicClient.readContract({
      address: stack.addresses.feeds.WTI,
      abi: phasedAggregatorProxyAbi,
      functionName: 'phaseId',
    })) + 1;
  const plan = await deployPlan(deployer, join(stack.stateDir, 'external-feed'), [
    {
      name: `WtiPhaseAggregator.${phaseId}`,
      contract: 'MedianOracle',
      args: () => [
        deployer.account.address,
        decimals,
        description,
        minAnswer,
        maxAnswer,
        heartbeat,
        [...reporters],
        quorum,
      ],
    },
  ]);
  return { phaseId, aggregator: plan.outcomes[0]!.address };
}

/**
 * The aggregator recorded for proxy phase `phaseId` in the external feed's manifest (`WtiPhaseAggregator` for
 * phase 1, `WtiPhaseAggregator.<phase>` after), deployed or not yet switched to; undefined when none is.
 */
export function recordedWtiAggregator(
  stack: Pick<Stack, 'stateDir' | 'relayer'>,
  phaseId: number,
): Address | undefined {
  const manifest = readManifest(join(stack.stateDir, 'external-feed'), stack.relayer.chain.id);
  return manifest.contracts[phaseId === 1 ? 'WtiPhaseAggregator' : `WtiPhaseAggregator.${phaseId}`]?.address;
}

/** Switches the WTI proxy to `aggregator` (a new phase) and publishes WTI into it from now on. */
export async function switchWtiProxy(
  stack: Pick<Stack, 'deployer' | 'addresses' | 'wtiPublishTarget'>,
  aggregator: Address,
): Promise<void> {
  await writeContract(stack.deployer, {
    address: stack.addresses.feeds.WTI,
    abi: phasedAggregatorProxyAbi,
    functionName: 'setAggregator',
    args: [aggregator],
    label: 'switch the WTI proxy to a new aggregator',
  });
  stack.wtiPublishTarget = aggregator;
}

export function journalPath(stateDir: string): string {
  return join(stateDir, 'journal.sqlite');
}
