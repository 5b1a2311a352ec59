/**
 * What a position can still do at a price, in the vault's own integer arithmetic (SyntheticVault:
 * `_ratioBps`, `_debtValueWad`, `_mintFee`, `withdraw`, `isLiquidatable`), so the figures `synth show`
 * prints are the ones the contract accepts: withdrawing `withdrawable` passes and one unit more is
 * refused, minting `mintable` passes the vault's ratio check, and so on. Pure functions, no chain.
 */

const WAD = 10n ** 18n;
const BPS = 10_000n;

/** A position, the vault's risk values and a price (18-decimal USD per synth). */
export type OutlookInput = {
  /** Collateral in the token's base units. */
  collateral: bigint;
  /** Debt in synth base units (18 decimals). */
  debt: bigint;
  collateralDecimals: number;
  priceWad: bigint;
  minCollateralRatioBps: bigint;
  liquidationRatioBps: bigint;
  mintFeeBps: bigint;
  minDebt: bigint;
  /** Debt ceiling minus total debt (synth base units); mints beyond it are refused. */
  ceilingRoom: bigint;
};

export type PositionOutlook = {
  /** Collateral ratio in bps; undefined without debt. */
  ratioBps: bigint | undefined;
  /** Most collateral (base units) that can be withdrawn now. */
  withdrawable: bigint;
  /** Most synth the vault would mint on this position now (minimum ratio after the fee, debt ceiling, minimum debt). */
  mintable: bigint;
  /** Synth to repay to bring the ratio back to the minimum (0 when it is there). */
  repayToMinimum: bigint;
  /** Collateral (base units) to deposit to bring the ratio back to the minimum (0 when it is there). */
  depositToMinimum: bigint;
  /** Lowest price (18-decimal USD per synth) at which the position is liquidatable; undefined without debt. */
  liquidationPriceWad: bigint | undefined;
};

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/** Smallest x in [lo, hi] with `ok(x)`, for `ok` false-then-true; `hi + 1n` when none. */
function lowest(lo: bigint, hi: bigint, ok: (x: bigint) => boolean): bigint {
  let a = lo;
  let b = hi + 1n;
  while (a < b) {
    const mid = (a + b) / 2n;
    if (ok(mid)) b = mid;
    else a = mid + 1n;
  }
  return a;
}

export function positionOutlook(p: OutlookInput): PositionOutlook {
  // The vault's conversion: × 10^(18 − d); it refuses collateral with more than 18 decimals.
  if (p.collateralDecimals > 18 || p.collateralDecimals < 0) {
    throw new RangeError(
      `collateral decimals ${p.collateralDecimals}: a SyntheticVault accepts 0 to 18 (UnsupportedDecimals)`,
    );
  }
  const mul = 10n ** BigInt(18 - p.collateralDecimals);
  const toWad = (c: bigint) => c * mul;
  const debtValue = (d: bigint) => ceilDiv(d * p.priceWad, WAD);
  const ratio = (c: bigint, d: bigint): bigint | undefined => {
    if (d === 0n) return undefined;
    const value = debtValue(d);
    return value === 0n ? undefined : (toWad(c) * BPS) / value;
  };
  const atLeast = (c: bigint, d: bigint, limit: bigint) => {
    const r = ratio(c, d);
    return r === undefined || r >= limit;
  };
  const fee = (amount: bigint) =>
    p.mintFeeBps === 0n ? 0n : ceilDiv(ceilDiv(debtValue(amount) * p.mintFeeBps, BPS), mul);
  const min = p.minCollateralRatioBps;

  // Withdraw: the ratio after must stay >= the minimum (no check without debt).
  // The least collateral that keeps the minimum; above the collateral held when even all of it does not.
  const keep = p.debt === 0n ? 0n : lowest(0n, p.collateral, (c) => atLeast(c, p.debt, min));
  const withdrawable = keep > p.collateral ? 0n : p.collateral - keep;

  // Mint: fee <= collateral, debt after >= minDebt, within the ceiling, ratio after the fee >= minimum.
  const mintOk = (a: bigint) => {
    const f = fee(a);
    return f <= p.collateral && atLeast(p.collateral - f, p.debt + a, min);
  };
  const upper = p.ceilingRoom < 0n ? 0n : p.ceilingRoom;
  // mintOk is true-then-false in the amount: the largest passing amount is one below the first failing one.
  let mintable = upper === 0n ? 0n : lowest(1n, upper, (a) => !mintOk(a)) - 1n;
  if (p.debt + mintable < p.minDebt) mintable = 0n;

  // Back to the minimum ratio: repay (the debt left must be 0 or >= minDebt) or deposit.
  const safe = atLeast(p.collateral, p.debt, min);
  let repayToMinimum = 0n;
  if (!safe) {
    repayToMinimum = lowest(0n, p.debt, (r) => atLeast(p.collateral, p.debt - r, min));
    const left = p.debt - repayToMinimum;
    if (left !== 0n && left < p.minDebt) repayToMinimum = p.debt;
  }
  // The least deposit that restores the minimum, searched up to a bound that surely does.
  const enough = ceilDiv(min * debtValue(p.debt), mul * BPS) + 1n;
  const depositToMinimum = safe ? 0n : lowest(0n, enough, (d) => atLeast(p.collateral + d, p.debt, min));

  // Liquidatable when the ratio < the liquidation ratio; it falls as the price rises (a position is short
  // the synth). The lowest such price, searched up to the price at which the debt's value is 2^128 wei.
  const liquidationPriceWad =
    p.debt === 0n
      ? undefined
      : lowest(1n, (2n ** 128n * WAD) / p.debt + 1n, (price) => {
          const value = ceilDiv(p.debt * price, WAD);
          return (toWad(p.collateral) * BPS) / value < p.liquidationRatioBps;
        });

  return {
    ratioBps: ratio(p.collateral, p.debt),
    withdrawable,
    mintable,
    repayToMinimum,
    depositToMinimum,
    liquidationPriceWad,
  };
}
