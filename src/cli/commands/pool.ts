import type { Command } from 'commander';
import { type Address, erc20Abi, formatUnits } from 'viem';
import {
  addLiquidity,
  balanceOf,
  DEVNET_ROLES,
  dynamicFeePoolAbi,
  ensureAllowance,
  maxAmountInForImpact,
  type PoolState,
  type ProvenantClients,
  prepareSetFee,
  previewRemove,
  priceImpactExceeds,
  readPool,
  removeLiquidity,
  setPoolFee,
  swapExactIn,
  swapPriceImpact,
  toContractRevertError,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { type ChainContext, type GlobalOptions, openChain, withShutdown } from '../context.js';
import { printTable, toJson } from '../output.js';
import { parseFixedPoint } from '../parse.js';
import { type Deployment, loadDeployment } from './policy.js';
import { parseAmount, preflightOrExplain } from './synth.js';

/** A pool command refused before sending anything (or a refusal explained), with the numbers and the fix. */
export class PoolActionRefusedError extends NonRetryableError {
  override name = 'PoolActionRefusedError';
}

/**
 * A swap whose price impact (`swapPriceImpact`: how far the price it gets, before the fee, falls short of
 * the pool's price before it) is above `--max-price-impact-bps`; refused before anything is sent.
 */
export class PriceImpactTooHighError extends PoolActionRefusedError {
  override name = 'PriceImpactTooHighError';
  /** The swap's impact in bps (rounded up), the limit, and the largest input within it (base units). */
  readonly impactBps: bigint;
  readonly maxImpactBps: bigint;
  readonly maxAmountIn: bigint;
  constructor(
    sentence: string,
    options: { details: string; impactBps: bigint; maxImpactBps: bigint; maxAmountIn: bigint },
  ) {
    super(sentence, { details: options.details, docsPath: 'docs/markets.md#cli' });
    this.impactBps = options.impactBps;
    this.maxImpactBps = options.maxImpactBps;
    this.maxAmountIn = options.maxAmountIn;
  }
}

/** Basis points as a percentage with two decimals (`1234` → `12.34%`). */
const bpsText = (bps: bigint) => `${formatUnits(bps, 2)}%`;

/**
 * Refuses (PriceImpactTooHighError) a swap of `amountIn` whose price impact against `state` is above
 * `maxImpactBps`, naming the impact, the limit and the largest input that fits; returns the impact in bps.
 */
function requirePriceImpactWithin(
  state: PoolState,
  m: PoolMarket,
  tokenIn: Side,
  amountIn: bigint,
  maxImpactBps: bigint,
): bigint {
  const reserveIn = tokenIn === m.token0 ? state.reserve0 : state.reserve1;
  const impact = swapPriceImpact({ amountIn, reserveIn, feeBps: state.feeBps });
  if (!priceImpactExceeds(impact, maxImpactBps)) return impact.impactBps;
  const fits = maxAmountInForImpact({ reserveIn, feeBps: state.feeBps, maxImpactBps }) ?? amountIn;
  const amount = (v: bigint) => `${formatUnits(v, tokenIn.decimals)} ${tokenIn.symbol}`;
  throw new PriceImpactTooHighError(
    `Swapping ${amount(amountIn)} would move the price ${bpsText(impact.impactBps)} against you (price impact ${impact.impactBps} bps, not counting the ${state.feeBps} bps fee), above --max-price-impact-bps ${maxImpactBps} (${bpsText(maxImpactBps)}).`,
    {
      details: `Nothing was sent. The pool holds ${formatUnits(state.reserve0, m.token0.decimals)} ${m.token0.symbol} + ${formatUnits(state.reserve1, m.token1.decimals)} ${m.token1.symbol}; ${
        fits === 0n
          ? `no swap fits within ${maxImpactBps} bps: every swap moves the price (the impact is rounded up to at least 1 bps). Raise --max-price-impact-bps: --max-price-impact-bps ${impact.impactBps} accepts this swap (10000 accepts any impact).`
          : `at most ${amount(fits)} fits within ${maxImpactBps} bps now. Swap that much (or split the trade), or raise --max-price-impact-bps (10000 accepts any impact).`
      }`,
      impactBps: impact.impactBps,
      maxImpactBps,
      maxAmountIn: fits,
    },
  );
}

/** LP shares are the pool's 18-decimal ERC-20. */
const SHARE_DECIMALS = 18;

/** The CLI's `--slippage-bps` and `--deadline` (seconds from the next block) for the pool's chain actions. */
const poolCallOptions = (flags: { slippageBps: number; deadline: number }) => ({
  slippageBps: BigInt(flags.slippageBps),
  deadlineSeconds: BigInt(flags.deadline),
});

/** Refuses before anything is sent when the signer holds less of `token` than `needed`, in whole units. */
async function requireBalance(
  clients: ProvenantClients,
  token: Side,
  needed: bigint,
  fix: string,
): Promise<void> {
  const held = await balanceOf(clients, token.address, clients.account.address);
  if (held < needed)
    throw new PoolActionRefusedError(
      `You hold ${formatUnits(held, token.decimals)} ${token.symbol}, less than the ${formatUnits(needed, token.decimals)} ${token.symbol} this needs.`,
      { details: `${fix} Account: ${clients.account.address}.`, docsPath: 'docs/markets.md#cli' },
    );
}

/**
 * A pool refusal the shared printer shows raw (`Expired(deadline, timestamp)`), explained with times.
 * Returns the error unchanged when it is anything else.
 */
export function explainPoolError(error: unknown): unknown {
  const revert = toContractRevertError(error);
  if (revert?.errorName !== 'Expired') return error;
  const deadline = BigInt(String(revert.args.deadline));
  const at = BigInt(String(revert.args.timestamp));
  const iso = (t: bigint) => new Date(Number(t) * 1000).toISOString();
  return new PoolActionRefusedError(
    `Refused by the pool: the deadline ${iso(deadline)} had passed when the pool checked it (block time ${iso(at)}, ${at - deadline} s later).`,
    {
      details:
        'Nothing changed. The transaction waited longer than --deadline allows; send it again, with a larger --deadline <seconds> if blocks are slow.',
      docsPath: 'docs/markets.md#cli',
      cause: revert,
    },
  );
}

type Side = { address: Address; symbol: string; decimals: number };
/** The sWTI/USD pool and its two tokens (TOKEN0 is the synth, TOKEN1 the collateral). */
export type PoolMarket = { pool: Address; token0: Side; token1: Side };

async function side(clients: ProvenantClients, address: Address): Promise<Side> {
  const read = clients.publicClient.readContract;
  const [symbol, decimals] = await Promise.all([
    read({ address, abi: erc20Abi, functionName: 'symbol' }),
    read({ address, abi: erc20Abi, functionName: 'decimals' }),
  ]);
  return { address, symbol, decimals };
}

export async function poolMarket(clients: ProvenantClients, deployment: Deployment): Promise<PoolMarket> {
  const pool = deployment.addresses.pool;
  const read = clients.publicClient.readContract;
  const [t0, t1] = await Promise.all([
    read({ address: pool, abi: dynamicFeePoolAbi, functionName: 'TOKEN0' }),
    read({ address: pool, abi: dynamicFeePoolAbi, functionName: 'TOKEN1' }),
  ]);
  const [token0, token1] = await Promise.all([side(clients, t0), side(clients, t1)]);
  return { pool, token0, token1 };
}

async function withPool<T>(
  command: Command,
  signer: 'default' | 'agent' | 'read',
  fn: (context: ChainContext, deployment: Deployment, market: PoolMarket) => Promise<T>,
): Promise<T> {
  const context = await openChain(
    command.optsWithGlobals<GlobalOptions>(),
    signer === 'agent' ? { accountIndex: DEVNET_ROLES.agent } : signer === 'read' ? { readOnly: true } : {},
  );
  return withShutdown(context.close, async () => {
    const deployment = await loadDeployment(context);
    return fn(context, deployment, await poolMarket(context.clients, deployment));
  });
}

function pickIn(m: PoolMarket, which: string): { tokenIn: Side; tokenOut: Side } {
  const w = which.toLowerCase();
  const synthNames = ['synth', m.token0.symbol.toLowerCase()];
  const usdNames = ['usd', 'collateral', m.token1.symbol.toLowerCase()];
  if (synthNames.includes(w)) return { tokenIn: m.token0, tokenOut: m.token1 };
  if (usdNames.includes(w)) return { tokenIn: m.token1, tokenOut: m.token0 };
  throw new NonRetryableError(`--in '${which}' is neither side of the pool.`, {
    details: `Use --in synth (${m.token0.symbol}) or --in usd (${m.token1.symbol}).`,
  });
}

/**
 * The whole-unit side of `pool add|remove --json`: a LiquidityAdded / LiquidityRemoved event's amounts
 * (kept in base units next to these) with the tokens' symbols.
 */
function liquidityUnits(m: PoolMarket, args: Record<string, unknown> | undefined) {
  const at = (v: unknown, decimals: number) => (v === undefined ? null : formatUnits(v as bigint, decimals));
  return {
    token0: m.token0.symbol,
    token1: m.token1.symbol,
    amount0Units: at(args?.amount0, m.token0.decimals),
    amount1Units: at(args?.amount1, m.token1.decimals),
    sharesUnits: at(args?.shares, SHARE_DECIMALS),
  };
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/**
 * Refuses (PoolActionRefusedError) an add whose amounts are off the pool's ratio by more than
 * `slippageBps`: `addLiquidity` takes only what its shares are worth (`shares = min(amountN · supply /
 * reserveN)`, each side `ceil(shares · reserveN / supply)`), and a side taken below its minimum reverts
 * `InsufficientAmount` in base units. Names what the pool would take and the amounts that pair.
 */
function refuseOffRatio(
  state: PoolState,
  m: PoolMarket,
  amount0: bigint,
  amount1: bigint,
  slippageBps: bigint,
) {
  const { reserve0: r0, reserve1: r1, totalShares: supply } = state;
  if (supply === 0n || r0 === 0n || r1 === 0n) return; // the first deposit sets the ratio
  const lesser = (x: bigint, y: bigint) => (x < y ? x : y);
  const shares = lesser((amount0 * supply) / r0, (amount1 * supply) / r1);
  const take0 = ceilDiv(shares * r0, supply);
  const take1 = ceilDiv(shares * r1, supply);
  const min = (v: bigint) => (v * (10_000n - slippageBps)) / 10_000n;
  if (take0 >= min(amount0) && take1 >= min(amount1)) return;
  const t0 = (v: bigint) => `${formatUnits(v, m.token0.decimals)} ${m.token0.symbol}`;
  const t1 = (v: bigint) => `${formatUnits(v, m.token1.decimals)} ${m.token1.symbol}`;
  const short =
    take0 < min(amount0)
      ? `${t0(take0)} is below the ${t0(min(amount0))}`
      : `${t1(take1)} is below the ${t1(min(amount1))}`;
  const price = formatUnits((r1 * 10n ** BigInt(m.token0.decimals) * 10n ** 6n) / r0, m.token1.decimals + 6);
  const pair1 = ceilDiv(amount0 * r1, r0);
  const pair0 = ceilDiv(amount1 * r0, r1);
  throw new PoolActionRefusedError(
    `${t0(amount0)} and ${t1(amount1)} are off the pool's ratio (${price} ${m.token1.symbol} per ${m.token0.symbol}): it would take ${t0(take0)} + ${t1(take1)}; ${short} that --slippage-bps ${slippageBps} accepts.`,
    {
      details: `Nothing was sent. Add in the pool's ratio: \`provenant pool add ${formatUnits(amount0, m.token0.decimals)} ${formatUnits(pair1, m.token1.decimals)}\` or \`provenant pool add ${formatUnits(pair0, m.token0.decimals)} ${formatUnits(amount1, m.token1.decimals)}\` (\`provenant pool show\` prints the price).`,
      docsPath: 'docs/markets.md#cli',
    },
  );
}

/** `provenant pool add <synth> <usd>`; registered (with its options) in pool.register.ts. */
export const poolAddAction = async (
  synthText: string,
  usdText: string,
  flags: { slippageBps: number; deadline: number; json?: boolean },
  command: Command,
) => {
  await withPool(command, 'default', async (context, _d, m) => {
    const amount0 = parseAmount(synthText, m.token0.decimals, `${m.token0.symbol} amount (<synth>)`);
    const amount1 = parseAmount(usdText, m.token1.decimals, `${m.token1.symbol} amount (<usd>)`);
    await requireBalance(
      context.clients,
      m.token0,
      amount0,
      `Add at most what you hold, or get ${m.token0.symbol} first (\`provenant pool swap <usd> --in usd\`).`,
    );
    await requireBalance(
      context.clients,
      m.token1,
      amount1,
      `Add at most what you hold (on the devnet ${m.token1.symbol} comes from its faucet).`,
    );
    // Before the approvals (transactions of their own): amounts off the pool's ratio send nothing.
    refuseOffRatio(await readPool(context.clients, m.pool), m, amount0, amount1, BigInt(flags.slippageBps));
    await ensureAllowance(context.clients, m.token0.address, m.pool, amount0);
    await ensureAllowance(context.clients, m.token1.address, m.pool, amount1);
    const r = await addLiquidity(context.clients, m.pool, {
      amount0,
      amount1,
      ...poolCallOptions(flags),
    }).catch((error: unknown) => {
      throw explainPoolError(error);
    });
    const ev = r.events.find((e) => e.eventName === 'LiquidityAdded');
    if (flags.json) {
      console.log(toJson({ hash: r.hash, added: ev?.args, ...liquidityUnits(m, ev?.args) }));
      return;
    }
    console.log(
      `Added liquidity: ${formatUnits((ev?.args.amount0 as bigint) ?? 0n, m.token0.decimals)} ${m.token0.symbol} + ${formatUnits((ev?.args.amount1 as bigint) ?? 0n, m.token1.decimals)} ${m.token1.symbol} for ${formatUnits((ev?.args.shares as bigint) ?? 0n, SHARE_DECIMALS)} LP shares (tx ${r.hash}); \`provenant pool show\` prints your share of the pool.`,
    );
  });
};

/** `provenant pool remove [shares]`; registered (with its options) in pool.register.ts. */
export const poolRemoveAction = async (
  sharesText: string | undefined,
  flags: { all?: boolean; slippageBps: number; deadline: number; json?: boolean },
  command: Command,
) => {
  if (flags.all && sharesText)
    throw new NonRetryableError(`Give a number of shares (${sharesText}) or --all, not both.`, {
      details:
        '`pool remove <shares>` burns that many LP shares; `pool remove --all` burns every one you hold.',
    });
  // LP shares are 18-decimal (DynamicFeePool), so they are checked before any chain is opened.
  const given = !flags.all && sharesText ? parseAmount(sharesText, 18, 'share amount ([shares])') : 0n;
  await withPool(command, 'default', async (context, _d, m) => {
    const held = await balanceOf(context.clients, m.pool, context.clients.account.address);
    const shares = flags.all ? held : given;
    if (shares === 0n)
      throw new NonRetryableError(
        flags.all
          ? `You hold no LP shares of this pool (${context.clients.account.address}), so --all has nothing to burn.`
          : 'Give the number of shares to burn, or --all.',
        {
          details: flags.all
            ? `LP shares come from adding liquidity: \`provenant pool add <${m.token0.symbol}> <${m.token1.symbol}>\` (\`provenant pool show\` prints the pool's ratio). If another key holds the shares, sign with that key.`
            : `You hold ${formatUnits(held, SHARE_DECIMALS)} LP shares${held > 0n ? `: \`provenant pool remove ${formatUnits(held, SHARE_DECIMALS)}\` (or --all) burns them all` : ''}.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    if (shares > held)
      throw new PoolActionRefusedError(
        `You hold ${formatUnits(held, SHARE_DECIMALS)} LP shares, less than the ${formatUnits(shares, SHARE_DECIMALS)} to burn.`,
        {
          details: `Burn at most ${formatUnits(held, SHARE_DECIMALS)} (\`provenant pool remove --all\` burns every one); \`provenant pool show\` prints your shares and what they redeem for.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    const r = await removeLiquidity(context.clients, m.pool, { shares, ...poolCallOptions(flags) }).catch(
      (error: unknown) => {
        throw explainPoolError(error);
      },
    );
    const ev = r.events.find((e) => e.eventName === 'LiquidityRemoved');
    if (flags.json) {
      console.log(toJson({ hash: r.hash, removed: ev?.args, ...liquidityUnits(m, ev?.args) }));
      return;
    }
    console.log(
      `Removed ${formatUnits(shares, 18)} shares: ${formatUnits((ev?.args.amount0 as bigint) ?? 0n, m.token0.decimals)} ${m.token0.symbol} + ${formatUnits((ev?.args.amount1 as bigint) ?? 0n, m.token1.decimals)} ${m.token1.symbol} (tx ${r.hash}).`,
    );
  });
};

/** `provenant pool swap <amount>`; registered (with its options) in pool.register.ts. */
export const poolSwapAction = async (
  amountText: string,
  flags: { in: string; slippageBps: number; maxPriceImpactBps: number; deadline: number; json?: boolean },
  command: Command,
) => {
  await withPool(command, 'default', async (context, _d, m) => {
    const { tokenIn, tokenOut } = pickIn(m, flags.in);
    const amountIn = parseAmount(amountText, tokenIn.decimals, `${tokenIn.symbol} amount (<amount>)`);
    await requireBalance(
      context.clients,
      tokenIn,
      amountIn,
      `Swap at most what you hold${tokenIn === m.token0 ? '' : ` (on the devnet ${tokenIn.symbol} comes from its faucet)`}.`,
    );
    // Checked before the approval, which is a transaction of its own: a refused swap sends nothing.
    const state = await readPool(context.clients, m.pool);
    const impactBps = requirePriceImpactWithin(state, m, tokenIn, amountIn, BigInt(flags.maxPriceImpactBps));
    await ensureAllowance(context.clients, tokenIn.address, m.pool, amountIn);
    const r = await swapExactIn(context.clients, m.pool, {
      tokenIn: tokenIn.address,
      amountIn,
      ...poolCallOptions(flags),
    }).catch((error: unknown) => {
      throw explainPoolError(error);
    });
    const { quoted, minOut, deadline } = r;
    const ev = r.events.find((e) => e.eventName === 'Swapped');
    const out = (ev?.args.amountOut as bigint) ?? 0n;
    if (flags.json) {
      // Base units as before (machines rely on them); *Units are the same amounts in whole units.
      console.log(
        toJson({
          hash: r.hash,
          quoted,
          minOut,
          deadline,
          swapped: ev?.args,
          tokenIn: tokenIn.symbol,
          tokenOut: tokenOut.symbol,
          amountInUnits: formatUnits(amountIn, tokenIn.decimals),
          amountOutUnits: formatUnits(out, tokenOut.decimals),
          quotedUnits: formatUnits(quoted, tokenOut.decimals),
          minOutUnits: formatUnits(minOut, tokenOut.decimals),
          priceImpactBps: Number(impactBps),
        }),
      );
      return;
    }
    // Prices in token1 (USD) per token0 (synth), 6 decimals shown: before the swap (spot) and paid.
    const synthIn = tokenIn === m.token0;
    const [synthAmount, usdAmount] = synthIn ? [amountIn, out] : [out, amountIn];
    const perSynth = (usd: bigint, synth: bigint) =>
      synth === 0n
        ? 'n/a'
        : formatUnits((usd * 10n ** BigInt(m.token0.decimals) * 10n ** 6n) / synth, m.token1.decimals + 6);
    const spot = perSynth(state.reserve1, state.reserve0);
    const paid = perSynth(usdAmount, synthAmount);
    console.log(
      `Swapped ${formatUnits(amountIn, tokenIn.decimals)} ${tokenIn.symbol} for ${formatUnits(out, tokenOut.decimals)} ${tokenOut.symbol} at ${String(ev?.args.feeBps ?? '?')} bps fee: ${paid} ${m.token1.symbol} per ${m.token0.symbol} (the pool's price before was ${spot}; price impact ${bpsText(impactBps)}; minimum accepted ${formatUnits(minOut, tokenOut.decimals)} ${tokenOut.symbol}) (tx ${r.hash}).`,
    );
  });
};

/** `provenant pool set-fee <bps>`; registered (with its options) in pool.register.ts. */
export const poolSetFeeAction = async (bpsText: string, _flags: unknown, command: Command) => {
  // The pool stores the fee as a uint16 (`Number('1e3')` or `Number('')` would have read 1000 or 0).
  const bps = Number(
    parseFixedPoint(bpsText, {
      what: 'fee in basis points (<bps>)',
      decimals: 0,
      max: 65_535n,
      maxType: 'uint16',
      allowZero: true,
      unit: 'bps',
    }),
  );
  await withPool(command, 'agent', async (context, deployment, m) => {
    await preflightOrExplain(context, deployment, prepareSetFee(m.pool, bps));
    const r = await setPoolFee(context.clients, m.pool, bps);
    const ev = r.events.find((e) => e.eventName === 'FeeChanged');
    console.log(
      `Fee changed ${String(ev?.args.oldFeeBps ?? '?')} → ${String(ev?.args.newFeeBps ?? bps)} bps (tx ${r.hash}).`,
    );
  });
};

/** `provenant pool show`; registered (with its options) in pool.register.ts. */
export const poolShowAction = async (flags: { json?: boolean }, command: Command) => {
  await withPool(command, 'read', async (context, _d, m) => {
    // With no key configured the signer is a throwaway address: it holds no shares worth showing.
    const [state, mine] = await Promise.all([
      readPool(context.clients, m.pool),
      context.throwawaySigner
        ? Promise.resolve(undefined)
        : balanceOf(context.clients, m.pool, context.clients.account.address),
    ]);
    const redeems =
      mine === undefined || mine === 0n ? undefined : await previewRemove(context.clients, m.pool, mine);
    const price =
      state.reserve0 > 0n
        ? formatUnits(
            (state.reserve1 * 10n ** BigInt(m.token0.decimals) * 10n ** 6n) / state.reserve0,
            m.token1.decimals + 6,
          )
        : null;
    // Your share of the pool in percent, 4 decimals (rounded down).
    const share =
      mine === undefined || state.totalShares === 0n
        ? null
        : formatUnits((mine * 100n * 10n ** 4n) / state.totalShares, 4);
    const row = {
      pool: m.pool,
      reserve0: formatUnits(state.reserve0, m.token0.decimals),
      reserve1: formatUnits(state.reserve1, m.token1.decimals),
      token0: m.token0.symbol,
      token1: m.token1.symbol,
      feeBps: Number(state.feeBps),
      totalShares: formatUnits(state.totalShares, 18),
      yourShares: mine === undefined ? null : formatUnits(mine, 18),
      yourSharePercent: share,
      yourRedeem0: redeems ? formatUnits(redeems[0], m.token0.decimals) : mine === undefined ? null : '0',
      yourRedeem1: redeems ? formatUnits(redeems[1], m.token1.decimals) : mine === undefined ? null : '0',
      price,
    };
    if (flags.json) {
      console.log(toJson(row));
      return;
    }
    printTable([
      ['pool', `${m.token0.symbol}/${m.token1.symbol} ${m.pool}`],
      ['reserves', `${row.reserve0} ${row.token0} + ${row.reserve1} ${row.token1}`],
      ['price', price === null ? 'empty pool' : `${price} ${row.token1} per ${row.token0}`],
      ['fee', `${row.feeBps} bps (set by the agent within the SET_FEE policy: \`provenant policy show\`)`],
      row.yourShares === null
        ? ['LP shares total', `${row.totalShares} (no key configured: yours not shown)`]
        : [
            'LP shares yours / total',
            `${row.yourShares} / ${row.totalShares} (${row.yourSharePercent}% of the pool)`,
          ],
      ...(row.yourShares === null
        ? []
        : [
            [
              'yours redeem for',
              mine === 0n
                ? `nothing: you hold no LP shares (\`provenant pool add <${row.token0}> <${row.token1}>\` adds liquidity for some)`
                : `${row.yourRedeem0} ${row.token0} + ${row.yourRedeem1} ${row.token1} (\`provenant pool remove --all\`)`,
            ] as [string, string],
          ]),
    ]);
  });
};
