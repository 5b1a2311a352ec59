import {
  type Abi,
  type Address,
  encodeDeployData,
  type Hex,
  isAddressEqual,
  keccak256,
  toBytes,
  zeroAddress,
} from 'viem';
import { isRetryable, NonRetryableError } from '../errors/index.js';
import { prepareCall } from './actions/call.js';
import { sendPrepared } from './actions/write.js';
import type { ProvenantClients } from './clients.js';
import { type DeployPlanResult, type DeployStep, deployPlan } from './deploy.js';
import { DeployStepError, TransactionRevertedError } from './errors.js';
import { checkCollateral, checkExternalFeed, ExternalFeedError } from './externalFeed.js';
import {
  artifacts,
  feedAccumulatorAbi,
  modelRegistryAbi,
  provenantTimelockAbi,
  provenantVotesAbi,
} from './generated/contracts.js';
import { type DeployedFeed, readManifest, writeManifest } from './manifest.js';
import { toContractRevertError } from './revert.js';
import { toInsufficientBalanceError } from './tx/funds.js';

/** Who holds which role at deployment. Governance (the timelock) is the admin of every governed value. */
export type SuiteRoles = {
  deployer: Address;
  agent: Address;
  guardian: Address;
  reporters: readonly Address[];
};

/**
 * Who receives the governance votes (PVG) at deployment: the `ProvenantVotes` step mints the whole
 * supply to the deployer, who then delegates, proposes and votes (or distributes the tokens).
 */
export function initialVoteHolders(roles: SuiteRoles): Address[] {
  return [roles.deployer];
}

/** The agent key also holds another role at deployment (it would control what should bound it). */
export class AgentRoleConflictError extends NonRetryableError {
  override name = 'AgentRoleConflictError';
  constructor(agent: Address, role: string, why: string) {
    super(`The agent ${agent} is also the ${role}: refusing to deploy.`, {
      details: `${why} Deploy with an agent key that is none of the deployer, the initial vote holders and the guardian (\`provenant deploy --agent <address>\`). Votes can still be transferred later: never send PVG to the agent.`,
      docsPath: 'docs/governance.md#roles',
    });
  }
}

/**
 * Refuses (AgentRoleConflictError) an agent that is the zero address, the deployer or any initial vote
 * holder (the votes decide every governed limit, so the agent would loosen its own limits through a
 * proposal), or the guardian (who pauses and tightens; PolicyGuard refuses that pair too).
 */
export function checkSuiteRoles(roles: SuiteRoles): void {
  const { agent } = roles;
  if (agent === zeroAddress)
    throw new AgentRoleConflictError(agent, 'zero address', 'The guard would have no agent.');
  if (isAddressEqual(agent, roles.deployer))
    throw new AgentRoleConflictError(
      agent,
      'deployer',
      'The deployer receives all 1,000,000 PVG votes at deployment, so the agent key would pass any governance proposal, including one that raises its own limits.',
    );
  for (const holder of initialVoteHolders(roles))
    if (isAddressEqual(agent, holder))
      throw new AgentRoleConflictError(
        agent,
        'initial vote holder',
        'Holders of the PVG votes decide every governed limit, so the agent would loosen its own limits.',
      );
  if (isAddressEqual(agent, roles.guardian))
    throw new AgentRoleConflictError(
      agent,
      'guardian',
      'The guardian pauses and tightens the limits that bind the agent; the agent must not hold that key.',
    );
}

/** One synthetic market: its oracle feed and vault. */
export type SuiteFeed = {
  key: string;
  description: string;
  synthName: string;
  synthSymbol: string;
  minAnswer: bigint;
  maxAnswer: bigint;
};

