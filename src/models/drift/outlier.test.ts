import { describe, expect, test } from 'vitest';
import { datasetAnswers } from '../forecast/oracleFeatures.js';
import { OutlierGate, type OutlierGateStep, type OutlierHold, robustZ, SortedWindow } from './outlier.js';

type Payload = { features: number[]; error: number | undefined };

/** Real WTI daily log returns (the oracle's 8-decimal answers), with their dates. */
const { dates, answers } = datasetAnswers('wti-daily');
const returns = answers.slice(1).map((a, i) => Math.log(Number(a) / Number(answers[i]!)));
const returnIndex = (date: string) => dates.indexOf(date) - 1;

const payloadAt = (i: number): Payload => ({
  features: [returns[i - 1]!, returns[i - 2]!, i / 7],
  error: i % 5 === 0 ? undefined : returns[i]! / 3,
});

/** Steps `gate` over rows from..to (inclusive), each against the 60 returns before it. */
function drive(gate: OutlierGate<Payload>, from: number, to: number): OutlierGateStep<Payload>[] {
  const out: OutlierGateStep<Payload>[] = [];
  for (let i = from; i <= to; i++) out.push(gate.step(returns[i]!, returns.slice(i - 60, i), payloadAt(i)));
  return out;
}

/** The snapshot through JSON, as the journal stores it (undefined error → null → undefined). */
function throughJson(hold: OutlierHold<Payload> | undefined): OutlierHold<Payload> | undefined {
  if (!hold) return undefined;
  const text = JSON.stringify({
    ...hold,
    payload: { ...hold.payload, error: hold.payload.error ?? null },
    flag: { ...hold.flag, reason: hold.flag.reason ?? null },
  });
  const back = JSON.parse(text) as {
    value: number;
    payload: { features: number[]; error: number | null };
    flag: { flagged: boolean; z: number; reason: string | null };
  };
  return {
    value: back.value,
    payload: { features: back.payload.features, error: back.payload.error ?? undefined },
    flag: { flagged: back.flag.flagged, z: back.flag.z, reason: back.flag.reason ?? undefined },
  };
}

describe('OutlierGate snapshot/restore: a restored gate resolves a hold as an uninterrupted one', () => {
  // Real WTI rounds the rule holds (robust z > 10 vs the last 60): 2020-03-09 (−28 %, confirmed by the
  // next round), 2020-03-18 (−27 %, reverted by the next round), 2020-04-21 (−72 %, reverted).
  const cases = [
    { held: '2020-03-09', next: 'act' },
    { held: '2020-03-18', next: 'reject' },
    { held: '2020-04-21', next: 'reject' },
  ] as const;

  for (const c of cases)
    test(`held ${c.held}, then the next round (${c.next}): restored == uninterrupted`, () => {
      const h = returnIndex(c.held);
      const start = h - 30;
      const end = h + 6;
      const uninterrupted = drive(new OutlierGate<Payload>(), start, end);
      expect(uninterrupted[h - start]!.action).toBe('hold');
      expect(uninterrupted[h - start + 1]!.action).toBe(c.next);

      const before = new OutlierGate<Payload>();
      const first = drive(before, start, h);
      const snapshot = before.pendingSnapshot();
      expect(snapshot?.value).toBe(returns[h]);
      const restored = OutlierGate.fromSnapshot(10, throughJson(snapshot));
      expect(restored.holding).toBe(true);
      const rest = drive(restored, h + 1, end);
      expect([...first, ...rest]).toEqual(uninterrupted);
      // Without the restore the next round is judged afresh: not what the uninterrupted run did.
      const fresh = drive(new OutlierGate<Payload>(), h + 1, end);
      expect(fresh[0]).not.toEqual(uninterrupted[h - start + 1]);
    });

  test('nothing held: the snapshot is undefined and restoring it holds nothing', () => {
    const g = new OutlierGate<Payload>();
    const h = returnIndex('2020-03-09');
    drive(g, h - 5, h - 1);
    expect(g.pendingSnapshot()).toBeUndefined();
    expect(OutlierGate.fromSnapshot<Payload>(10, undefined).holding).toBe(false);
    // restore(undefined) also clears a held round.
    drive(g, h, h);
    expect(g.holding).toBe(true);
    expect(g.restore(undefined).holding).toBe(false);
  });

  test('an undefined forecast error survives the JSON round trip as undefined; numbers are exact', () => {
    const g = new OutlierGate<Payload>();
    const hold: OutlierHold<Payload> = {
      value: -0.28140984581369327,
      payload: { features: [0.1 + 0.2, -1e-300, 123456.789012345], error: undefined },
      flag: { flagged: true, z: 18.25, reason: 'held' },
    };
    g.restore(hold);
    const back = throughJson(g.pendingSnapshot());
    expect(back).toEqual(hold);
    expect('error' in back!.payload && back!.payload.error === undefined).toBe(true);
    for (const [k, x] of back!.payload.features.entries())
      expect(Object.is(x, hold.payload.features[k])).toBe(true);
  });

  test('the snapshot is a copy: stepping the gate afterwards does not change it', () => {
    const g = new OutlierGate<Payload>();
    const h = returnIndex('2020-04-21');
    drive(g, h - 3, h);
    const snap = g.pendingSnapshot();
    drive(g, h + 1, h + 1);
    expect(g.holding).toBe(false);
    expect(snap?.value).toBe(returns[h]);
    expect(snap?.flag.flagged).toBe(true);
  });

  test('restore refuses a non-finite held value', () => {
    const g = new OutlierGate<Payload>();
    expect(() =>
      g.restore({ value: Number.NaN, payload: payloadAt(100), flag: { flagged: true, z: 11, reason: 'x' } }),
    ).toThrow(/held value is NaN/);
  });
});

