import { describe, expect, test } from 'vitest';
import { mulberry32, normalSource } from '../forecast/prng.js';
import { ksTest, psi } from './distribution.js';
import { DriftMonitor, type DriftStatus } from './driftMonitor.js';
import { flagOutlier } from './outlier.js';
import { Cusum, PageHinkley } from './sequential.js';

const normals = (seed: number, n: number, sd = 1, mean = 0) => {
  const z = normalSource(mulberry32(seed));
  return Array.from({ length: n }, () => mean + sd * z());
};

describe('input drift (PSI, KS)', () => {
  test('quiet on the same distribution, loud on a shifted one', () => {
    const ref = normals(1, 5000);
    expect(psi(ref, normals(2, 2000))).toBeLessThan(0.05);
    expect(psi(ref, normals(3, 2000, 2))).toBeGreaterThan(0.25);
    expect(ksTest(ref, normals(4, 500)).pValue).toBeGreaterThan(0.01);
    expect(ksTest(ref, normals(5, 500, 1, 0.5)).pValue).toBeLessThan(1e-6);
  });
});

describe('error drift (Page–Hinkley, CUSUM)', () => {
  test('Page–Hinkley fires soon after a planted variance shift and never before it', () => {
    const ph = new PageHinkley({ delta: 0.25, lambda: 15 });
    const e = [...normals(10, 3000), ...normals(11, 200, 3)];
    const m = Math.sqrt(2 / Math.PI);
    const alarms = e.map((x) => ph.update(Math.abs(x), m).alarm).flatMap((a, i) => (a ? [i] : []));
    expect(alarms.filter((i) => i < 3000)).toEqual([]);
    expect(alarms[0]! - 3000).toBeLessThan(15);
  });

  test('CUSUM fires on a planted mean shift and stays quiet on a stationary series', () => {
    const c = new Cusum({ k: 0.5, h: 10 });
    const quiet = normals(20, 5000).filter((z) => c.update(z).alarm).length;
    expect(quiet).toBe(0);
    const shifted = normals(21, 100, 1, 1.5).findIndex((z) => c.update(z).alarm);
    expect(shifted).toBeGreaterThanOrEqual(0);
    expect(shifted).toBeLessThan(20);
  });
});

describe('DriftMonitor', () => {
  const rows = (xs: number[]) => xs.map((x) => [x, 0]);

  test('quiet on a stationary stream, halts with a reason after a planted shift', () => {
    const mon = new DriftMonitor();
    const ref = normals(30, 2500, 0.02);
    mon.setReference(rows(ref), ref);
    const calm = normals(31, 2000, 0.02);
    expect(calm.map((x) => mon.update([x, 0], x)).filter((s) => s.halt)).toEqual([]);
    const storm = normals(32, 60, 0.08);
    const statuses = storm.map((x) => mon.update([x, 0], x));
    const first = statuses.findIndex((s) => s.halt);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(10);
    expect(statuses[first]!.reason).toMatch(/^error drift: Page–Hinkley/);
    expect(statuses[statuses.length - 1]!.halt).toBe(true);
  });

  test('adversarial round: a single jump is flagged (not acted on), a normal move is not', () => {
    const mon = new DriftMonitor();
    const recent = normals(40, 60, 0.02);
    expect(mon.checkRound(0.025, recent).flagged).toBe(false);
    const f = mon.checkRound(0.9, recent);
    expect(f.flagged).toBe(true);
    expect(f.reason).toMatch(/flagged, not acted on/);
    expect(flagOutlier(0, [1, 1, 1]).z).toBe(Number.POSITIVE_INFINITY);
  });

  test('input drift is direction-aware: a calmer window does not halt, a wider one does', () => {
    const ref = normals(50, 2500, 0.02);
    const calmer = normals(51, 300, 0.008);
    const wider = normals(52, 300, 0.05);
    const feed = (mon: DriftMonitor, xs: number[]) => xs.map((x) => mon.update([x, 0])).at(-1)!;
    const widening = new DriftMonitor();
    widening.setReference(rows(ref), ref);
    const quiet = feed(widening, calmer);
    expect(quiet.psi).toBeGreaterThan(0.25);
    expect(quiet.inputAlarm).toBe(false);
    expect(quiet.halt).toBe(false);
    const loud = feed(widening, wider);
    expect(loud.inputAlarm).toBe(true);
    expect(loud.reason).toMatch(/^input drift: PSI of feature 0 .* outer bins$/);
    // The previous, symmetric behaviour is still available and halts on the calmer window.
    const twoSided = new DriftMonitor({ psiMode: 'two-sided' });
    twoSided.setReference(rows(ref), ref);
    expect(feed(twoSided, calmer).inputAlarm).toBe(true);
  });

  test('a mean shift of the inputs still counts as widening', () => {
    const ref = normals(55, 2500, 0.02);
    const mon = new DriftMonitor();
    mon.setReference(rows(ref), ref);
    const last = normals(56, 300, 0.02, 0.02)
      .map((x) => mon.update([x, 0]))
      .at(-1)!;
    expect(last.inputAlarm).toBe(true);
  });

  test('trailing error scale: a rise from a calm regime fires even when the fit window held a crisis', () => {
    // Reference: a 4-sd "crisis" year, then years of calm errors (like a 10-year window containing 2008).
    const ref = [...normals(60, 250, 0.06), ...normals(61, 2250, 0.012)];
    const later = normals(62, 80, 0.03); // 2.5× the calm level, still below the reference RMS
    const firstHalt = (mon: DriftMonitor) => {
      mon.setReference(rows(ref), ref);
      return later.findIndex((e) => mon.update([0, 0], e).errorAlarm);
    };
    const trailing = firstHalt(new DriftMonitor());
    expect(trailing).toBeGreaterThanOrEqual(0);
    expect(trailing).toBeLessThan(42);
    expect(firstHalt(new DriftMonitor({ errorScale: 'reference' }))).toBe(-1);
  });

  test('trailing error scale uses only past errors, and evidence survives a refit', () => {
    const ref = normals(70, 2500, 0.01);
    const stream = normals(71, 300, 0.015); // ≈ +0.15 per row: needs ≈ 100 rows, more than one 21-row refit period
    // Refit every 21 rows with the errors seen so far appended to the reference.
    const run = (tail: number[]) => {
      const mon = new DriftMonitor();
      const seen = [...ref];
      const out: DriftStatus[] = [];
      [...stream, ...tail].forEach((e, i) => {
        if (i % 21 === 0) mon.setReference(rows(seen.slice(-2500)), seen.slice(-2500));
        out.push(mon.update([0, 0], e));
        seen.push(e);
      });
      return out.slice(0, stream.length);
    };
    const a = run(normals(72, 50, 0.01));
    const b = run(normals(73, 50, 0.5));
    expect(a).toEqual(b); // what comes later does not change earlier statuses
    expect(a.some((s) => s.errorAlarm)).toBe(true);
    expect(() => new DriftMonitor({ errorHalfLife: 0 })).toThrow(/errorHalfLife must be a positive/);
  });
});

