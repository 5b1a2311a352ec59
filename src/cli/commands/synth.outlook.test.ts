import { describe, expect, test } from 'vitest';
import { type OutlookInput, positionOutlook } from './synth.outlook.js';

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;

// The vault's arithmetic (SyntheticVault._ratioBps / _debtValueWad), written out independently.
const ratioBps = (collateral: bigint, debt: bigint, price: bigint) =>
  (collateral * 10n ** 12n * 10_000n) / ((debt * price + E18 - 1n) / E18);

const base: OutlookInput = {
  collateral: 18_600n * E6, // 18,600 tUSD
  debt: 1_000n * E18, // 1,000 sWTI
  collateralDecimals: 6,
  priceWad: 1_240n * 10n ** 16n, // $12.40: ratio 150.00%
  minCollateralRatioBps: 15_000n,
  liquidationRatioBps: 12_000n,
  mintFeeBps: 30n,
  minDebt: 10n * E18,
  ceilingRoom: 1_000_000n * E18,
};

describe('positionOutlook: the figures synth show prints are the vault boundaries', () => {
  test('withdrawable: exactly the most that keeps the minimum ratio', () => {
    const p = { ...base, collateral: 30_000n * E6 };
    const { withdrawable } = positionOutlook(p);
    expect(ratioBps(p.collateral - withdrawable, p.debt, p.priceWad)).toBeGreaterThanOrEqual(15_000n);
    expect(ratioBps(p.collateral - withdrawable - 1n, p.debt, p.priceWad)).toBeLessThan(15_000n);
    // Below the minimum nothing can be withdrawn (never a negative amount).
    expect(positionOutlook({ ...base, priceWad: 13n * E18 }).withdrawable).toBe(0n);
    // Without debt, everything.
    expect(positionOutlook({ ...base, debt: 0n }).withdrawable).toBe(base.collateral);
  });

  test('liquidation price: the lowest price at which the ratio is below the liquidation ratio', () => {
    const { liquidationPriceWad } = positionOutlook(base);
    expect(liquidationPriceWad).toBeDefined();
    const at = liquidationPriceWad!;
    expect(ratioBps(base.collateral, base.debt, at)).toBeLessThan(12_000n);
    expect(ratioBps(base.collateral, base.debt, at - 1n)).toBeGreaterThanOrEqual(12_000n);
    expect(at / 10n ** 16n).toBe(1_550n); // 18,600 / 1.2 / 1,000 = $15.50
    expect(positionOutlook({ ...base, debt: 0n }).liquidationPriceWad).toBeUndefined();
  });

  test('mintable: the ratio after the mint fee stays at the minimum; one more is below; capped by the ceiling', () => {
    const p = { ...base, collateral: 40_000n * E6 };
    const { mintable } = positionOutlook(p);
    const fee = (a: bigint) =>
      ((((a * p.priceWad + E18 - 1n) / E18) * 30n + 9_999n) / 10_000n + 10n ** 12n - 1n) / 10n ** 12n;
    expect(ratioBps(p.collateral - fee(mintable), p.debt + mintable, p.priceWad)).toBeGreaterThanOrEqual(
      15_000n,
    );
    expect(ratioBps(p.collateral - fee(mintable + 1n), p.debt + mintable + 1n, p.priceWad)).toBeLessThan(
      15_000n,
    );
    expect(positionOutlook({ ...p, ceilingRoom: 5n * E18 }).mintable).toBe(5n * E18);
    expect(positionOutlook({ ...p, ceilingRoom: 0n }).mintable).toBe(0n);
  });

  test('to be safe again: the repay and the deposit that bring the ratio back to the minimum', () => {
    const p = { ...base, priceWad: 14n * E18 }; // ratio 132.85%
    const o = positionOutlook(p);
    expect(ratioBps(p.collateral, p.debt - o.repayToMinimum, p.priceWad)).toBeGreaterThanOrEqual(15_000n);
    expect(ratioBps(p.collateral, p.debt - o.repayToMinimum + 1n, p.priceWad)).toBeLessThan(15_000n);
    expect(ratioBps(p.collateral + o.depositToMinimum, p.debt, p.priceWad)).toBeGreaterThanOrEqual(15_000n);
    expect(ratioBps(p.collateral + o.depositToMinimum - 1n, p.debt, p.priceWad)).toBeLessThan(15_000n);
    expect(positionOutlook(base).repayToMinimum).toBe(0n);
  });
});

describe('positionOutlook: collateral with more than 18 decimals', () => {
  test('is refused, as the vault refuses it (UnsupportedDecimals)', () => {
    expect(() => positionOutlook({ ...base, collateralDecimals: 24 })).toThrow(/accepts 0 to 18/);
  });
});
