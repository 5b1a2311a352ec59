import { type Address, type Hex, isAddressEqual } from 'viem';
import {
  approveModelCall,
  ensureDelegated,
  type GovernanceCall,
  governanceCall,
  type ModelApproval,
  ModelRegistrationMismatchError,
  modelRegistryAbi,
  POOL_INITIAL_FEE_BPS,
  type Proposal,
  type ProvenantClients,
  passProposalOnDevnet,
  policyGuardAbi,
  predictSharesAddress,
  provenanceNFTAbi,
  readBoundOwner,
  readRegistration,
  recordProposal,
  registrationDifferences,
  requireRegistration,
  syntheticVaultAbi,
  writeContract,
} from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';
import { POLICY_ACTIONS } from '../policy/index.js';
import type { AgentAddresses } from './addresses.js';

const E18 = 10n ** 18n;
const DAY = 86_400n;

/** PolicyGuard.Limits, in field order. */
export type Limits = {
  epochCap: bigint;
  lifetimeCap: bigint;
  rateLimit: bigint;
  subjectRateLimit: bigint;
  minValue: bigint;
  maxValue: bigint;
  maxStep: bigint;
  marginBps: bigint;
  maxOracleAge: bigint;
  maxDeviationBps: bigint;
};

const limits = (l: Partial<Limits>): Limits => ({
  epochCap: 0n,
  lifetimeCap: 0n,
  rateLimit: 0n,
  subjectRateLimit: 0n,
  minValue: 0n,
  maxValue: 0n,
  maxStep: 0n,
  marginBps: 0n,
  maxOracleAge: DAY,
  maxDeviationBps: 2_500n,
  ...l,
});

/** One policy the bootstrap proposal creates: its hard ceiling and the governed limits below it. */
export type PolicySpec = {
  asset: Address;
  action: Hex;
  label: string;
  epochLength: bigint;
  ceiling: Limits;
  limits: Limits;
  initialValue: bigint;
};

/**
 * The demo's limits (all epochs are one day, aligned to 00:00 UTC):
 * - sWTI / sXAU SYNTH_MINT: at most 1,500 synth per day, 200,000 ever, 5 mints a day; a mint must
 *   leave the position at liquidation ratio + 30% (150%). Ceilings: 10,000 a day, 1,000,000 ever,
 *   1,000 mints a day.
 * - pool SET_FEE: fee within [5, 100] bps, at most ±10 bps from the day's opening fee, 2 changes a day.
 * - NFT MINT: 2 a day, 100 ever. NFT UPDATE: 20 a day, at most 1 per token a day.
 */
export function demoPolicies(a: AgentAddresses): PolicySpec[] {
  const synth = (asset: Address, label: string): PolicySpec => ({
    asset,
    action: POLICY_ACTIONS.SYNTH_MINT,
    label,
    epochLength: DAY,
    ceiling: limits({
      epochCap: 10_000n * E18,
      lifetimeCap: 1_000_000n * E18,
      rateLimit: 1_000n,
      marginBps: 1_000n,
      maxOracleAge: 3n * DAY,
      maxDeviationBps: 5_000n,
    }),
    limits: limits({ epochCap: 1_500n * E18, lifetimeCap: 200_000n * E18, rateLimit: 5n, marginBps: 3_000n }),
    initialValue: 0n,
  });
  return [
    synth(a.vault, 'sWTI vault/SYNTH_MINT'),
    synth(a.goldVault, 'sXAU vault/SYNTH_MINT'),
    {
      asset: a.pool,
      action: POLICY_ACTIONS.SET_FEE,
      label: 'sWTI/USD pool/SET_FEE',
      epochLength: DAY,
      ceiling: limits({
        rateLimit: 10n,
        minValue: 1n,
        maxValue: 300n,
        maxStep: 50n,
        maxOracleAge: 3n * DAY,
        maxDeviationBps: 5_000n,
      }),
      limits: limits({ rateLimit: 2n, minValue: 5n, maxValue: 100n, maxStep: 10n }),
      // The guard measures max step from its own record of the fee: it must start at the pool's real fee.
      initialValue: BigInt(POOL_INITIAL_FEE_BPS),
    },
    {
      asset: a.nft,
      action: POLICY_ACTIONS.MINT,
      label: 'Market Art NFT/MINT',
      epochLength: DAY,
      ceiling: limits({
        epochCap: 10n,
        lifetimeCap: 1_000n,
        rateLimit: 10n,
        maxOracleAge: 3n * DAY,
        maxDeviationBps: 5_000n,
      }),
      limits: limits({ epochCap: 2n, lifetimeCap: 100n, rateLimit: 2n }),
      initialValue: 0n,
    },
    {
      asset: a.nft,
      action: POLICY_ACTIONS.UPDATE,
      label: 'Market Art NFT/UPDATE',
      epochLength: DAY,
      ceiling: limits({
        epochCap: 100n,
        lifetimeCap: 100_000n,
        rateLimit: 100n,
        subjectRateLimit: 4n,
        maxOracleAge: 3n * DAY,
        maxDeviationBps: 5_000n,
      }),
      limits: limits({ epochCap: 20n, lifetimeCap: 10_000n, rateLimit: 20n, subjectRateLimit: 1n }),
      initialValue: 0n,
    },
  ];
}

