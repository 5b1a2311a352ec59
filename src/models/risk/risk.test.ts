import { describe, expect, test } from 'vitest';
import { mulberry32, normalSource } from '../forecast/prng.js';
import { ewmaVariance } from './ewma.js';
import { fitGarch, garchNegLogLik, garchVariance, simulateGarch } from './garch.js';
import { sizePosition } from './sizePosition.js';
import { normalCdf, normalQuantile } from './stats.js';
import { filteredHistoricalVaR, gaussianVaR } from './valueAtRisk.js';

describe('fitGarch', () => {
  test('recovers known parameters on a simulated series (seed 7, n = 8000)', () => {
    const truth = { omega: 2e-6, alpha: 0.08, beta: 0.9, mu: 0 };
    const r = simulateGarch(truth, 8000, 7);
    const fit = fitGarch(r);
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.02);
    expect(Math.abs(fit.beta - truth.beta)).toBeLessThan(0.03);
    expect(Math.abs(fit.persistence - 0.98)).toBeLessThan(0.01);
    const uncond = fit.omega / (1 - fit.persistence);
    expect(uncond / 1e-4).toBeGreaterThan(0.8);
    expect(uncond / 1e-4).toBeLessThan(1.25);
  });

  test('recovers parameters away from the optimiser start (α 0.15, β 0.8; seed 11, n = 8000)', () => {
    // The cold start's first point is α 0.08, β 0.9: this truth is not on it.
    const truth = { omega: 1e-4 * 0.05, alpha: 0.15, beta: 0.8, mu: 0 };
    const fit = fitGarch(simulateGarch(truth, 8000, 11));
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.02);
    expect(Math.abs(fit.beta - truth.beta)).toBeLessThan(0.03);
  });

  test('low persistence (α 0.05, β 0.75; seed 7) does not collapse to α ≈ 0, β ≈ 1', () => {
    // From the single start α 0.08, β 0.9 this series fitted α 0.0000, β 0.9999 (constant variance);
    // the grid of starts finds the better optimum. β is weakly identified at this persistence
    // (fitted ≈ 0.63), so only α and the persistence are checked.
    const truth = { omega: 1e-4 * 0.2, alpha: 0.05, beta: 0.75, mu: 0 };
    const r = simulateGarch(truth, 8000, 7);
    const fit = fitGarch(r);
    expect(Math.abs(fit.alpha - truth.alpha)).toBeLessThan(0.02);
    expect(fit.persistence).toBeLessThan(0.9);
    const collapsed = { omega: fit.omega, alpha: 0, beta: 0.9999, mu: fit.mu };
    collapsed.omega = (r.reduce((a, v) => a + v * v, 0) / r.length) * (1 - 0.9999);
    expect(fit.negLogLik).toBeLessThan(garchNegLogLik(r, collapsed));
  });

  test('behavior: variance path uses only past returns', () => {
    const r = simulateGarch({ omega: 1e-6, alpha: 0.1, beta: 0.85, mu: 0 }, 100, 1);
    const p = { omega: 1e-6, alpha: 0.1, beta: 0.85, mu: 0 };
    const a = garchVariance(r, p, 1e-4);
    const b = garchVariance([...r.slice(0, 50), ...r.slice(50).reverse()], p, 1e-4);
    expect(b.slice(0, 51)).toEqual(a.slice(0, 51));
  });
});

describe('ewmaVariance', () => {
  test('tracks a variance step', () => {
    const z = normalSource(mulberry32(3));
    const r = Array.from({ length: 600 }, (_, i) => (i < 300 ? 0.01 : 0.03) * z());
    const v = ewmaVariance(r);
    expect(Math.sqrt(v[299]!)).toBeLessThan(0.015);
    expect(Math.sqrt(v[600]!)).toBeGreaterThan(0.022);
  });
});