export type SuiteOptions = {
  roles: SuiteRoles;
  /** An existing collateral ERC-20 (e.g. USDC); on the devnet, omit it to deploy TestStablecoin. */
  collateral?: Address | undefined;
  oracleDecimals: number;
  /**
   * Reports per MedianOracle round. MedianOracle refuses anything below `minOracleQuorum(reporters)`
   * (the Byzantine bound: 5 of 5, 5 of 6, ...), so the default is that minimum.
   */
  quorum: number;
  /**
   * Feeds to read from an existing AggregatorV3 contract (e.g. a Chainlink feed) instead of deploying a
   * MedianOracle, by feed key: `{ WTI: '0x…' }`. Checked on deploy; reporters never publish to them.
   */
  externalFeeds?: Readonly<Record<string, Address>> | undefined;
  /**
   * The round each feed's FeedAccumulator starts at (default 1, a MedianOracle's first round). An
   * external feed's accumulator starts at the feed's latest round when deployed: a Chainlink proxy's
   * round ids are `phase << 64 | n`, so round 1 does not exist there (`deploySuite` fills this in).
   */
  accumulatorStartRounds?: Readonly<Record<string, bigint>> | undefined;
  /** Oracle heartbeat: max seconds between rounds and max age of a report. */
  heartbeatSeconds: number;
  timelockDelaySeconds: bigint;
  votingDelaySeconds: number;
  votingPeriodSeconds: number;
  quorumPercent: bigint;
  feeds: readonly SuiteFeed[];
};

const E18 = 10n ** 18n;
/** The governor's proposal threshold: 0.1 % of the 1,000,000-vote supply. */
export const PROPOSAL_THRESHOLD = 1_000n * E18;
/** The sWTI/USD pool's opening fee (bps); the SET_FEE policy's initial value must equal it (bootstrap). */
export const POOL_INITIAL_FEE_BPS = 30;
const MAX96 = (1n << 96n) - 1n;

/**
 * The smallest quorum MedianOracle accepts for `reporterCount` reporters (its `minQuorum`): with
 * f = floor((n - 1) / 2) possible liars (fewer than half), 2f + 1 reports, so every accepted round has an
 * honest majority whichever reports a relayer picks. n for odd n, n - 1 for even n.
 */
export function minOracleQuorum(reporterCount: number): number {
  return reporterCount <= 0 ? 0 : 2 * Math.floor((reporterCount - 1) / 2) + 1;
}

/**
 * The demo's defaults: WTI, Brent (oil) and gold feeds; sWTI and sXAU vaults. The oracle quorum is the
 * Byzantine minimum (5 of 5 for the default five reporters); a lower `quorum` override is raised to it
 * (MedianOracle would refuse it), a higher one up to the reporter count is kept.
 */
export function defaultSuiteOptions(roles: SuiteRoles, overrides: Partial<SuiteOptions> = {}): SuiteOptions {
  const d = (v: number) => BigInt(Math.round(v * 1e8));
  const n = roles.reporters.length;
  const quorum = Math.min(n, Math.max(minOracleQuorum(n), overrides.quorum ?? 0));
  return {
    roles,
    oracleDecimals: 8,
    heartbeatSeconds: 7 * 24 * 3600,
    timelockDelaySeconds: 3600n,
    votingDelaySeconds: 1,
    votingPeriodSeconds: 600,
    quorumPercent: 4n,
    feeds: [
      {
        key: 'WTI',
        description: 'WTI / USD',
        synthName: 'Synthetic WTI',
        synthSymbol: 'sWTI',
        minAnswer: d(0.01),
        maxAnswer: d(1000),
      },
      {
        key: 'BRENT',
        description: 'Brent / USD',
        synthName: '',
        synthSymbol: '',
        minAnswer: d(0.01),
        maxAnswer: d(1000),
      },
      {
        key: 'XAU',
        description: 'Gold / USD',
        synthName: 'Synthetic Gold',
        synthSymbol: 'sXAU',
        minAnswer: d(1),
        maxAnswer: d(100000),
      },
    ],
    ...overrides,
    quorum,
  };
}

/** Hard ceilings of the guard, fixed at deployment: no policy may ever exceed them. */
export const GLOBAL_CEILING = {
  epochCap: MAX96,
  lifetimeCap: MAX96,
  rateLimit: 1000n,
  subjectRateLimit: 24n,
  minValue: 0n,
  maxValue: 1000n,
  maxStep: 1000n,
  marginBps: 0n,
  maxOracleAge: 30n * 24n * 3600n,
  maxDeviationBps: 10_000n,
} as const;