export type BootstrapModels = { forecasterId: Hex; generatorId: Hex };

/**
 * The registrations the bootstrap proposal approves, as reviewed: `approveModel` pins each one's owner,
 * share token (hence initial holders and amounts) and zk commitment, and reverts on any other record.
 */
export type BootstrapApprovals = { forecaster: ModelApproval; generator: ModelApproval };

/** The zk mint path's risk rule on the vault (must match the agent's `targetVol` / `maxPositionFraction`). */
export const DEMO_ZK_CONFIG = {
  targetVolBps: 2_000,
  maxLeverageBps: 3_000,
  scaleBits: 20,
  maxProofAge: 86_400,
} as const;

export type BootstrapOptions = {
  nftMintFee?: bigint;
  zk?: typeof DEMO_ZK_CONFIG | undefined;
  /** With `zk`: every sWTI mint must carry a proof (`setZkRequired(true)`; plain mints are refused). */
  zkRequired?: boolean | undefined;
};

/** The governance call that creates policy `p` on the guard (its ceiling, limits and initial value). */
export function createPolicyCall(guard: Address, p: PolicySpec): GovernanceCall {
  return governanceCall(
    guard,
    policyGuardAbi,
    'createPolicy',
    [p.asset, p.action, p.epochLength, p.ceiling, p.limits, p.initialValue],
    `create policy ${p.label}`,
  );
}

/**
 * The calls of the bootstrap proposal: approve the reviewed model registrations, create every policy,
 * route NFT mint fees to the model.
 */
export function bootstrapProposal(
  a: AgentAddresses,
  models: BootstrapApprovals,
  options: BootstrapOptions = {},
): Proposal {
  const calls: GovernanceCall[] = [
    approveModelCall(
      a.registry,
      models.forecaster,
      `approve the forecaster registered by ${models.forecaster.owner} (shares ${models.forecaster.shares}) for agent use`,
    ),
    approveModelCall(
      a.registry,
      models.generator,
      `approve the art generator registered by ${models.generator.owner} (shares ${models.generator.shares}) for agent use`,
    ),
    ...demoPolicies(a).map((p) => createPolicyCall(a.guard, p)),
  ];
  if (options.zk && a.zkGate) {
    calls.push(
      governanceCall(
        a.vault,
        syntheticVaultAbi,
        'setZkConfig',
        [{ gate: a.zkGate, ...options.zk }],
        'enable the zk-gated mint path on the sWTI vault',
      ),
    );
    if (options.zkRequired)
      calls.push(
        governanceCall(
          a.vault,
          syntheticVaultAbi,
          'setZkRequired',
          [true],
          'require a zk proof for every sWTI mint (plain mints refused)',
        ),
      );
  }
  if (options.nftMintFee) {
    calls.push(
      governanceCall(
        a.nft,
        provenanceNFTAbi,
        'setMintFee',
        [a.registry, a.collateral, options.nftMintFee],
        'route NFT mint fees to the generator model',
      ),
    );
  }
  if (a.aigcVerifier) {
    calls.push(
      governanceCall(
        a.nft,
        provenanceNFTAbi,
        'setAigcVerifier',
        [a.aigcVerifier],
        'let ERC-7007 verify accept groth16 proofs (forecasts recorded by the zk gate)',
      ),
    );
  }
  return { description: 'Provenant bootstrap: approve models, create the agent policies', calls };
}

/** True when the guard already has policies (the bootstrap proposal was executed). */
export async function isBootstrapped(clients: ProvenantClients, guard: Address): Promise<boolean> {
  const ids = await clients.publicClient.readContract({
    address: guard,
    abi: policyGuardAbi,
    functionName: 'policyIds',
  });
  return ids.length > 0;
}