describe('DriftMonitor: re-arming after a refit', () => {
  const rows = (xs: number[]) => xs.map((x) => [x, 0]);
  /** Monthly refits on a rolling reference of the errors seen so far, as the walk-forward backtest does. */
  const walk = (mon: DriftMonitor, ref: number[], stream: number[], every = 21) => {
    const seen = [...ref];
    return stream.map((e, i) => {
      const rearm = i % every === 0;
      if (rearm) mon.setReference(rows(seen.slice(-2500)), seen.slice(-2500));
      const s = mon.update([0, 0], e);
      seen.push(e);
      return { ...s, rearm };
    });
  };

  test('a stationary stream with monthly refits stays quiet (both re-arm modes)', () => {
    const ref = normals(90, 2500, 0.01);
    const stream = normals(91, 5000, 0.01);
    for (const afterAlarm of ['restart', 'carry'] as const) {
      expect(walk(new DriftMonitor({ afterAlarm }), ref, stream).filter((s) => s.halt)).toEqual([]);
    }
  });

  test('after a refit the detector does not re-fire on the same episode unless new evidence accumulates', () => {
    // A sustained doubling of the error level (alarms on row 16, re-armed by the refit on row 21),
    // then a further jump to 10× the calm level (5× the episode).
    const ref = normals(100, 2500, 0.01);
    const episode = normals(101, 126, 0.02);
    const jump = normals(102, 42, 0.1);
    const restart = walk(new DriftMonitor(), ref, [...episode, ...jump]);
    const carry = walk(new DriftMonitor({ afterAlarm: 'carry' }), ref, [...episode, ...jump]);
    const first = restart.findIndex((s) => s.errorAlarm);
    expect(first).toBe(16);
    expect(carry.findIndex((s) => s.errorAlarm)).toBe(first);
    // At the re-arming refit the evidence gathered while halted is spent ('restart') or kept ('carry').
    expect(restart[21]!.rearm && restart[21]!.pageHinkley).toBeLessThan(1);
    expect(carry[21]!.rearm && carry[21]!.pageHinkley).toBeGreaterThan(5);
    // So the next alarm needs λ = 15 of fresh evidence: with ≈ +0.7 per row that is > 15 rows after
    // the re-arm, where carrying re-fires after 5.
    const next = (ss: DriftStatus[]) => ss.findIndex((s, i) => i > 21 && s.errorAlarm) - 21;
    expect(next(carry)).toBe(5);
    expect(next(restart)).toBeGreaterThanOrEqual(15);
    // New evidence still counts: the further jump fires within 10 rows of its start.
    const jumpAlarm = restart.slice(episode.length).findIndex((s) => s.errorAlarm);
    expect(jumpAlarm).toBeGreaterThanOrEqual(0);
    expect(jumpAlarm).toBeLessThan(10);
  });
});