/** An oracle quorum outside MedianOracle's Byzantine bound `[minOracleQuorum(n), n]`. */
export class InvalidOracleQuorumError extends NonRetryableError {
  override name = 'InvalidOracleQuorumError';
  constructor(quorum: number, reporterCount: number) {
    super(
      `Oracle quorum ${quorum} is outside [${minOracleQuorum(reporterCount)}, ${reporterCount}] for ${reporterCount} reporters.`,
      {
        details: `MedianOracle needs at least ${minOracleQuorum(reporterCount)} reports per round with ${reporterCount} reporters, so that fewer than half of them lying cannot move an answer whichever reports a relayer submits. Set oracle.quorum to ${minOracleQuorum(reporterCount)}..${reporterCount} (or leave it out).`,
        docsPath: 'docs/oracle.md#quorum',
      },
    );
  }
}

/** The manifest/plan name of feed `key`'s address: its MedianOracle, or `Feed.<key>` when external. */
const feedStep = (options: SuiteOptions, key: string) =>
  options.externalFeeds?.[key] ? `Feed.${key}` : `MedianOracle.${key}`;

/**
 * The Provenant contract suite in dependency order. A feed in `options.externalFeeds` gets no
 * MedianOracle step: the vault, accumulator and proof gate of that feed are built on the given address.
 */