describe('VaR and ES', () => {
  test('normal quantile and CDF agree', () => {
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normalCdf(normalQuantile(0.05))).toBeCloseTo(0.05, 6);
  });

  test('gaussian VaR/ES at 95% and 99%', () => {
    const v95 = gaussianVaR(0, 0.02, 0.95);
    const v99 = gaussianVaR(0, 0.02, 0.99);
    expect(v95.var).toBeCloseTo(0.02 * 1.644854, 6);
    expect(v99.var).toBeCloseTo(0.02 * 2.326348, 6);
    expect(v99.es).toBeCloseTo((0.02 * Math.exp(-0.5 * 2.326348 ** 2)) / Math.sqrt(2 * Math.PI) / 0.01, 5);
    expect(v99.es).toBeGreaterThan(v99.var);
  });

  test('filtered historical VaR on normal residuals is close to gaussian', () => {
    const z = normalSource(mulberry32(11));
    const res = Array.from({ length: 20000 }, () => z());
    const h = filteredHistoricalVaR(0, 0.02, res, 0.99);
    expect(h.var / gaussianVaR(0, 0.02, 0.99).var).toBeGreaterThan(0.95);
    expect(h.var / gaussianVaR(0, 0.02, 0.99).var).toBeLessThan(1.05);
  });
});

describe('sizePosition', () => {
  test('default: volatility targeting', () => {
    const s = sizePosition({ forecastMean: 0.001, forecastVol: 0.02, targetVol: 0.1, cap: 1 });
    expect(s.size).toBeCloseTo(0.1 / (0.02 * Math.sqrt(252)), 12);
    expect(s.capped).toBe(false);
  });
  test('behavior: capped', () => {
    const s = sizePosition({ forecastMean: 0.001, forecastVol: 0.001, targetVol: 0.2, cap: 0.5 });
    expect(s).toMatchObject({ size: 0.5, capped: true });
  });
  test('behavior: long-only gives 0 on a non-positive mean; always-long ignores it', () => {
    expect(sizePosition({ forecastMean: -0.001, forecastVol: 0.02, targetVol: 0.1, cap: 1 }).size).toBe(0);
    expect(
      sizePosition({ forecastMean: -0.001, forecastVol: 0.02, targetVol: 0.1, cap: 1, mode: 'always-long' })
        .size,
    ).toBeGreaterThan(0);
  });
  test('behavior: rejects non-finite input', () => {
    expect(() => sizePosition({ forecastMean: 0, forecastVol: Number.NaN, targetVol: 0.1, cap: 1 })).toThrow(
      /forecastVol is NaN/,
    );
  });
});

describe('GARCH with Student-t innovations', () => {
  test('simulation has unit-variance fat-tailed innovations; the t likelihood recovers the parameters', () => {
    const truth = { omega: 2e-6, alpha: 0.08, beta: 0.9, mu: 0 };
    const r = simulateGarch(truth, 8000, 7, { studentT: 5 });
    const fit = fitGarch(r, { studentT: 5 });
    expect(fit.alpha).toBeGreaterThan(0.05);
    expect(fit.alpha).toBeLessThan(0.12);
    expect(fit.persistence).toBeGreaterThan(0.95);
    expect(fit.persistence).toBeLessThan(0.995);
    const iid = simulateGarch({ omega: 1, alpha: 0, beta: 0, mu: 0 }, 50_000, 3, { studentT: 5 });
    const m2 = iid.reduce((a, b) => a + b * b, 0) / iid.length;
    const m4 = iid.reduce((a, b) => a + b ** 4, 0) / iid.length;
    expect(m2).toBeGreaterThan(0.95);
    expect(m2).toBeLessThan(1.05);
    expect(m4 / (m2 * m2)).toBeGreaterThan(5); // Gaussian 3; t(5) has infinite fourth moment
    expect(() => simulateGarch(truth, 10, 1, { studentT: 2 })).toThrow(/studentT/);
    expect(() => fitGarch(r, { studentT: 2 })).toThrow(/studentT/);
  });
});
