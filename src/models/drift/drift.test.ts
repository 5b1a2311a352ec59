import { describe, expect, test } from 'vitest';
import { mulberry32, normalSource } from '../forecast/prng.js';
import { simulateGarch } from '../risk/index.js';
import { ksTest, psi } from './distribution.js';
import {
  DEFAULT_CONFIRM,
  DEFAULT_GARCH_CONFIRM,
  DEFAULT_GARCH_MEAN_SHIFT,
  DEFAULT_MEAN_SHIFT_CUSUM,
  DriftMonitor,
  type DriftMonitorOptions,
  type DriftStatus,
} from './driftMonitor.js';
import { flagOutlier, OutlierGate } from './outlier.js';
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

/** The WTI-fitted GARCH(1,1) of the drift calibration's null model (docs/models.md). */
const nullGarch = { omega: 1.584e-5, alpha: 0.2283, beta: 0.7716, mu: 0 };
/** Halt onsets: rows that halt after a row that did not. */
const onsets = (ss: DriftStatus[]) => ss.filter((s, i) => s.halt && (i === 0 || !ss[i - 1]!.halt)).length;
/**
 * Refits every `every` rows (default yearly) on a rolling 2520-row reference of the errors seen so far;
 * error k is also row k + 1's return feature (lagged), as in the walk-forward backtest.
 */
const walkLagged = (mon: DriftMonitor, ref: number[], stream: number[], every = 252) => {
  const seen = [...ref];
  return stream.map((e, i) => {
    if (i % every === 0) {
      const r = seen.slice(-2520);
      mon.setReference(
        r.map((_, k) => [k > 0 ? r[k - 1]! : 0, 0]),
        r,
      );
    }
    const s = mon.update([seen[seen.length - 1]!, 0], e);
    seen.push(e);
    return s;
  });
};

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

