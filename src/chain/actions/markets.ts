import type { Address, Hex, PublicClient, ReadContractReturnType } from 'viem';
import type { ProvenantClients } from '../clients.js';
import { aggregatorV3InterfaceAbi, dynamicFeePoolAbi, syntheticVaultAbi } from '../generated/contracts.js';
import { scanLogs } from '../logScan.js';
import { toContractRevertError } from '../revert.js';
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
  /** The vault's risk parameters, as read with the price (callers need not read them again). */
  risk: VaultRiskParams;
  /** Whether the vault prices with this round now (`priceWad()` does not revert). */
  fresh: boolean;
};

export async function readVaultPrice(clients: ProvenantClients, vault: Address): Promise<VaultPriceState> {
  const read = clients.publicClient.readContract;
  const [feed, risk, block, vaultPrice] = await Promise.all([
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'FEED' }),
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'riskParams' }),
    clients.publicClient.getBlock(),
    // The vault refuses to price (stale, not positive, no round): undefined. A node that does not answer
    // is not a refusal and propagates.
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'priceWad' }).catch(unlessRevert(undefined)),
  ]);
  const feedRead = { address: feed, abi: aggregatorV3InterfaceAbi } as const;
  const [[roundId, answer, , updatedAt], decimals] = await Promise.all([
    // A feed with no round yet (a new deployment before its reporters' first round) reverts: round 0,
    // no price, rather than failing the reader (a deposit made before then is shown, unpriced).
    read({ ...feedRead, functionName: 'latestRoundData' }).catch(unlessRevert([0n, 0n, 0n, 0n, 0n] as const)),
    read({ ...feedRead, functionName: 'decimals' }),
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
    risk,
    fresh: vaultPrice !== undefined,
  };
}

/** The vault's `riskParams()` struct as viem decodes it. */
export type VaultRiskParams = ReadContractReturnType<typeof syntheticVaultAbi, 'riskParams'>;

/** A `.catch` handler: `fallback` for a contract revert, anything else (an unreachable node) rethrown. */
const unlessRevert =
  <T>(fallback: T) =>
  (error: unknown): T => {
    if (toContractRevertError(error)) return fallback;
    throw error;
  };

/**
 * Whether `caller` has used `intentId` as the optional key of a `deposit`, `repay`, `withdraw` or
 * `liquidate` at the vault. Intent ids are recorded per caller (`keccak256(abi.encode(caller, intentId))`),
 * so another account using the same id never blocks the agent's action: ask with the account that sends
 * it. Mints are not recorded here (always false for a mint's intent id): they are keyed by the position's
 * mint nonce (`readMintNonce`), and their intent id is found in their `Minted` log.
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

/**
 * The nonce `owner`'s next `mint`, `mintWithProof` or `depositAndMint` must name (`SyntheticVault.mintNonce`).
 * A landed mint moves it on by one, so a resent mint reverts `MintNonceMismatch(nonce, current)`; read it
 * with the position the mint is sized on. `proveAndMint` neither names nor moves it.
 */
export async function readMintNonce(
  clients: Pick<ProvenantClients, 'publicClient'>,
  vault: Address,
  owner: Address,
  /** Read at this block (default latest): pin it with a log scan that must see the same chain. */
  blockNumber?: bigint,
): Promise<bigint> {
  return clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'mintNonce',
    args: [owner],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
}

/** One `Minted` log of a vault: where it is and what it minted. */
export type MintedLog = {
  hash: Hex;
  blockNumber: bigint;
  logIndex: number;
  owner: Address;
  modelId: Hex;
  intentId: Hex;
  amount: bigint;
  fee: bigint;
  collateralAdded: bigint;
};

/**
 * Blocks a decision's read block is moved back by when it bounds a scan for the decision's Minted log: the
 * mint is sent after the read, but a reorg after the read can put it at (or a little below) that height.
 * 64 blocks: two Ethereum epochs, past finality; a scan starting there stays one `eth_getLogs` window.
 */
export const MINT_SCAN_REORG_MARGIN = 64n;

/**
 * The first block of a scan for the Minted log of a decision read at `readBlock` (an agent intent's
 * `decision.readBlock`, a synth manifest's `inputs.readBlock`, decimal string or bigint): `readBlock` less
 * `MINT_SCAN_REORG_MARGIN`, never below `fromBlock` (the suite's deployment block). A missing or malformed
 * read block (journals written before it was recorded) gives `fromBlock`: a scan from the deployment.
 */
