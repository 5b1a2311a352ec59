import { type Address, keccak256, toBytes, zeroAddress } from 'viem';
import { prepareCall } from './actions/call.js';
import { sendPrepared } from './actions/write.js';
import type { ProvenantClients } from './clients.js';
import { type DeployPlanResult, type DeployStep, deployPlan } from './deploy.js';
import { provenantTimelockAbi, syntheticVaultAbi } from './generated/contracts.js';

/** Who holds which role at deployment. Governance (the timelock) is the admin of every governed value. */
export type SuiteRoles = {
  deployer: Address;
  agent: Address;
  guardian: Address;
  reporters: readonly Address[];
};

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
  quorum: number;
  /** Oracle heartbeat: max seconds between rounds and max age of a report. */
  heartbeatSeconds: number;
  timelockDelaySeconds: bigint;
  votingDelaySeconds: number;
  votingPeriodSeconds: number;
  quorumPercent: bigint;
  feeds: readonly SuiteFeed[];
};

const E18 = 10n ** 18n;
const MAX96 = (1n << 96n) - 1n;

/** The demo's defaults: WTI, Brent (oil) and gold feeds; sWTI and sXAU vaults. */
export function defaultSuiteOptions(roles: SuiteRoles, overrides: Partial<SuiteOptions> = {}): SuiteOptions {
  const d = (v: number) => BigInt(Math.round(v * 1e8));
  return {
    roles,
    oracleDecimals: 8,
    quorum: Math.min(3, roles.reporters.length),
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

/** The Provenant contract suite in dependency order. */
export function suiteSteps(options: SuiteOptions): DeployStep[] {
  const { roles } = options;
  const steps: DeployStep[] = [];
  if (!options.collateral) steps.push({ name: 'TestStablecoin', contract: 'TestStablecoin', args: () => [] });
  const collateral = (d: Record<string, Address>) => options.collateral ?? (d.TestStablecoin as Address);
  steps.push(
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
        0n,
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
  for (const feed of options.feeds) {
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
          feed: d[`MedianOracle.${feed.key}`],
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
        d['SyntheticVault.sWTI:synth'] ?? zeroAddress,
        collateral(d),
        d.PolicyGuard,
        300n,
        30,
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
        args: (d) => [d[`MedianOracle.${feed.key}`], 1n],
      },
      {
        name: `ForecastProofGate.${feed.key}`,
        contract: 'ForecastProofGate',
        args: (d) => [
          d.RidgeGroth16Verifier,
          d.ModelRegistry,
          d[`MedianOracle.${feed.key}`],
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
  return steps;
}

export const TIMELOCK_ROLES = {
  PROPOSER_ROLE: keccak256(toBytes('PROPOSER_ROLE')),
  CANCELLER_ROLE: keccak256(toBytes('CANCELLER_ROLE')),
  DEFAULT_ADMIN_ROLE: `0x${'00'.repeat(32)}`,
} as const;

export type DeploySuiteResult = DeployPlanResult & { addresses: Record<string, Address> };

/**
 * Deploys the suite (idempotently) and wires it: the governor becomes the timelock's only proposer and
 * canceller, and the deployer renounces the timelock admin role so no key can bypass the delay.
 */
export async function deploySuite(
  clients: ProvenantClients,
  stateDir: string,
  options: SuiteOptions,
  onStep?: Parameters<typeof deployPlan>[3],
): Promise<DeploySuiteResult> {
  // The pool needs the sWTI synth token, which the vault deploys: run the plan in two phases.
  const all = suiteSteps(options);
  const poolIndex = all.findIndex((s) => s.name === 'DynamicFeePool.sWTI');
  const first = await deployPlan(clients, stateDir, all.slice(0, poolIndex), onStep);
  const addresses: Record<string, Address> = Object.fromEntries(
    Object.entries(first.manifest.contracts).map(([k, v]) => [k, v.address]),
  );
  const vault = addresses['SyntheticVault.sWTI'];
  if (vault) addresses['SyntheticVault.sWTI:synth'] = await readSynth(clients, vault);
  for (const symbol of options.feeds.filter((f) => f.synthSymbol).map((f) => f.synthSymbol)) {
    const v = addresses[`SyntheticVault.${symbol}`];
    if (v) addresses[`SynthToken.${symbol}`] = await readSynth(clients, v);
  }
  const rest = all
    .slice(poolIndex)
    .map((step) => ({ ...step, args: (d: Record<string, Address>) => step.args({ ...addresses, ...d }) }));
  const second = await deployPlan(clients, stateDir, [...all.slice(0, poolIndex), ...rest], onStep);
  for (const [k, v] of Object.entries(second.manifest.contracts)) addresses[k] = v.address;
  delete addresses['SyntheticVault.sWTI:synth'];
  await wireTimelock(clients, addresses);
  return { ...second, outcomes: [...first.outcomes, ...second.outcomes.slice(poolIndex)], addresses };
}

async function readSynth(clients: ProvenantClients, vault: Address): Promise<Address> {
  return clients.publicClient.readContract({ address: vault, abi: syntheticVaultAbi, functionName: 'SYNTH' });
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