export function suiteSteps(options: SuiteOptions): DeployStep[] {
  const { roles } = options;
  checkSuiteRoles(roles);
  const n = roles.reporters.length;
  const min = minOracleQuorum(n);
  if (options.quorum < min || options.quorum > n) throw new InvalidOracleQuorumError(options.quorum, n);
  for (const key of Object.keys(options.externalFeeds ?? {}))
    if (!options.feeds.some((f) => f.key === key))
      throw new ExternalFeedError(key, String(options.externalFeeds?.[key]), `the suite has no feed ${key}`);
  const external = (d: Record<string, Address>) => ({
    ...Object.fromEntries(Object.entries(options.externalFeeds ?? {}).map(([k, a]) => [`Feed.${k}`, a])),
    ...d,
  });
  const feedOf = (d: Record<string, Address>, key: string) => external(d)[feedStep(options, key)];
  const steps: DeployStep[] = [];
  if (!options.collateral) steps.push({ name: 'TestStablecoin', contract: 'TestStablecoin', args: () => [] });
  const collateral = (d: Record<string, Address>) => options.collateral ?? (d.TestStablecoin as Address);
  steps.push(
    // The whole supply to the one initial vote holder (`initialVoteHolders`), never the agent.
    { name: 'ProvenantVotes', contract: 'ProvenantVotes', args: () => [roles.deployer, 1_000_000n * E18] },
    {
      name: 'ProvenantTimelock',
      contract: 'ProvenantTimelock',
      args: () => [options.timelockDelaySeconds, [], [zeroAddress], roles.deployer],
    },
    {
      name: 'ProvenantGovernor',
      contract: 'ProvenantGovernor',
      args: (d) => [
        d.ProvenantVotes,
        d.ProvenantTimelock,
        options.votingDelaySeconds,
        options.votingPeriodSeconds,
        // 0.1 % of the supply to propose: without a threshold any account (the agent key included, which
        // holds no votes) could flood governance with proposals (third audit).
        PROPOSAL_THRESHOLD,
        options.quorumPercent,
      ],
    },
    {
      name: 'ModelRegistry',
      contract: 'ModelRegistry',
      args: (d) => [collateral(d), d.ProvenantTimelock, roles.guardian],
    },
    {
      name: 'PolicyGuard',
      contract: 'PolicyGuard',
      args: (d) => [d.ProvenantTimelock, roles.guardian, roles.agent, d.ModelRegistry, GLOBAL_CEILING],
    },
  );
  for (const feed of options.feeds.filter((f) => !options.externalFeeds?.[f.key])) {
    steps.push({
      name: `MedianOracle.${feed.key}`,
      contract: 'MedianOracle',
      args: (d) => [
        d.ProvenantTimelock,
        options.oracleDecimals,
        feed.description,
        feed.minAnswer,
        feed.maxAnswer,
        options.heartbeatSeconds,
        [...roles.reporters],
        BigInt(options.quorum),
      ],
    });
  }
  for (const feed of options.feeds.filter((f) => f.synthSymbol)) {
    steps.push({
      name: `SyntheticVault.${feed.synthSymbol}`,
      contract: 'SyntheticVault',
      args: (d) => [
        {
          name: feed.synthName,
          symbol: feed.synthSymbol,
          collateral: collateral(d),
          feed: feedOf(d, feed.key),
          guard: d.PolicyGuard,
          registry: d.ModelRegistry,
          admin: d.ProvenantTimelock,
          guardian: roles.guardian,
          bounds: {
            liquidationRatioFloorBps: 11_000,
            liquidationPenaltyCeilingBps: 2_000,
            mintFeeCeilingBps: 500,
            oracleAgeCeiling: 86_400,
          },
          risk: {
            minCollateralRatioBps: 15_000,
            liquidationRatioBps: 12_000,
            liquidationPenaltyBps: 1_000,
            mintFeeBps: 30,
            maxOracleAge: 86_400,
            mintingPaused: false,
            minDebt: 10n * E18,
          },
          debtCeiling: 1_000_000n * E18,
        },
      ],
    });
  }
  steps.push(
    {
      name: 'DynamicFeePool.sWTI',
      contract: 'DynamicFeePool',
      args: (d) => [
        // The vault is the synth's ERC-20 (SyntheticVault.SYNTH() returns the vault itself).
        d['SyntheticVault.sWTI'] ?? zeroAddress,
        collateral(d),
        d.PolicyGuard,
        300n,
        POOL_INITIAL_FEE_BPS,
        'Provenant sWTI/USD LP',
        'PLP-sWTI',
      ],
    },
    {
      name: 'ProvenanceNFT',
      contract: 'ProvenanceNFT',
      args: (d) => [
        'Provenant Market Art',
        'PMART',
        d.PolicyGuard,
        d.ProvenantTimelock,
        d.ProvenantTimelock,
        500n,
        1_000_000n,
      ],
    },
  );
  // Zero-knowledge gate (issue 8): the generated verifier of the agent's ridge forecaster circuit
  // (zk/ridge/), and per vault feed a FeedAccumulator (the Poseidon chain over the feed's answers that
  // binds a proof's 21 answers to the oracle's rounds) and a ForecastProofGate. Layout = the circuit's:
  // 2 outputs, 21 consecutive answers, 40-bit values; the last round at most 4 days old (covers weekends
  // of a daily feed). The vault's zk path is switched on by governance: `vault.setZkConfig({ gate, ... })`.
  steps.push({ name: 'RidgeGroth16Verifier', contract: 'RidgeGroth16Verifier', args: () => [] });
  for (const feed of options.feeds.filter((f) => f.synthSymbol)) {
    steps.push(
      {
        name: `FeedAccumulator.${feed.key}`,
        contract: 'FeedAccumulator',
        args: (d) => [feedOf(d, feed.key), options.accumulatorStartRounds?.[feed.key] ?? 1n],
      },
      {
        name: `ForecastProofGate.${feed.key}`,
        contract: 'ForecastProofGate',
        args: (d) => [
          d.RidgeGroth16Verifier,
          d.ModelRegistry,
          feedOf(d, feed.key),
          d[`FeedAccumulator.${feed.key}`],
          4n * 86_400n,
          2n,
          21n,
          40n,
        ],
      },
    );
  }
  // ERC-7007 `groth16` proofs on the NFT (issue 8): true when a token's manifest names a forecast the
  // WTI gate recorded. Governance plugs it in with `nft.setAigcVerifier` (the bootstrap proposal does).
  if (options.feeds.some((f) => f.key === 'WTI' && f.synthSymbol))
    steps.push({
      name: 'ForecastAigcVerifier',
      contract: 'ForecastAigcVerifier',
      args: (d) => [d['ForecastProofGate.WTI']],
    });
  // On-chain anchors of the agent's journal head (no owner, no arguments): `audit verify` checks them.
  steps.push({ name: 'JournalAnchor', contract: 'JournalAnchor', args: () => [] });
  return steps;
}