describe('SortedWindow', () => {
  test('its robust z equals robustZ on the same 60 values, bit for bit, over 36 years of real WTI returns', () => {
    const window = new SortedWindow(60);
    let checked = 0;
    for (let i = 0; i < returns.length; i++) {
      const slice = returns.slice(Math.max(0, i - 60), i);
      expect(window.length).toBe(slice.length);
      const z = window.robustZ(returns[i]!);
      if (!Object.is(z, robustZ(returns[i]!, slice)))
        throw new Error(`row ${i}: ${z} vs ${robustZ(returns[i]!, slice)}`);
      checked++;
      window.push(returns[i]!);
    }
    expect(checked).toBeGreaterThan(9000);
  });

  test('ties, odd and even sizes and a zero MAD (a flat feed) agree with robustZ', () => {
    const values = [0.01, 0.01, 0.01, -0.02, 0.01, 0.03, 0.01, 0.01, -0.02, 0, 0, 0.05];
    for (const capacity of [1, 2, 3, 4, 5, 7]) {
      const window = new SortedWindow(capacity);
      values.forEach((v, i) => {
        const slice = values.slice(Math.max(0, i - capacity), i);
        for (const probe of [v, 0.01, 0.2])
          expect(Object.is(window.robustZ(probe), robustZ(probe, slice))).toBe(true);
        window.push(v);
      });
    }
    const flat = new SortedWindow(4);
    for (let k = 0; k < 4; k++) flat.push(0.02);
    expect(flat.robustZ(0.02)).toBe(0);
    expect(flat.robustZ(0.03)).toBe(Number.POSITIVE_INFINITY);
    expect(() => flat.push(Number.NaN)).toThrow(/not a finite number/);
    expect(flat.length).toBe(4);
  });

  test('a gate judging against a SortedWindow holds and resolves exactly as one given the arrays', () => {
    const a = new OutlierGate<number>();
    const b = new OutlierGate<number>();
    const window = new SortedWindow(60);
    const from = returnIndex('2019-06-03');
    const to = returnIndex('2020-06-30');
    for (let i = from - 60; i < from; i++) window.push(returns[i]!);
    for (let i = from; i <= to; i++) {
      expect(b.step(returns[i]!, window, i)).toEqual(a.step(returns[i]!, returns.slice(i - 60, i), i));
      window.push(returns[i]!);
    }
  });
});
