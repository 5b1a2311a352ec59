import { type Address, erc20Abi, type Hex, isAddressEqual, zeroAddress } from 'viem';
import { NonRetryableError } from '../../errors/index.js';
import type { ProvenantClients } from '../clients.js';
import { modelRegistryAbi, modelSharesAbi, syntheticVaultAbi } from '../generated/contracts.js';
import { scanLogs } from '../logScan.js';
import { type GovernanceCall, governanceCall } from './governance.js';
import { type WriteReturnType, writeContract } from './write.js';

/** ModelRegistry.Kind, by index. */
export const MODEL_KINDS = ['forecaster', 'generator'] as const;
export type ModelKindName = (typeof MODEL_KINDS)[number];

/**
 * One registration as ModelRegistry.getModel / getRegistration return it, with readable names. Any
 * number of owners may register the same model id (each once); `approved` is true only for the
 * registration governance approved, which the id is then bound to for good.
 */
export type ModelRecord = {
  modelId: Hex;
  owner: Address;
  kind: ModelKindName;
  approved: boolean;
  registeredAt: bigint;
  shares: Address;
  zkCommitment: Hex;
  version: string;
  metadataURI: string;
  licence: string;
};

type RawModel = {
  owner: Address;
  kind: number;
  approved: boolean;
  registeredAt: bigint;
  shares: Address;
  zkCommitment: Hex;
  version: string;
  metadataURI: string;
  licence: string;
};

function toRecord(modelId: Hex, m: RawModel): ModelRecord | undefined {
  if (m.owner === zeroAddress) return undefined;
  return {
    modelId,
    owner: m.owner,
    kind: MODEL_KINDS[m.kind] ?? 'forecaster',
    approved: m.approved,
    registeredAt: m.registeredAt,
    shares: m.shares,
    zkCommitment: m.zkCommitment,
    version: m.version,
    metadataURI: m.metadataURI,
    licence: m.licence,
  };
}

/**
 * Reads the registration `modelId` names (`getModel`): the one governance approved (the id is bound to
 * it, approved now or revoked since); before any approval, the id's earliest registration, which may be
 * a squatter's — to check a registration you expect, use `readRegistration`. Undefined when nobody
 * registered the id.
 */
export async function readModel(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
): Promise<ModelRecord | undefined> {
  const m = await clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'getModel',
    args: [modelId],
  });
  return toRecord(modelId, m);
}

/** Reads `registrant`'s own registration of `modelId`; undefined when it has none. */
export async function readRegistration(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
  registrant: Address,
): Promise<ModelRecord | undefined> {
  const m = await clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'getRegistration',
    args: [modelId, registrant],
  });
  return toRecord(modelId, m);
}

/** The owner of the registration `modelId` is bound to (its first approval), or undefined if never approved. */
export async function readBoundOwner(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
): Promise<Address | undefined> {
  const owner = await clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'boundOwnerOf',
    args: [modelId],
  });
  return owner === zeroAddress ? undefined : owner;
}

/**
 * Every registration, in registration order (from the registry's `ModelRegistered` events), of
 * `modelId` only when given.
 */