export const TIMELOCK_ROLES = {
  PROPOSER_ROLE: keccak256(toBytes('PROPOSER_ROLE')),
  CANCELLER_ROLE: keccak256(toBytes('CANCELLER_ROLE')),
  DEFAULT_ADMIN_ROLE: `0x${'00'.repeat(32)}`,
} as const;

/**
 * The START_ROUND of the FeedAccumulator this deployment already has for feed `key`, if it has one and it
 * follows `feed` (after a switch to another feed address the old start round means nothing: the new
 * accumulator starts at the new feed's latest round).
 */
async function existingAccumulatorStart(
  clients: ProvenantClients,
  stateDir: string,
  key: string,
  feed: Address,
): Promise<bigint | undefined> {
  const recorded = readManifest(stateDir, clients.chain.id).contracts[`FeedAccumulator.${key}`];
  if (!recorded) return undefined;
  const code = await clients.publicClient.getCode({ address: recorded.address });
  if (!code || code === '0x') return undefined;
  const at = { address: recorded.address, abi: feedAccumulatorAbi } as const;
  const follows = await clients.publicClient.readContract({ ...at, functionName: 'FEED' });
  if (!isAddressEqual(follows, feed)) return undefined;
  return clients.publicClient.readContract({ ...at, functionName: 'START_ROUND' });
}

/**
 * `addresses` holds every deployed contract by plan name plus `Feed.<key>` for every feed and
 * `SynthToken.<symbol>` for every synth (its vault's address: the vault is the synth's ERC-20).
 */
export type DeploySuiteResult = DeployPlanResult & {
  addresses: Record<string, Address>;
  /** What the deploy could not do and the operator should know (each with its consequence and fix). */
  warnings: string[];
};

/**
 * Deploys the suite (idempotently) and wires it: the governor becomes the timelock's only proposer and
 * canceller, and the deployer renounces the timelock admin role so no key can bypass the delay.
 * External feeds (`options.externalFeeds`) are checked first (ExternalFeedError names the problem) and
 * recorded in the manifest's `feeds` with `source: 'external'`, so relayers leave them alone.
 */
export async function deploySuite(
  clients: ProvenantClients,
  stateDir: string,
  options: SuiteOptions,
  onStep?: Parameters<typeof deployPlan>[3],
): Promise<DeploySuiteResult> {
  // The collateral first, before anything is sent: a wrong address (no code, not an ERC-20, too many
  // decimals) would otherwise fail deep in the plan, after several contracts were deployed.
  if (options.collateral) await checkCollateral(clients, options.collateral);
  const checked: Record<string, DeployedFeed> = {};
  const accumulatorStartRounds: Record<string, bigint> = {};
  for (const [key, address] of Object.entries(options.externalFeeds ?? {})) {
    const check = await checkExternalFeed(clients, key, address, options.oracleDecimals);
    checked[key] = { address, source: 'external', decimals: check.decimals, codeHash: check.codeHash };
    // The zk gate's accumulator follows the feed from its latest round (see accumulatorStartRounds), or,
    // when this deployment already has one for the feed, from the round that one started at (so a re-run
    // reuses it). It follows one Chainlink phase: an aggregator upgrade behind the proxy (a new phase)
    // needs a new accumulator and gate, deployed by governance (docs/oracle.md).
    accumulatorStartRounds[key] =
      (await existingAccumulatorStart(clients, stateDir, key, address)) ?? check.latestRoundId;
  }
  // Each vault is its synth's ERC-20, so the pool's synth address is known from the plan itself: one phase.
  const all = suiteSteps({ ...options, accumulatorStartRounds });
  const deployed = await runPlan(clients, stateDir, all, onStep);
  const addresses: Record<string, Address> = Object.fromEntries(
    Object.entries(deployed.manifest.contracts).map(([k, v]) => [k, v.address]),
  );
  // `SynthToken.<symbol>` stays for readers written when the synth was a separate contract: the vault.
  for (const symbol of options.feeds.filter((f) => f.synthSymbol).map((f) => f.synthSymbol)) {
    const vault = addresses[`SyntheticVault.${symbol}`];
    if (vault) addresses[`SynthToken.${symbol}`] = vault;
  }
  // The feeds by key, external or deployed; a feed that was external before and is deployed now (or
  // the reverse) is simply overwritten.
  const manifest = readManifest(stateDir, clients.chain.id);
  manifest.feeds = {};
  for (const feed of options.feeds) {
    const entry: DeployedFeed = checked[feed.key] ?? {
      address: addresses[`MedianOracle.${feed.key}`] as Address,
      source: 'median-oracle',
      decimals: options.oracleDecimals,
    };
    manifest.feeds[feed.key] = entry;
    addresses[`Feed.${feed.key}`] = entry.address;
  }
  const manifestPath = writeManifest(stateDir, manifest);
  await refuseAgentVotes(clients, addresses.ProvenantVotes as Address, options.roles.agent);
  await wireTimelock(clients, addresses);
  const warning = await bindApprovalListener(clients, addresses);
  return { ...deployed, manifest, manifestPath, addresses, warnings: warning ? [warning] : [] };
}

