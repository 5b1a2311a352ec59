import { describe, expect, test } from 'vitest';
import { mulberry32, normalSource } from '../forecast/prng.js';
import { DriftMonitor } from './driftMonitor.js';
import { OutlierGate } from './outlier.js';
import {
  countReferenceOnsets,
  DEFAULT_REFERENCE_THRESHOLD,
  referenceFeedOrder,
  type TrailingDetector,
  thresholdFromReference,
} from './referenceThreshold.js';

const normals = (seed: number, n: number, sd = 1) => {
  const z = normalSource(mulberry32(seed));
  return Array.from({ length: n }, () => sd * z());
};

/** A decade of daily errors (sd 2 %) with `bursts` 60-row episodes at three times the level, evenly spaced. */
const decade = (seed: number, bursts: number) => {
  const e = normals(seed, 2520, 0.02);
  for (let b = 0; b < bursts; b++) {
    const start = 300 + Math.floor((b * 2100) / Math.max(1, bursts));
    for (let k = start; k < start + 60; k++) e[k] = e[k]! * 3;
  }
  return e;
};

const detector: TrailingDetector = {
  delta: 0.25,
  alpha: 1 - 2 ** (-1 / 126),
  burnIn: 126,
  referenceMean: Math.sqrt(2 / Math.PI),
  outlierThreshold: 10,
};

const onsets = (errors: number[], lambda: number, d: TrailingDetector = detector) =>
  countReferenceOnsets(errors, referenceFeedOrder(errors, d.outlierThreshold), d, lambda, 21);

describe('λ from the reference (rationale 11)', () => {
  test('a calm decade keeps the floor: the fixed λ already starts no more than 2 halts on it', () => {
    const r = thresholdFromReference(decade(1, 0), detector);
    expect(r.basis).toBe('floor');
    expect(r.lambda).toBe(DEFAULT_REFERENCE_THRESHOLD.floor);
    expect(r.budget).toBe(2);
    expect(r.onsets).toBeLessThanOrEqual(2);
  });

  test('a decade with five bursts raises λ to the smallest value that starts at most two halts on it', () => {
    const e = decade(2, 5);
    expect(onsets(e, 15)).toBeGreaterThan(2);
    const r = thresholdFromReference(e, detector);
    expect(r.basis).toBe('calibrated');
    expect(r.lambda).toBeGreaterThan(15);
    expect(r.onsets).toBeLessThanOrEqual(2);
    expect(onsets(e, r.lambda)).toBe(r.onsets);
    // Minimal: a hair lower and the budget is broken.
    expect(onsets(e, r.lambda - 1e-6)).toBeGreaterThan(2);
  });

  test('the budget scales with the reference length, and a short reference keeps the floor', () => {
    const e = decade(3, 5);
    expect(thresholdFromReference(e.slice(0, 1259), detector)).toMatchObject({
      basis: 'short',
      lambda: 15,
      budget: 0,
    });
    expect(thresholdFromReference(e.slice(0, 1260), detector).budget).toBe(1);
    expect(
      thresholdFromReference(e, detector, { ...DEFAULT_REFERENCE_THRESHOLD, alarmsPerDecade: 4 }).budget,
    ).toBe(4);
    // Non-finite errors are dropped before counting rows.
    const holes = [...e];
    for (let k = 0; k < 1300; k++) holes[k] = Number.NaN;
    expect(thresholdFromReference(holes, detector)).toMatchObject({ basis: 'short', rows: 1220 });
  });

  test('a reference that alarms even at the ceiling gets the ceiling, and says so', () => {
    const e = decade(4, 0);
    for (let k = 500; k < 2520; k += 40) for (let j = 0; j < 20; j++) e[k + j] = 0.5 * (j % 2 ? 1 : 0.9);
    const r = thresholdFromReference(e, detector, { ...DEFAULT_REFERENCE_THRESHOLD, ceiling: 30 });
    expect(r).toMatchObject({ basis: 'ceiling', lambda: 30 });
    expect(r.onsets).toBeGreaterThan(r.budget);
  });

  test('a single glitch that reverts is gated out as the live monitor gates it, so it does not spend the budget', () => {
    const e = decade(5, 0);
    const glitched = [...e];
    glitched[1500] = 0.6; // +60 % on a 2 % scale, undone the next day
    glitched[1501] = -0.6;
    const ungated = { ...detector, outlierThreshold: Number.POSITIVE_INFINITY };
    expect(onsets(glitched, 15)).toBe(onsets(e, 15));
    // Without the gate the same glitch alarms on its own: the gate is what keeps it out.
    expect(onsets(glitched, 15, ungated)).toBe(onsets(e, 15, ungated) + 1);
    const order = referenceFeedOrder(glitched, 10);
    expect(order.fed).not.toContain(1500);
    expect(order.fed).not.toContain(1501);
    expect(order.fed).toHaveLength(2518);
  });

  test("the feed order is the live gate's, each error judged against the 60 before it", () => {
    const e = decade(9, 3);
    e[700] = 0.5;
    e[701] = -0.45; // reverted
    e[1800] = -0.4;
    e[1801] = -0.05; // confirmed
    const gate = new OutlierGate<number>(10);
    const fed: number[] = [];
    const at: number[] = [];
    e.forEach((v, k) => {
      for (const j of k >= 60 ? gate.step(v, e.slice(k - 60, k), k).feed : [k]) {
        fed.push(j);
        at.push(k);
      }
    });
    expect(referenceFeedOrder(e, 10)).toEqual({ fed, at });
    expect(fed).toHaveLength(2518);
  });

  test('a sustained jump is confirmed by the next error and fed, in order', () => {
    const e = decade(6, 0);
    e[1500] = 0.6;
    e[1501] = 0.1; // the level stays up: confirmed
    const order = referenceFeedOrder(e, 10);
    const at = order.fed.indexOf(1500);
    expect(order.fed.slice(at, at + 2)).toEqual([1500, 1501]);
    expect(order.at.slice(at, at + 2)).toEqual([1501, 1501]);
  });

  test('a latched alarm restarts the statistic after 21 rows, so one long episode can count more than once', () => {
    const e = decade(7, 0);
    for (let k = 1000; k < 1200; k++) e[k] = e[k]! * 4;
    const once = countReferenceOnsets(e, referenceFeedOrder(e, 10), detector, 15, 10_000);
    const rearmed = countReferenceOnsets(e, referenceFeedOrder(e, 10), detector, 15, 21);
    expect(once).toBe(1);
    expect(rearmed).toBeGreaterThan(1);
    // With afterAlarm 'carry' the re-armed statistic keeps the episode's evidence, as the live monitor does.
    const carried = countReferenceOnsets(
      e,
      referenceFeedOrder(e, 10),
      { ...detector, afterAlarm: 'carry' },
      15,
      21,
    );
    expect(carried).toBeGreaterThan(rearmed);
  });
});

