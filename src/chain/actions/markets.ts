import { type Address, type Hex, parseAbi } from 'viem';
import type { ProvenantClients } from '../clients.js';
import { dynamicFeePoolAbi, syntheticVaultAbi } from '../generated/contracts.js';
import { type PreparedCall, prepareCall } from './call.js';
import { sendPrepared, type WriteReturnType, writeContract } from './write.js';

// ---- SyntheticVault --------------------------------------------------------------------------------

/** A position; `ratioBps` and `liquidatable` are undefined while the vault has no usable price. */
export type PositionState = {
  collateral: bigint;
  debt: bigint;
  ratioBps: bigint | undefined;
  liquidatable: boolean | undefined;
};

export async function readPosition(
  clients: ProvenantClients,
  vault: Address,
  owner: Address,
): Promise<PositionState> {
  const read = clients.publicClient.readContract;
  const [[collateral, debt], ratioBps, liquidatable] = await Promise.all([
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'positionOf', args: [owner] }),
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'collateralRatioBps', args: [owner] }).catch(
      () => undefined,
    ),
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'isLiquidatable', args: [owner] }).catch(
      () => undefined,
    ),
  ]);
  return { collateral, debt, ratioBps, liquidatable };
}

/** AggregatorV3 reads of a vault's feed (the MedianOracle, or a proxy in front of it). */
const feedAbi = parseAbi([
  'function decimals() view returns (uint8)',
  'function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)',
]);

/**
 * The price a vault computes with and how old it is: the feed's latest round as the vault reads it.
 * `priceWad` is that round's answer as 18-decimal USD per synth even when the vault refuses it (stale or
 * not positive: `fresh` false), so a reader can show the last price and its age.
 */
export type VaultPriceState = {
  feed: Address;
  /** The feed's latest round; 0 when it has none yet. */
  roundId: bigint;
  answer: bigint;
  /** USD per synth, 18 decimals; undefined when the answer is not positive (or there is no round). */
  priceWad: bigint | undefined;
  updatedAt: bigint;
  /** Timestamp of the latest block (the age is measured against it, as the vault does). */
  now: bigint;
  /** The vault's `maxOracleAge` in seconds. */
  maxOracleAge: bigint;
  /** Whether the vault prices with this round now (`priceWad()` does not revert). */
  fresh: boolean;
};

export async function readVaultPrice(clients: ProvenantClients, vault: Address): Promise<VaultPriceState> {
  const read = clients.publicClient.readContract;
  const [feed, risk, block, vaultPrice] = await Promise.all([
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'FEED' }),
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'riskParams' }),
    clients.publicClient.getBlock(),
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'priceWad' }).catch(() => undefined),
  ]);
  const [[roundId, answer, , updatedAt], decimals] = await Promise.all([
    // A feed with no round yet (a new deployment before its reporters' first round) reverts: round 0,
    // no price, rather than failing the reader (a deposit made before then is shown, unpriced).
    read({ address: feed, abi: feedAbi, functionName: 'latestRoundData' }).catch(
      () => [0n, 0n, 0n, 0n, 0n] as const,
    ),
    read({ address: feed, abi: feedAbi, functionName: 'decimals' }),
  ]);
  const fromAnswer = answer > 0n ? (answer * 10n ** 18n) / 10n ** BigInt(decimals) : undefined;
  return {
    feed,
    roundId,
    answer,
    priceWad: vaultPrice ?? fromAnswer,
    updatedAt,
    now: block.timestamp,
    maxOracleAge: BigInt(risk.maxOracleAge),
    fresh: vaultPrice !== undefined,
  };
}

/**
 * Whether `caller` has used `intentId` at the vault. Intent ids are recorded per caller
 * (`keccak256(abi.encode(caller, intentId))`), so another account using the same id never blocks the
 * agent's action: ask with the account that sends it.
 */
export async function readIntentUsed(
  clients: Pick<ProvenantClients, 'publicClient'>,
  vault: Address,
  caller: Address,
  intentId: Hex,
): Promise<boolean> {
  return clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'intentUsed',
    args: [caller, intentId],
  });
}

export function prepareDeposit(
  vault: Address,
  p: { owner: Address; amount: bigint; intentId: Hex },
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'deposit',
    args: [p.owner, p.amount, p.intentId],
    label: `deposit ${p.amount}`,
  });
}
export function prepareMintSynth(
  vault: Address,
  p: { amount: bigint; modelId: Hex; intentId: Hex },
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'mint',
    args: [p.amount, p.modelId, p.intentId],
    label: `mint synth ${p.amount}`,
  });
}
export function prepareRepay(
  vault: Address,
  p: { owner: Address; amount: bigint; intentId: Hex },
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'repay',
    args: [p.owner, p.amount, p.intentId],
    label: `repay ${p.amount}`,
  });
}
export function prepareWithdraw(
  vault: Address,
  p: { amount: bigint; to: Address; intentId: Hex },
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'withdraw',
    args: [p.amount, p.to, p.intentId],
    label: `withdraw ${p.amount}`,
  });
}
export function prepareLiquidate(
  vault: Address,
  p: { owner: Address; maxRepay: bigint; intentId: Hex },
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'liquidate',
    args: [p.owner, p.maxRepay, p.intentId],
    label: `liquidate ${p.owner}`,
  });
}