/**
 * `deployPlan`, with a failure named by its step: the step after the last one reported is the one that
 * failed, and its error becomes a DeployStepError (the constructor's revert decoded when the project knows
 * it, no init code in the message), or an InsufficientBalanceError when the deployer cannot pay.
 * Retryable errors (the node did not answer) pass through unchanged.
 */
async function runPlan(
  clients: ProvenantClients,
  stateDir: string,
  steps: readonly DeployStep[],
  onStep?: Parameters<typeof deployPlan>[3],
): Promise<DeployPlanResult> {
  const deployed: Record<string, Address> = {};
  let done = 0;
  try {
    return await deployPlan(clients, stateDir, steps, (outcome) => {
      deployed[outcome.name] = outcome.address;
      done++;
      onStep?.(outcome);
    });
  } catch (error) {
    const step = steps[done];
    if (!step || isRetryable(error)) throw error;
    const unpaid = await toInsufficientBalanceError(clients, error, {
      label: `deploy ${step.name}`,
      account: clients.account.address,
      data: initCode(step, deployed),
    });
    if (unpaid) throw unpaid;
    throw new DeployStepError(step.name, step.contract, deployFailure(error), error);
  }
}

/** The creation data `deployPlan` sends for `step` (undefined when its arguments cannot be built). */
function initCode(step: DeployStep, deployed: Record<string, Address>): Hex | undefined {
  try {
    const artifact = artifacts[step.contract] as { abi: Abi; bytecode: Hex };
    return encodeDeployData({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args: step.args(deployed) as unknown[],
    });
  } catch {
    return undefined;
  }
}

/** One line saying why a deploy transaction failed, from a viem or Provenant error. */
function deployFailure(error: unknown): string {
  const revert = toContractRevertError(error);
  if (revert) {
    const shown = Object.entries(revert.args)
      .map(([k, v]) => `${k}=${typeof v === 'bigint' ? v.toString() : String(v)}`)
      .join(', ');
    return `its constructor reverted with ${revert.errorName}(${shown})`;
  }
  if (error instanceof TransactionRevertedError)
    return `${error.shortMessage} (its constructor reverted on-chain)`;
  const e = error as { shortMessage?: unknown; message?: unknown };
  const text = typeof e.shortMessage === 'string' ? e.shortMessage : String(e.message ?? error);
  const first = text.split('\n')[0] ?? '';
  if (/revert/i.test(first))
    return `its constructor reverted with no reason the project's contracts declare (${first.replace(/\.$/, '')})`;
  return first.replace(/\.$/, '');
}

/**
 * On a re-run the votes token already exists and its tokens may have moved: refuses (AgentRoleConflictError)
 * when the agent holds or is delegated any PVG.
 */