/**
 * Registers a model with its share holders, signed by `clients` (anyone may register; approval is
 * governance's). Checks the signer's OWN registration of the id only: other owners' registrations of
 * the same id (a squatter who copied the published id) are no obstacle, since approval names the owner.
 * Idempotent for our own registration; refuses (ModelRegistrationMismatchError) when our registration
 * has another split of the shares, or when the id is already bound to another owner's approved
 * registration (ours could never be approved). Returns the registration as the approval must pin it
 * (zkCommitment as currently set).
 */
export async function ensureModelRegistered(
  clients: ProvenantClients,
  registry: Address,
  model: {
    id: Hex;
    kind: 0 | 1;
    version: string;
    uri: string;
    licence: string;
    holders: Address[];
    amounts: bigint[];
  },
): Promise<ModelApproval> {
  const owner = clients.account.address;
  const [shares, existing, bound] = await Promise.all([
    predictSharesAddress(clients, registry, model.id, owner, model.holders, model.amounts),
    readRegistration(clients, registry, model.id, owner),
    readBoundOwner(clients, registry, model.id),
  ]);
  if (bound && !isAddressEqual(bound, owner))
    throw new ModelRegistrationMismatchError(
      model.id,
      [{ field: 'owner', actual: bound, expected: owner }],
      'bootstrap registration: the id is bound to another owner',
    );
  if (existing) {
    const differences = registrationDifferences(existing, {
      owner,
      shares,
      zkCommitment: existing.zkCommitment,
    });
    if (differences.length > 0)
      throw new ModelRegistrationMismatchError(model.id, differences, 'bootstrap registration');
    return { modelId: model.id, owner, shares, zkCommitment: existing.zkCommitment };
  }
  await writeContract(clients, {
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'register',
    args: [model.id, model.kind, model.version, model.uri, model.licence, model.holders, model.amounts],
    label: 'register model',
  });
  const record = await requireRegistration(
    clients,
    registry,
    { modelId: model.id, owner, shares, zkCommitment: `0x${'00'.repeat(32)}` },
    'just registered',
  );
  return { modelId: model.id, owner, shares: record.shares, zkCommitment: record.zkCommitment };
}

/**
 * The approvals of `models` for the bootstrap proposal: `expectedOwner`'s registration of each (default:
 * the signer, who registered them with `ensureModelRegistered`, which also checked the share split);
 * pins its share token and zk commitment read now. Other owners' registrations of the ids are ignored.
 */
export async function bootstrapApprovals(
  clients: ProvenantClients,
  registry: Address,
  models: BootstrapModels,
  expectedOwner: Address = clients.account.address,
): Promise<BootstrapApprovals> {
  const approval = async (modelId: Hex, role: string): Promise<ModelApproval> => {
    const record = await readRegistration(clients, registry, modelId, expectedOwner);
    if (!record)
      throw new NonRetryableError(
        `The ${role} model ${modelId} has no registration by ${expectedOwner}, so it cannot be approved.`,
        {
          details: `Register it first, signed by ${expectedOwner} (\`ensureModelRegistered\`, or \`provenant model register <file>\`). Registrations of the id by other owners are not approvable for ${expectedOwner}.`,
        },
      );
    return { modelId, owner: record.owner, shares: record.shares, zkCommitment: record.zkCommitment };
  };
  return {
    forecaster: await approval(models.forecasterId, 'forecaster'),
    generator: await approval(models.generatorId, 'generator'),
  };
}

/** Devnet: passes the bootstrap proposal end to end (delegate, propose, vote, queue, execute) unless already done. */
export async function bootstrapOnDevnet(
  clients: ProvenantClients,
  a: AgentAddresses,
  models: BootstrapModels | BootstrapApprovals,
  options: BootstrapOptions & {
    onStep?: (step: string) => void;
    /** Save the proposal's calls under `<stateDir>/proposals/` (what `provenant gov status` lists). */
    stateDir?: string | undefined;
  } = {},
): Promise<boolean> {
  if (await isBootstrapped(clients, a.guard)) return false;
  // Pinned approvals as given, or (ids only) our own registrations: any other owner is refused here,
  // and a record that changes before execution makes `approveModel` revert on-chain.
  const approvals =
    'forecaster' in models
      ? models
      : await bootstrapApprovals(clients, a.registry, models as BootstrapModels);
  for (const approval of [approvals.forecaster, approvals.generator])
    await requireRegistration(clients, a.registry, approval, 'bootstrap proposal');
  await ensureDelegated(clients, a.votes);
  const proposal = bootstrapProposal(a, approvals, options);
  const { id } = await passProposalOnDevnet(
    clients,
    { governor: a.governor, timelock: a.timelock },
    proposal,
    options.onStep,
  );
  if (options.stateDir) recordProposal(options.stateDir, clients, a.governor, id, proposal);
  return true;
}