export async function listRegistrations(
  clients: ProvenantClients,
  registry: Address,
  options: { modelId?: Hex | undefined; fromBlock?: bigint | undefined } = {},
): Promise<ModelRecord[]> {
  const logs = await scanLogs(clients.publicClient, { fromBlock: options.fromBlock }, (from, to) =>
    clients.publicClient.getContractEvents({
      address: registry,
      abi: modelRegistryAbi,
      eventName: 'ModelRegistered',
      ...(options.modelId ? { args: { modelId: options.modelId } } : {}),
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  const records = await Promise.all(
    logs.map((log) =>
      readRegistration(clients, registry, log.args.modelId as Hex, log.args.owner as Address),
    ),
  );
  return records.filter((r): r is ModelRecord => r !== undefined);
}

/**
 * Every registered model id once, in order of its first registration, as the id names it (`readModel`:
 * the approved registration, else the earliest). `listRegistrations` lists every registration.
 */
export async function listModels(
  clients: ProvenantClients,
  registry: Address,
  fromBlock?: bigint | undefined,
): Promise<ModelRecord[]> {
  const logs = await scanLogs(clients.publicClient, { fromBlock }, (from, to) =>
    clients.publicClient.getContractEvents({
      address: registry,
      abi: modelRegistryAbi,
      eventName: 'ModelRegistered',
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  const ids = [...new Set(logs.map((log) => (log.args.modelId as Hex).toLowerCase() as Hex))];
  const records = await Promise.all(ids.map((id) => readModel(clients, registry, id)));
  return records.filter((r): r is ModelRecord => r !== undefined);
}

export type RegisterModelParameters = {
  modelId: Hex;
  kind: ModelKindName;
  version: string;
  metadataURI: string;
  licence: string;
  /** Share holders and their amounts (18-decimal shares); the amounts must sum to SHARE_SUPPLY (1,000,000e18). */
  holders: readonly Address[];
  amounts: readonly bigint[];
};

/** Registers a model (open to anyone; approval for agent use is governance's). Returns `ModelRegistered` among the events. */
export async function registerModel(
  clients: ProvenantClients,
  registry: Address,
  p: RegisterModelParameters,
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'register',
    args: [
      p.modelId,
      MODEL_KINDS.indexOf(p.kind),
      p.version,
      p.metadataURI,
      p.licence,
      [...p.holders],
      [...p.amounts],
    ],
    label: `register model ${p.modelId.slice(0, 10)}`,
  });
}

/**
 * The registration governance reviewed and approves: `ModelRegistry.approveModel(modelId, owner, shares,
 * zkCommitment)` looks up `owner`'s registration of the id and reverts `RegistrationMismatch` unless it
 * has exactly these values (and `ModelIdBound` when the id is already bound to another owner).
 * `shares` fixes the initial holders and amounts (see `predictSharesAddress`); `zkCommitment` is zero
 * for a model without one.
 */
export type ModelApproval = { modelId: Hex; owner: Address; shares: Address; zkCommitment: Hex };

/** One field of a registration that is not the expected one. */
export type RegistrationDifference = {
  field: 'owner' | 'shares' | 'zkCommitment';
  actual: Hex;
  expected: Hex;
};

/** The fields where `record` differs from `expected` (empty when it is the reviewed registration). */
export function registrationDifferences(
  record: Pick<ModelRecord, 'owner' | 'shares' | 'zkCommitment'>,
  expected: Omit<ModelApproval, 'modelId'>,
): RegistrationDifference[] {
  const out: RegistrationDifference[] = [];
  if (!isAddressEqual(record.owner, expected.owner))
    out.push({ field: 'owner', actual: record.owner, expected: expected.owner });
  if (!isAddressEqual(record.shares, expected.shares))
    out.push({ field: 'shares', actual: record.shares, expected: expected.shares });
  if (record.zkCommitment.toLowerCase() !== expected.zkCommitment.toLowerCase())
    out.push({ field: 'zkCommitment', actual: record.zkCommitment, expected: expected.zkCommitment });
  return out;
}

/**
 * A registration is not the expected one: the expected owner registered the id with another share split
 * or zk commitment, or the id is already bound (approved once) to another owner's registration.
 * Governance must not approve it, and the agent must not use it.
 */
export class ModelRegistrationMismatchError extends NonRetryableError {
  override name = 'ModelRegistrationMismatchError';
  readonly modelId: Hex;
  readonly differences: readonly RegistrationDifference[];
  constructor(modelId: Hex, differences: readonly RegistrationDifference[], context = '') {
    super(
      `Model ${modelId} is registered with a different ${differences.map((d) => d.field).join(', ')} than expected${context ? ` (${context})` : ''}.`,
      {
        details: `${differences.map((d) => `${d.field}: on-chain ${d.actual}, expected ${d.expected}`).join('; ')}. Do not approve or use this registration. Check the id's registrations (\`provenant model show ${modelId.slice(0, 12)}\` lists them all): anyone may register any id, each owner once, and approval names the owner, share token and zk commitment it reviewed. If the owner field differs, the id is bound to another owner's approved registration for good: publish the model under a new version (a new id).`,
        docsPath: 'docs/markets.md#modelregistry--modelshares',
      },
    );
    this.modelId = modelId;
    this.differences = differences;
  }
}

/**
 * Refuses (ModelRegistrationMismatchError) unless `expected.owner`'s registration of the model id is
 * `expected` and the id is not bound to another owner's registration (what `approveModel` checks); a
 * missing registration of that owner is refused too (NonRetryableError). Other owners' registrations of
 * the same id (a squatter's) do not matter. Returns the record.
 */
export async function requireRegistration(
  clients: ProvenantClients,
  registry: Address,
  expected: ModelApproval,
  context = '',
): Promise<ModelRecord> {
  const [record, bound] = await Promise.all([
    readRegistration(clients, registry, expected.modelId, expected.owner),
    readBoundOwner(clients, registry, expected.modelId),
  ]);
  if (!record)
    throw new NonRetryableError(
      `Model ${expected.modelId} has no registration by ${expected.owner}${context ? ` (${context})` : ''}.`,
      {
        details: `That owner must register it first (\`provenant model register <file>\`, signed by ${expected.owner}), then propose its approval. \`provenant model show ${expected.modelId.slice(0, 12)}\` lists the id's registrations.`,
      },
    );
  if (bound && !isAddressEqual(bound, expected.owner))
    throw new ModelRegistrationMismatchError(
      expected.modelId,
      [{ field: 'owner', actual: bound, expected: expected.owner }],
      context
        ? `${context}; the id is bound to another owner's approved registration`
        : 'bound to another owner',
    );
  const differences = registrationDifferences(record, expected);
  if (differences.length > 0)
    throw new ModelRegistrationMismatchError(expected.modelId, differences, context);
  return record;
}

/**
 * Where `registrant`'s `ModelRegistry.register(modelId, ..., holders, amounts)` puts (or put) the share
 * token: `predictShares`, a CREATE2 address over the registrant and the allocation. Equal to that
 * registration's `shares` exactly when it was registered with these holders and amounts.
 */
export async function predictSharesAddress(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
  registrant: Address,
  holders: readonly Address[],
  amounts: readonly bigint[],
): Promise<Address> {
  return clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'predictShares',
    args: [modelId, registrant, [...holders], [...amounts]],
  });
}

/** The governance call approving the reviewed registration `a` (the timelock executes it). */
export function approveModelCall(registry: Address, a: ModelApproval, description: string): GovernanceCall {
  return governanceCall(
    registry,
    modelRegistryAbi,
    'approveModel',
    [a.modelId, a.owner, a.shares, a.zkCommitment],
    description,
  );
}

/** What `holder` could claim from `modelId` now (fee-token units). */
export async function claimableRevenue(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
  holder: Address,
): Promise<bigint> {
  return clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'claimable',
    args: [modelId, holder],
  });
}