async function refuseAgentVotes(clients: ProvenantClients, votes: Address, agent: Address): Promise<void> {
  const read = (functionName: 'balanceOf' | 'getVotes') =>
    clients.publicClient.readContract({
      address: votes,
      abi: provenantVotesAbi,
      functionName,
      args: [agent],
    });
  const [balance, delegated] = await Promise.all([read('balanceOf'), read('getVotes')]);
  if (balance > 0n || delegated > 0n)
    throw new AgentRoleConflictError(
      agent,
      'holder of governance votes',
      `It holds ${balance} PVG (wei) and ${delegated} delegated votes, so it could pass proposals that loosen its own limits; move them away from the agent.`,
    );
}

/**
 * Binds the guard as the registry's approval listener (`ModelRegistry.bindApprovalListener`), so the registry
 * tells it of every approval change and each guarded action reads the guard's own copy (one slot) instead of
 * calling the registry (~5,500 gas more). Only the registry's deployer can bind, once. A registry already
 * bound to this guard needs nothing; one bound to another guard (only the guard was redeployed) or unbound
 * and deployed by another key is left as it is — the guard then asks the registry on every action, correct
 * but dearer — and the returned warning says so (the unbound case also names who still holds the binding).
 */
async function bindApprovalListener(
  clients: ProvenantClients,
  addresses: Record<string, Address>,
): Promise<string | undefined> {
  const registry = addresses.ModelRegistry as Address;
  const guard = addresses.PolicyGuard as Address;
  const read = (functionName: 'approvalListener' | 'DEPLOYER') =>
    clients.publicClient.readContract({ address: registry, abi: modelRegistryAbi, functionName });
  const [bound, deployer] = await Promise.all([read('approvalListener'), read('DEPLOYER')]);
  if (bound.toLowerCase() === guard.toLowerCase()) return undefined;
  if (bound !== zeroAddress)
    return `ModelRegistry ${registry} tells another guard (${bound}) of approval changes, not PolicyGuard ${guard}: every guarded action asks the registry (~5,500 gas more each). A registry is bound to one guard for good; deploy a new registry (fresh state dir) to get the one-slot check.`;
  if (deployer.toLowerCase() !== clients.account.address.toLowerCase())
    return `ModelRegistry ${registry} tells no guard of approval changes and only its deployer ${deployer} can bind one (this key is ${clients.account.address}): every guarded action asks the registry (~5,500 gas more each). Run \`provenant deploy\` with that key, which binds PolicyGuard ${guard}; until it is bound, that key could bind a listener of its choosing (docs/markets.md, ModelRegistry).`;
  await sendPrepared(
    clients,
    prepareCall({
      address: registry,
      abi: modelRegistryAbi,
      functionName: 'bindApprovalListener',
      args: [guard],
      label: 'registry: bind the guard as approval listener',
    }),
  );
  return undefined;
}

async function wireTimelock(clients: ProvenantClients, addresses: Record<string, Address>): Promise<void> {
  const timelock = addresses.ProvenantTimelock as Address;
  const governor = addresses.ProvenantGovernor as Address;
  const has = (role: `0x${string}`, account: Address) =>
    clients.publicClient.readContract({
      address: timelock,
      abi: provenantTimelockAbi,
      functionName: 'hasRole',
      args: [role, account],
    });
  for (const role of [TIMELOCK_ROLES.PROPOSER_ROLE, TIMELOCK_ROLES.CANCELLER_ROLE]) {
    if (!(await has(role, governor))) {
      await sendPrepared(
        clients,
        prepareCall({
          address: timelock,
          abi: provenantTimelockAbi,
          functionName: 'grantRole',
          args: [role, governor],
          label: 'timelock: grant governor',
        }),
      );
    }
  }
  const me = clients.account.address;
  if (await has(TIMELOCK_ROLES.DEFAULT_ADMIN_ROLE, me)) {
    await sendPrepared(
      clients,
      prepareCall({
        address: timelock,
        abi: provenantTimelockAbi,
        functionName: 'renounceRole',
        args: [TIMELOCK_ROLES.DEFAULT_ADMIN_ROLE, me],
        label: 'timelock: deployer renounces admin',
      }),
    );
  }
}