export function mintScanStart(
  fromBlock: bigint | undefined,
  readBlock: bigint | string | undefined,
): bigint | undefined {
  const read =
    typeof readBlock === 'bigint'
      ? readBlock
      : typeof readBlock === 'string' && /^\d{1,30}$/.test(readBlock)
        ? BigInt(readBlock)
        : undefined;
  if (read === undefined) return fromBlock;
  const start = read > MINT_SCAN_REORG_MARGIN ? read - MINT_SCAN_REORG_MARGIN : 0n;
  return fromBlock !== undefined && fromBlock > start ? fromBlock : start;
}

/**
 * The vault's `Minted` logs of `owner` (any owner when omitted) carrying `intentId` (both indexed), oldest
 * first, scanned in windows
 * (`scanLogs`) from `fromBlock` (default 0) or, when the decision's `readBlock` is given, from
 * `mintScanStart(fromBlock, readBlock)`: a mint lands after the block its decision was read at, so on a
 * months-old chain the scan is one or two `eth_getLogs` calls instead of one per 10,000 blocks since the
 * deployment. A mint's intent id is not recorded in the vault's state (its key is the mint nonce), so this
 * is how to tell whether an intent's mint landed: a resent mint reverts `MintNonceMismatch` whether that
 * mint or another one moved the nonce, and only the log says which.
 */
export async function readMintedLogs(
  /** Any viem public client (a Provenant client set's, or verify's). */
  clients: { publicClient: Pick<PublicClient, 'getBlockNumber' | 'getContractEvents'> },
  vault: Address,
  p: {
    /** Omitted: every owner's (an auditor that does not know the agent yet). */
    owner?: Address | undefined;
    intentId: Hex;
    fromBlock?: bigint | undefined;
    toBlock?: bigint | undefined;
    /** The block the decision was read at (the mint lands after it); absent: scan from `fromBlock`. */
    readBlock?: bigint | string | undefined;
  },
): Promise<MintedLog[]> {
  const client = clients.publicClient;
  const from = mintScanStart(p.fromBlock, p.readBlock);
  const logs = await scanLogs(client, { fromBlock: from, toBlock: p.toBlock }, (fromBlock, toBlock) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Minted',
      args: { owner: p.owner, intentId: p.intentId },
      fromBlock,
      toBlock,
      strict: true,
    }),
  );
  return logs.map((l) => ({
    hash: l.transactionHash,
    blockNumber: l.blockNumber,
    logIndex: l.logIndex,
    owner: l.args.owner,
    modelId: l.args.modelId,
    intentId: l.args.intentId,
    amount: l.args.amount,
    fee: l.args.fee,
    collateralAdded: l.args.collateralAdded,
  }));
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
/**
 * `vault.mint(amount, modelId, intentId, nonce)`: `intentId` non-zero (emitted in `Minted`), `nonce` the
 * sender's current `mintNonce` (`readMintNonce`); a call prepared once lands at most once.
 */
export function prepareMintSynth(
  vault: Address,
  p: { amount: bigint; modelId: Hex; intentId: Hex; nonce: bigint },
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'mint',
    args: [p.amount, p.modelId, p.intentId, p.nonce],
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

/** `amount` less `slippageBps` (the least a pool call accepts back). */
const lessSlippage = (amount: bigint, slippageBps: bigint) => (amount * (10_000n - slippageBps)) / 10_000n;

/** Pool call options: slippage in bps (defaults per action) and the deadline in seconds from the next block. */
type PoolCallOptions = { slippageBps?: bigint; deadlineSeconds?: bigint; to?: Address };

export async function addLiquidity(
  clients: ProvenantClients,
  pool: Address,
  p: { amount0: bigint; amount1: bigint } & PoolCallOptions,
): Promise<WriteReturnType> {
  const slip = p.slippageBps ?? 100n;
  return writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'addLiquidity',
    args: [
      p.amount0,
      p.amount1,
      lessSlippage(p.amount0, slip),
      lessSlippage(p.amount1, slip),
      p.to ?? clients.account.address,
      await deadlineIn(clients, p.deadlineSeconds ?? 600n),
    ],
    label: 'add liquidity',
  });
}