/** The model's reward-per-share accumulator, scaled by ACC_SCALE (1e36). */
export async function accRewardPerShare(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
): Promise<bigint> {
  return clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'accRewardPerShare',
    args: [modelId],
  });
}

/** Claims the signer's revenue from `modelId`; `amount` is what `RevenueClaimed` reports (may be 0). */
export async function claimRevenue(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
): Promise<WriteReturnType & { amount: bigint }> {
  const result = await writeContract(clients, {
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'claim',
    args: [modelId],
    label: `claim revenue of ${modelId.slice(0, 10)}`,
  });
  const claimed = result.events.find((e) => e.eventName === 'RevenueClaimed');
  return { ...result, amount: (claimed?.args.amount as bigint | undefined) ?? 0n };
}

/** Mint fees a vault has accrued for `modelId` and not yet flushed (collateral units). */
export async function accruedFees(clients: ProvenantClients, vault: Address, modelId: Hex): Promise<bigint> {
  return clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'feesAccrued',
    args: [modelId],
  });
}

/**
 * Routes a vault's accrued mint fees for `modelId` to the registry (pro rata to its shareholders).
 * Anyone may call; the vault keeps 1 unit in the slot. `amount` is what `FeesFlushed` reports.
 */
export async function flushModelFees(
  clients: ProvenantClients,
  vault: Address,
  modelId: Hex,
): Promise<WriteReturnType & { amount: bigint }> {
  const result = await writeContract(clients, {
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'flushFees',
    args: [modelId],
    label: `flush fees of ${modelId.slice(0, 10)}`,
  });
  const flushed = result.events.find((e) => e.eventName === 'FeesFlushed');
  return { ...result, amount: (flushed?.args.amount as bigint | undefined) ?? 0n };
}

/** Transfers model shares (the registry settles both sides' revenue before the balances change). */
export async function transferShares(
  clients: ProvenantClients,
  shares: Address,
  to: Address,
  amount: bigint,
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: shares,
    abi: modelSharesAbi,
    functionName: 'transfer',
    args: [to, amount],
    label: `transfer ${amount} model shares`,
  });
}

/** Balances of model shares for each holder, plus the fixed total supply. */
export async function readShareBalances(
  clients: ProvenantClients,
  shares: Address,
  holders: readonly Address[],
): Promise<{ totalSupply: bigint; balances: bigint[] }> {
  const read = clients.publicClient.readContract;
  const [totalSupply, ...balances] = await Promise.all([
    read({ address: shares, abi: erc20Abi, functionName: 'totalSupply' }),
    ...holders.map((h) => read({ address: shares, abi: erc20Abi, functionName: 'balanceOf', args: [h] })),
  ]);
  return { totalSupply: totalSupply as bigint, balances: balances as bigint[] };
}