/**
 * A vault write as a function of its own (`depositCollateral(clients, vault, p)`), built from the
 * `prepare*` that encodes it: one send path (simulation, revert decoding against the vault's ABI) for all.
 */
const vaultWrite =
  <P>(prepare: (vault: Address, p: P) => PreparedCall) =>
  (clients: ProvenantClients, vault: Address, p: P): Promise<WriteReturnType> =>
    sendPrepared(clients, prepare(vault, p), [syntheticVaultAbi]);

export const depositCollateral = vaultWrite(prepareDeposit);
export const mintSynth = vaultWrite(prepareMintSynth);
export const repaySynth = vaultWrite(prepareRepay);
export const withdrawCollateral = vaultWrite(prepareWithdraw);
export const liquidatePosition = vaultWrite(prepareLiquidate);

// ---- DynamicFeePool --------------------------------------------------------------------------------

export type PoolState = { reserve0: bigint; reserve1: bigint; feeBps: bigint; totalShares: bigint };

export async function readPool(clients: ProvenantClients, pool: Address): Promise<PoolState> {
  const read = clients.publicClient.readContract;
  const [[reserve0, reserve1, feeBps], totalShares] = await Promise.all([
    read({ address: pool, abi: dynamicFeePoolAbi, functionName: 'getReserves' }),
    read({ address: pool, abi: dynamicFeePoolAbi, functionName: 'totalSupply' }),
  ]);
  return { reserve0, reserve1, feeBps, totalShares };
}

/** What burning `shares` LP shares would pay now: `DynamicFeePool.previewRemove` (token0, token1 base units). */
export async function previewRemove(
  clients: Pick<ProvenantClients, 'publicClient'>,
  pool: Address,
  shares: bigint,
): Promise<readonly [bigint, bigint]> {
  return clients.publicClient.readContract({
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'previewRemove',
    args: [shares],
  });
}

export function prepareSetFee(pool: Address, feeBps: number): PreparedCall {
  return prepareCall({
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'setFee',
    args: [feeBps],
    label: `set pool fee ${feeBps} bps`,
  });
}

export async function setPoolFee(
  clients: ProvenantClients,
  pool: Address,
  feeBps: number,
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'setFee',
    args: [feeBps],
    label: `set fee ${feeBps}`,
  });
}

/**
 * A pool deadline `seconds` after the time of the block the transaction will land in (the pending block): the
 * latest block can be minutes old on a chain that mines only on demand (a devnet), which expired deadlines
 * counted from it. Nodes without a pending block fall back to the latest.
 */
export async function deadlineIn(clients: ProvenantClients, seconds: bigint): Promise<bigint> {
  const block = await clients.publicClient
    .getBlock({ blockTag: 'pending' })
    .catch(() => clients.publicClient.getBlock());
  return block.timestamp + seconds;
}

export async function addLiquidity(
  clients: ProvenantClients,
  pool: Address,
  p: { amount0: bigint; amount1: bigint; minShares?: bigint; to?: Address; slippageBps?: bigint },
): Promise<WriteReturnType> {
  const slip = p.slippageBps ?? 100n;
  return writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'addLiquidity',
    args: [
      p.amount0,
      p.amount1,
      (p.amount0 * (10_000n - slip)) / 10_000n,
      (p.amount1 * (10_000n - slip)) / 10_000n,
      p.to ?? clients.account.address,
      await deadlineIn(clients, 600n),
    ],
    label: 'add liquidity',
  });
}

export async function removeLiquidity(
  clients: ProvenantClients,
  pool: Address,
  p: { shares: bigint; to?: Address; slippageBps?: bigint },
): Promise<WriteReturnType> {
  const [a0, a1] = await clients.publicClient.readContract({
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'previewRemove',
    args: [p.shares],
  });
  const slip = p.slippageBps ?? 100n;
  return writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'removeLiquidity',
    args: [
      p.shares,
      (a0 * (10_000n - slip)) / 10_000n,
      (a1 * (10_000n - slip)) / 10_000n,
      p.to ?? clients.account.address,
      await deadlineIn(clients, 600n),
    ],
    label: 'remove liquidity',
  });
}

export async function swapExactIn(
  clients: ProvenantClients,
  pool: Address,
  p: { tokenIn: Address; amountIn: bigint; slippageBps?: bigint; to?: Address },
): Promise<WriteReturnType & { quoted: bigint }> {
  const quoted = await clients.publicClient.readContract({
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'quote',
    args: [p.tokenIn, p.amountIn],
  });
  const minOut = (quoted * (10_000n - (p.slippageBps ?? 50n))) / 10_000n;
  const result = await writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'swapExactIn',
    args: [p.tokenIn, p.amountIn, minOut, p.to ?? clients.account.address, await deadlineIn(clients, 600n)],
    label: 'swap',
  });
  return { ...result, quoted };
}