describe("DriftMonitor: errorScale 'garch' (standardised residuals, rationale 8)", () => {
  // The calibration's null model (GARCH(1,1) fitted on WTI 1986-04..1990-02), t(5) innovations.
  const rows = (xs: number[]) => xs.map((x) => [x, 0]);

  test('quiet on a GARCH(1,1)-t(5) null path on which the trailing scale fires', () => {
    const path = simulateGarch(nullGarch, 5040, 20260601, { studentT: 5, initVariance: 6.168e-4 });
    const ref = path.slice(0, 2520);
    const stream = path.slice(2520);
    const trailing = onsets(walkLagged(new DriftMonitor({ referenceThreshold: false }), ref, stream));
    const garch = walkLagged(new DriftMonitor({ errorScale: 'garch' }), ref, stream);
    expect(trailing).toBeGreaterThanOrEqual(3);
    expect(onsets(garch)).toBe(0);
    expect(garch.some((s) => s.inputAlarm)).toBe(false);
  });

  /** Risk-model σ (external path): a calm GARCH stream, then `planted` rows of errors built from the filter's own σ. */
  const plant = (planted: (sigma: number, z: number) => number, seed: number) => {
    const g = { omega: 4e-6, alpha: 0.08, beta: 0.9, mu: 0 };
    const z = tDraws(seed, 2620 + 30);
    let v = g.omega / (1 - g.alpha - g.beta);
    const errors: number[] = [];
    const vols: number[] = [];
    z.forEach((zt, t) => {
      const s = Math.sqrt(v);
      const e = t >= 2620 ? planted(s, zt) : s * zt;
      errors.push(e);
      vols.push(s);
      v = g.omega + g.alpha * e * e + g.beta * v;
    });
    const mon = new DriftMonitor({ errorScale: 'garch' });
    mon.setReference(
      errors.slice(0, 2520).map((_, k) => [k > 0 ? errors[k - 1]! : 0, 0]),
      errors.slice(0, 2520),
      vols.slice(0, 2520),
    );
    const st = errors.slice(2520).map((e, k) => mon.update([errors[2519 + k]!, 0], e, vols[2520 + k]));
    return { calm: st.slice(0, 100), planted: st.slice(100) };
  };

  test('fires within 8 rows when errors are 3× the conditional σ (the risk model adapting to them)', () => {
    const r = plant((s, z) => 3 * s * Math.sign(z), 5);
    expect(r.calm.some((s) => s.halt)).toBe(false);
    const first = r.planted.findIndex((s) => s.errorAlarm);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(8);
    expect(r.planted[first]!.reason).toMatch(/conditional GARCH\(1,1\) σ, the risk model's filter/);
  });

  test('fires within 15 rows on a mean shift of 2 conditional σ', () => {
    const r = plant((s, z) => s * (z + 2), 6);
    expect(r.calm.some((s) => s.halt)).toBe(false);
    const first = r.planted.findIndex((s) => s.errorAlarm);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(15);
  });

  test('quiet when the same GARCH simply continues (external σ, 130 rows)', () => {
    const r = plant((s, z) => s * z, 7); // no change at all: the planted rows follow the same GARCH
    expect([...r.calm, ...r.planted].some((s) => s.halt)).toBe(false);
  });

  test('caller-supplied σ: errorVols are validated and each error then needs its σ', () => {
    const mon = new DriftMonitor({ errorScale: 'garch' });
    const e = normals(80, 300, 0.02);
    expect(() =>
      mon.setReference(
        rows(e),
        e,
        e.slice(1).map(() => 0.02),
      ),
    ).toThrow(/errorVols must hold/);
    mon.setReference(
      rows(e),
      e,
      e.map(() => 0.02),
    );
    expect(() => mon.update([0, 0], 0.01)).toThrow(/errorVol must be the positive conditional σ/);
    expect(mon.update([0, 0], 0.01, 0.02).halt).toBe(false);
    expect(() => new DriftMonitor({ errorScale: 'garch' }).setReference(rows([1, 2]), [1, 2])).toThrow(
      /at least 10 finite reference errors/,
    );
  });
});

function tDraws(seed: number, n: number): number[] {
  const z = normalSource(mulberry32(seed));
  return Array.from({ length: n }, () => {
    const num = z();
    let chi2 = 0;
    for (let k = 0; k < 5; k++) chi2 += z() ** 2;
    return (num / Math.sqrt(chi2 / 5)) * Math.sqrt(3 / 5);
  });
}

describe("DriftMonitor: signed CUSUM on standardised errors ('garch' + meanShift, rationale 9)", () => {
  const cusumOn = { errorScale: 'garch', meanShift: { ...DEFAULT_MEAN_SHIFT_CUSUM } } as const;

  /**
   * A calm GARCH(1,1)-t(5) stream whose errors after row `calm` become σ·(z + shift), σ the
   * generator's own conditional σ (the risk model adapting to the planted errors). Refits (re-arms)
   * every `every` rows on a rolling 2520-row reference; σ from the caller or, with `ownFit`, the
   * monitor's own GARCH.
   */
  const plant = (
    options: DriftMonitorOptions,
    shift: number,
    seed: number,
    { calm = 100, planted = 300, every = 21, ownFit = false } = {},
  ) => {
    const g = { omega: 4e-6, alpha: 0.08, beta: 0.9, mu: 0 };
    const z = tDraws(seed, 2520 + calm + planted);
    let v = g.omega / (1 - g.alpha - g.beta);
    const errors: number[] = [];
    const vols: number[] = [];
    z.forEach((zt, t) => {
      const s = Math.sqrt(v);
      const e = s * (t >= 2520 + calm ? zt + shift : zt);
      errors.push(e);
      vols.push(s);
      v = g.omega + g.alpha * e * e + g.beta * v;
    });
    const mon = new DriftMonitor(options);
    const out: (DriftStatus & { rearm: boolean })[] = [];
    for (let t = 2520; t < errors.length; t++) {
      const rearm = (t - 2520) % every === 0;
      if (rearm) {
        const from = t - 2520;
        const ref = errors.slice(from, t);
        mon.setReference(
          ref.map((_, k) => [from + k > 0 ? errors[from + k - 1]! : 0, 0]),
          ref,
          ownFit ? undefined : vols.slice(from, t),
        );
      }
      const s = ownFit
        ? mon.update([errors[t - 1]!, 0], errors[t])
        : mon.update([errors[t - 1]!, 0], errors[t], vols[t]);
      out.push({ ...s, rearm });
    }
    return { calm: out.slice(0, calm), planted: out.slice(calm), all: out };
  };

  test('fires on a sustained −0.5 σ mean shift of z within 160 rows, where Page–Hinkley on |z| stays quiet', () => {
    // Design: k = 0.25 for a 0.5 σ shift, so C⁻ grows ≈ 0.25 per row and h = 25 needs ≈ 100 rows.
    const r = plant(cusumOn, -0.5, 11);
    expect(r.calm.some((s) => s.halt)).toBe(false);
    const first = r.planted.findIndex((s) => s.errorAlarm);
    expect(first).toBeGreaterThanOrEqual(60);
    expect(first).toBeLessThan(160);
    expect(r.planted[first]!.reason).toMatch(
      /^error drift: CUSUM on signed error\/σ \(realised below forecast\)/,
    );
    // The same stream without the CUSUM (Page–Hinkley on |z| only, λ 12.5) raises no error alarm
    const phOnly = plant(
      { errorScale: 'garch', meanShift: false, pageHinkley: { delta: 0.25, lambda: 12.5 } },
      -0.5,
      11,
    );
    // (its standardised PSI does see the location shift, ≈ 250 rows in, once the window has filled)
    expect(phOnly.all.some((s) => s.errorAlarm)).toBe(false);
    // An upward shift alarms the other side.
    const up = plant(cusumOn, 0.5, 12);
    const firstUp = up.planted.findIndex((s) => s.errorAlarm);
    expect(firstUp).toBeGreaterThanOrEqual(0);
    expect(up.planted[firstUp]!.reason).toMatch(/realised above forecast/);
  });

  test("the monitor's own GARCH fit (no σ from the caller, the agent's path) drives the CUSUM too", () => {
    const r = plant(cusumOn, -1, 13, { ownFit: true });
    expect(r.calm.some((s) => s.halt)).toBe(false);
    const first = r.planted.findIndex((s) => s.errorAlarm);
    // A 1 σ shift: ≈ 0.75 per row, h = 25 → ≈ 35 rows (the own fit absorbs part of the shift).
    expect(first).toBeGreaterThanOrEqual(15);
    expect(first).toBeLessThan(80);
    expect(r.planted[first]!.reason).toMatch(/CUSUM .* own fit on the reference errors/);
    expect(r.planted[first]!.cusum).toBeGreaterThan(25);
  });

  test('quiet on the GARCH(1,1)-t(5) null path, with σ from the caller and from its own fit', () => {
    const path = simulateGarch(nullGarch, 5040, 20260601, { studentT: 5, initVariance: 6.168e-4 });
    const ref = path.slice(0, 2520);
    const stream = path.slice(2520);
    const statuses = walkLagged(new DriftMonitor(cusumOn), ref, stream, 21);
    expect(onsets(statuses)).toBe(0);
    expect(Math.max(...statuses.map((s) => s.cusum!))).toBeGreaterThan(1); // it does run
    const ext = plant(cusumOn, 0, 14, { planted: 2420 }); // caller's σ, no change at all for 2520 rows
    expect(onsets(ext.all)).toBe(0);
  });

  test("re-arming a latched monitor restarts the CUSUM ('restart'); 'carry' keeps the evidence gathered while halted", () => {
    const run = (afterAlarm: 'restart' | 'carry') =>
      plant({ ...cusumOn, afterAlarm }, -1.5, 15, { planted: 120 });
    const restart = run('restart');
    const carry = run('carry');
    const first = restart.planted.findIndex((s) => s.errorAlarm);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(carry.planted.findIndex((s) => s.errorAlarm)).toBe(first);
    // The first re-arm after the alarm.
    const rearm = restart.planted.findIndex((s, i) => i > first && s.rearm);
    const gathered = restart.planted[rearm - 1]!.cusum!;
    expect(gathered).toBeGreaterThan(3); // evidence piled up while halted
    expect(restart.planted[rearm]!.cusum!).toBeLessThan(3); // one row of fresh evidence after the restart
    expect(carry.planted[rearm]!.cusum!).toBeGreaterThan(gathered);
    // With 'restart' the next alarm needs h = 25 of evidence gathered after the re-arm (≈ 1.25 per row).
    const next = (ss: DriftStatus[]) => ss.findIndex((s, i) => i >= rearm && s.errorAlarm) - rearm;
    expect(next(restart.planted)).toBeGreaterThanOrEqual(12);
    expect(next(carry.planted)).toBeLessThan(next(restart.planted));
  });

  test('options: the CUSUM is off by default, needs the garch scale and valid parameters', () => {
    const e = normals(81, 300, 0.02);
    const plain = new DriftMonitor({ errorScale: 'garch' });
    plain.setReference(
      e.map((x) => [x, 0]),
      e,
    );
    expect(plain.update([0, 0], 0.01).cusum).toBe(DEFAULT_GARCH_MEAN_SHIFT ? 0 : undefined);
    expect(() => new DriftMonitor({ meanShift: DEFAULT_MEAN_SHIFT_CUSUM })).toThrow(
      /needs errorScale 'garch'/,
    );
    expect(() => new DriftMonitor({ errorScale: 'garch', meanShift: { k: 0.25, h: 0 } })).toThrow(
      /meanShift needs k ≥ 0, h > 0/,
    );
  });
});

describe("DriftMonitor: confirmation rule ('garch' + confirm, rationale 10)", () => {
  /** Confirmation only (leg G, Page–Hinkley on |z|, switched off) with the given CUSUM h. */
  const confirmOnly = (h: number, window = 42): DriftMonitorOptions => ({
    errorScale: 'garch',
    pageHinkley: { delta: 0.25, lambda: 1e9 },
    confirm: { trailing: { delta: 0.25, lambda: 15 }, cusum: { k: 0.25, h, clip: 3 }, window },
  });

  /**
   * A calm GARCH(1,1)-t(5) stream whose errors after row `calm` become σ·(scale·z + shift), σ the
   * generator's own conditional σ (the risk model adapting to the planted errors), refitted every
   * 21 rows on a rolling 2520-row reference with the caller's σ.
   */
  const plant = (options: DriftMonitorOptions, scale: number, shift: number, seed: number, planted = 200) => {
    const g = { omega: 4e-6, alpha: 0.08, beta: 0.9, mu: 0 };
    const calm = 100;
    const z = tDraws(seed, 2520 + calm + planted);
    let v = g.omega / (1 - g.alpha - g.beta);
    const errors: number[] = [];
    const vols: number[] = [];
    z.forEach((zt, t) => {
      const s = Math.sqrt(v);
      const e = t >= 2520 + calm ? s * (scale * zt + shift) : s * zt;
      errors.push(e);
      vols.push(s);
      v = g.omega + g.alpha * e * e + g.beta * v;
    });
    const mon = new DriftMonitor(options);
    const out: DriftStatus[] = [];
    for (let t = 2520; t < errors.length; t++) {
      if ((t - 2520) % 21 === 0) {
        const from = t - 2520;
        const ref = errors.slice(from, t);
        mon.setReference(
          ref.map((_, k) => [from + k > 0 ? errors[from + k - 1]! : 0, 0]),
          ref,
          vols.slice(from, t),
        );
      }
      out.push(mon.update([errors[t - 1]!, 0], errors[t], vols[t]));
    }
    return { calm: out.slice(0, calm), planted: out.slice(calm) };
  };

  test('halts "confirmed" on a planted break (error level ×2 and a −1 σ bias) once both legs alarm', () => {
    const r = plant(confirmOnly(16), 2, -1, 21);
    expect(r.calm.some((s) => s.halt || s.warning)).toBe(false);
    const first = r.planted.findIndex((s) => s.errorAlarm);
    expect(first).toBeGreaterThanOrEqual(5);
    expect(first).toBeLessThan(60);
    expect(r.planted[first]!.reason).toMatch(
      /^error drift: confirmed: trailing-scale Page–Hinkley alarm .* signed CUSUM on error\/σ \(realised below forecast/,
    );
    // Before the confirming alarm one leg had alarmed alone: a warning, no halt.
    expect(r.planted.slice(0, first).some((s) => s.warning !== undefined && !s.halt)).toBe(true);
  });

  test('a bias without a change of error level only warns (the standalone CUSUM would halt)', () => {
    const lone = plant(confirmOnly(16), 1, -0.4, 22, 300);
    expect(lone.planted.some((s) => s.errorAlarm)).toBe(false); // (its standardised PSI sees the location shift once the 250-row window fills)
    expect(
      lone.planted.some((s) => /signed CUSUM alarm \(realised below forecast\)/.test(s.warning ?? '')),
    ).toBe(true);
    const standalone = plant(
      { errorScale: 'garch', pageHinkley: { delta: 0.25, lambda: 1e9 }, meanShift: { k: 0.25, h: 16 } },
      1,
      -0.4,
      22,
      300,
    );
    expect(standalone.planted.some((s) => s.errorAlarm)).toBe(true);
  });

  test('quiet on the GARCH(1,1)-t(5) null path on which the trailing detector fires alone (warnings only)', () => {
    const path = simulateGarch(nullGarch, 5040, 20260601, { studentT: 5, initVariance: 6.168e-4 });
    const ref = path.slice(0, 2520);
    const stream = path.slice(2520);
    const trailing = onsets(walkLagged(new DriftMonitor({ referenceThreshold: false }), ref, stream, 21));
    const st = walkLagged(
      new DriftMonitor({ errorScale: 'garch', confirm: { ...DEFAULT_CONFIRM } }),
      ref,
      stream,
      21,
    );
    expect(trailing).toBeGreaterThanOrEqual(3);
    expect(onsets(st)).toBe(0);
    expect(st.some((s) => /trailing-scale Page–Hinkley alarm/.test(s.warning ?? ''))).toBe(true);
  });

  test('options: off by default, needs the garch scale, excludes meanShift, validates parameters', () => {
    const e = normals(82, 300, 0.02);
    const plain = new DriftMonitor({ errorScale: 'garch' });
    plain.setReference(
      e.map((x) => [x, 0]),
      e,
    );
    expect('warning' in plain.update([0, 0], 0.01)).toBe(DEFAULT_GARCH_CONFIRM !== false);
    expect(() => new DriftMonitor({ confirm: DEFAULT_CONFIRM })).toThrow(
      /confirm \(rationale 10\) needs errorScale 'garch'/,
    );
    expect(
      () =>
        new DriftMonitor({
          errorScale: 'garch',
          confirm: DEFAULT_CONFIRM,
          meanShift: DEFAULT_MEAN_SHIFT_CUSUM,
        }),
    ).toThrow(/confirm and meanShift both set/);
    expect(() => new DriftMonitor({ ...confirmOnly(16, 4.5) })).toThrow(/integer window/);
    const on = new DriftMonitor({ errorScale: 'garch', confirm: DEFAULT_CONFIRM });
    on.setReference(
      e.map((x) => [x, 0]),
      e,
    );
    expect(on.update([0, 0], 0.01)).toMatchObject({ warning: undefined, halt: false });
  });
});

describe('OutlierGate: hold a flagged round, feed it when the next round confirms, drop it when it reverts', () => {
  const calm = Array.from({ length: 60 }, (_, k) => 0.01 * Math.sin(k));
  test('normal rounds are fed at once; a flagged one is held and fed nothing', () => {
    const g = new OutlierGate<string>();
    expect(g.step(0.005, calm, 'a')).toMatchObject({ action: 'act', feed: ['a'] });
    const held = g.step(0.4, calm, 'jump');
    expect(held.action).toBe('hold');
    expect(held.feed).toEqual([]);
    expect(held.flag.flagged).toBe(true);
    expect(g.holding).toBe(true);
  });
  test('confirmed when the next round keeps at least half the jump: both fed, in order', () => {
    const g = new OutlierGate<string>();
    g.step(0.4, calm, 'jump');
    // Keeps 0.4 − 0.2 = 0.2 = exactly half: confirmed.
    const next = g.step(-0.2, calm, 'next');
    expect(next).toMatchObject({ action: 'act', feed: ['jump', 'next'] });
    expect(next.flag.flagged).toBe(false);
    expect(g.holding).toBe(false);
  });
  test('reverted by more than half: both discarded, the reverting round flagged too', () => {
    const g = new OutlierGate<string>();
    g.step(-0.4, calm, 'drop');
    const next = g.step(0.2001, calm, 'back');
    expect(next.action).toBe('reject');
    expect(next.feed).toEqual([]);
    expect(next.flag.flagged).toBe(true);
    expect(next.held?.value).toBe(-0.4);
    expect(g.step(0.005, calm, 'c')).toMatchObject({ action: 'act', feed: ['c'] });
  });
});