/** The token a registry pays revenue in (`FEE_TOKEN`), with what a person needs to read amounts of it. */
export type FeeToken = { address: Address; symbol: string; decimals: number };

/** Reads the registry's `FEE_TOKEN` and its symbol and decimals, so revenue amounts print in units. */
export async function readFeeToken(clients: ProvenantClients, registry: Address): Promise<FeeToken> {
  const read = clients.publicClient.readContract;
  const address = await read({ address: registry, abi: modelRegistryAbi, functionName: 'FEE_TOKEN' });
  const [symbol, decimals] = await Promise.all([
    read({ address, abi: erc20Abi, functionName: 'symbol' }),
    read({ address, abi: erc20Abi, functionName: 'decimals' }),
  ]);
  return { address, symbol, decimals };
}

/** A model id's revenue so far, in fee-token units: `paidIn − claimed` is what its holders can still claim. */
export type RevenueTotals = { paidIn: bigint; claimed: bigint };

/**
 * What a model id has earned and paid out so far (fee-token units), summed over the registry's
 * `RevenueDistributed` / `RevenueClaimed` events from `fromBlock`: `paidIn − claimed` is what the holders
 * can still claim, less rounding dust.
 */
export async function readRevenueTotals(
  clients: ProvenantClients,
  registry: Address,
  modelId: Hex,
  fromBlock?: bigint | undefined,
): Promise<RevenueTotals> {
  const totals = await scanRevenue(clients, registry, fromBlock, modelId);
  return totals.get(modelId.toLowerCase() as Hex) ?? { paidIn: 0n, claimed: 0n };
}

/**
 * `readRevenueTotals` for every model id at once (keys lower-case): two log scans in all, not two per model,
 * for listings (`model show`). Ids that never earned are absent.
 */
export async function readAllRevenueTotals(
  clients: ProvenantClients,
  registry: Address,
  fromBlock?: bigint | undefined,
): Promise<Map<Hex, RevenueTotals>> {
  return scanRevenue(clients, registry, fromBlock, undefined);
}

async function scanRevenue(
  clients: ProvenantClients,
  registry: Address,
  fromBlock: bigint | undefined,
  modelId: Hex | undefined,
): Promise<Map<Hex, RevenueTotals>> {
  // One end block for both scans (uncached, as `scanLogs` reads it), so paid in and claimed are totals at
  // the same block.
  const toBlock = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  const events = (eventName: 'RevenueDistributed' | 'RevenueClaimed') =>
    scanLogs(clients.publicClient, { fromBlock, toBlock }, (from, to) =>
      clients.publicClient.getContractEvents({
        address: registry,
        abi: modelRegistryAbi,
        eventName,
        ...(modelId ? { args: { modelId } } : {}),
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    );
  const [paid, claimed] = await Promise.all([events('RevenueDistributed'), events('RevenueClaimed')]);
  const totals = new Map<Hex, RevenueTotals>();
  const add = (logs: readonly { args: { modelId: Hex; amount: bigint } }[], field: keyof RevenueTotals) => {
    for (const { args } of logs) {
      const key = args.modelId.toLowerCase() as Hex;
      const entry = totals.get(key) ?? { paidIn: 0n, claimed: 0n };
      entry[field] += args.amount;
      totals.set(key, entry);
    }
  };
  add(paid, 'paidIn');
  add(claimed, 'claimed');
  return totals;
}

/**
 * A model share token's holders, from its `Transfer` events since `fromBlock`: `initial` is the split
 * minted at registration (transfers from the zero address), `holders` every address that ever received
 * shares, in order of first receipt (some may hold none now; read balances with `readShareBalances`).
 */
export async function readShareHolders(
  clients: ProvenantClients,
  shares: Address,
  fromBlock?: bigint | undefined,
): Promise<{ initial: { holder: Address; amount: bigint }[]; holders: Address[] }> {
  // Up to the latest block, read uncached by `scanLogs` (a transfer just made is included).
  const logs = await scanLogs(clients.publicClient, { fromBlock }, (from, to) =>
    clients.publicClient.getContractEvents({
      address: shares,
      abi: erc20Abi,
      eventName: 'Transfer',
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  const initial = logs
    .filter((log) => isAddressEqual(log.args.from, zeroAddress))
    .map((log) => ({ holder: log.args.to, amount: log.args.value }));
  const holders: Address[] = [];
  for (const log of logs) if (!holders.some((h) => isAddressEqual(h, log.args.to))) holders.push(log.args.to);
  return { initial, holders };
}