export async function removeLiquidity(
  clients: ProvenantClients,
  pool: Address,
  p: { shares: bigint } & PoolCallOptions,
): Promise<WriteReturnType> {
  const [a0, a1] = await previewRemove(clients, pool, p.shares);
  const slip = p.slippageBps ?? 100n;
  return writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'removeLiquidity',
    args: [
      p.shares,
      lessSlippage(a0, slip),
      lessSlippage(a1, slip),
      p.to ?? clients.account.address,
      await deadlineIn(clients, p.deadlineSeconds ?? 600n),
    ],
    label: 'remove liquidity',
  });
}

export async function swapExactIn(
  clients: ProvenantClients,
  pool: Address,
  p: { tokenIn: Address; amountIn: bigint } & PoolCallOptions,
): Promise<WriteReturnType & { quoted: bigint; minOut: bigint; deadline: bigint }> {
  const [quoted, deadline] = await Promise.all([
    clients.publicClient.readContract({
      address: pool,
      abi: dynamicFeePoolAbi,
      functionName: 'quote',
      args: [p.tokenIn, p.amountIn],
    }),
    deadlineIn(clients, p.deadlineSeconds ?? 600n),
  ]);
  const minOut = lessSlippage(quoted, p.slippageBps ?? 50n);
  const result = await writeContract(clients, {
    address: pool,
    abi: dynamicFeePoolAbi,
    functionName: 'swapExactIn',
    args: [p.tokenIn, p.amountIn, minOut, p.to ?? clients.account.address, deadline],
    label: 'swap',
  });
  return { ...result, quoted, minOut, deadline };
}

/** The pool's basis-point scale (`DynamicFeePool.BPS`). */
const POOL_BPS = 10_000n;

/** A swap's price impact (`swapPriceImpact`), rounded up to bps and as the exact fraction. */
export type PriceImpact = {
  /** Price impact in basis points, rounded up. */
  impactBps: bigint;
  /** The exact impact as a fraction `numerator / denominator` (for comparisons without rounding). */
  numerator: bigint;
  denominator: bigint;
};

/**
 * The price impact of an exact-in swap of `amountIn` into a pool side holding `reserveIn`, at `feeBps`:
 * how far the price the trade gets, before the fee, falls short of the pool's price before it
 * (`reserveOut / reserveIn`). For the pool's constant product (`DynamicFeePool._amountOut`) that is
 * exactly `x / (reserveIn + x)` with `x = amountIn · (1 − fee)`, whatever `reserveOut`: the fee itself is
 * not counted (it is the pool's stated fee, bounded by policy), only the move the trade's size causes.
 * `impactBps` is rounded up, so a trade is never shown as smaller than it is. Pure: read the reserves
 * and fee with `readPool` first.
 */
export function swapPriceImpact(p: { amountIn: bigint; reserveIn: bigint; feeBps: bigint }): PriceImpact {
  const inAfterFee = p.amountIn * (POOL_BPS - p.feeBps);
  const denominator = p.reserveIn * POOL_BPS + inAfterFee;
  if (denominator === 0n) return { impactBps: POOL_BPS, numerator: 1n, denominator: 1n };
  const impactBps = (inAfterFee * POOL_BPS + denominator - 1n) / denominator;
  return { impactBps, numerator: inAfterFee, denominator };
}

/**
 * The largest `amountIn` whose price impact (`swapPriceImpact`) is at most `maxImpactBps` against
 * reserve `reserveIn` at `feeBps`: `floor(L · reserveIn · BPS / ((BPS − L) · (BPS − fee)))`. Any amount
 * is within a limit of 10,000 bps (undefined: no bound).
 */
export function maxAmountInForImpact(p: {
  reserveIn: bigint;
  feeBps: bigint;
  maxImpactBps: bigint;
}): bigint | undefined {
  if (p.maxImpactBps >= POOL_BPS || p.feeBps >= POOL_BPS) return undefined;
  return (p.maxImpactBps * p.reserveIn * POOL_BPS) / ((POOL_BPS - p.maxImpactBps) * (POOL_BPS - p.feeBps));
}

/** Whether `impact` is above `maxImpactBps` (exact: compares the fraction, not the rounded bps). */
export function priceImpactExceeds(impact: PriceImpact, maxImpactBps: bigint): boolean {
  return impact.numerator * POOL_BPS > maxImpactBps * impact.denominator;
}