describe('DriftMonitor with referenceThreshold', () => {
  const X = (n: number) => Array.from({ length: n }, (_, k) => [Math.sin(k)]);

  test('each setReference sets λ from that reference, and an alarm names it', () => {
    const m = new DriftMonitor({ referenceThreshold: DEFAULT_REFERENCE_THRESHOLD, psiFeatures: [] });
    expect(m.errorThreshold).toBe(15);
    const bursty = decade(2, 5);
    m.setReference(X(2520), bursty);
    const first = m.referenceCalibration!;
    expect(first.basis).toBe('calibrated');
    expect(m.errorThreshold).toBe(first.lambda);
    expect(first.lambda).toBeGreaterThan(15);
    m.setReference(X(2520), decade(1, 0));
    expect(m.referenceCalibration!.basis).toBe('floor');
    expect(m.errorThreshold).toBe(15);
    m.setReference(X(2520), bursty);
    const big = normals(8, 100, 0.2);
    const reason = big.map((e) => m.update([0], e).reason).find((r) => r !== undefined);
    expect(reason).toMatch(
      new RegExp(`> λ ${first.lambda.toFixed(2)} \\(from the reference, rationale 11\\)`),
    );
    // A short reference (a resume on recent rows) keeps the floor, and the alarm says why.
    m.setReference(X(300), bursty.slice(0, 300));
    const short = big.map((e) => m.update([0], e).reason).find((r) => r !== undefined);
    expect(short).toMatch(
      /> λ 15\.00 \(the floor: the reference has 300 errors, under the 1260 needed to set λ from it, rationale 11\)/,
    );
  });

  test('the default (since rationale 11 met its rule), and off λ stays fixed whatever the reference', () => {
    const on = new DriftMonitor({ psiFeatures: [] });
    on.setReference(X(2520), decade(2, 5));
    expect(on.referenceCalibration?.basis).toBe('calibrated');
    const m = new DriftMonitor({ psiFeatures: [], referenceThreshold: false });
    m.setReference(X(2520), decade(2, 5));
    expect(m.errorThreshold).toBe(15);
    expect(m.referenceCalibration).toBeUndefined();
  });

  test('a new λ below the evidence already carried restarts it instead of halting on the next row', () => {
    const m = new DriftMonitor({ psiFeatures: [] });
    m.setReference(X(2520), decade(2, 5));
    const high = m.errorThreshold;
    expect(high).toBeGreaterThan(20);
    // Errors a little above the reference level until the statistic is between 15 and λ (no alarm).
    let statistic = 0;
    for (let k = 0; k < 400 && statistic <= 17; k++) {
      const s = m.update([0], 0.04 * (k % 2 ? 1 : -1));
      expect(s.halt).toBe(false);
      statistic = s.pageHinkley;
    }
    expect(statistic).toBeGreaterThan(15);
    expect(statistic).toBeLessThan(high);
    // A resume's short reference: λ drops to the floor, and the old evidence does not halt a quiet row.
    m.setReference(X(250), decade(3, 0).slice(0, 250));
    expect(m.errorThreshold).toBe(15);
    const next = m.update([0], 0);
    expect(next.halt).toBe(false);
    expect(next.pageHinkley).toBeLessThan(1);
  });

  test('refuses settings it cannot honour, naming the fix', () => {
    expect(
      () => new DriftMonitor({ errorScale: 'garch', referenceThreshold: DEFAULT_REFERENCE_THRESHOLD }),
    ).toThrow(/errorScale: 'trailing' or drop referenceThreshold/);
    expect(
      () => new DriftMonitor({ referenceThreshold: { ...DEFAULT_REFERENCE_THRESHOLD, ceiling: 10 } }),
    ).toThrow(/0 < floor < ceiling/);
    expect(
      () =>
        new DriftMonitor({
          referenceThreshold: { ...DEFAULT_REFERENCE_THRESHOLD, ceiling: Number.POSITIVE_INFINITY },
        }),
    ).toThrow(/ceiling \(finite\)/);
    expect(
      () => new DriftMonitor({ referenceThreshold: { ...DEFAULT_REFERENCE_THRESHOLD, rearmRows: 0 } }),
    ).toThrow(/integer rearmRows ≥ 1/);
  });
});
