import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { openJournal } from './journal/index.js';
import { writeAgentReport } from './report.js';
import { summarizeJournal } from './summary.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let clock = 0;
/** A journal holding one decision per (epoch, round): forecasts f and the error of the previous round. */
function journalOf(
  name: string,
  rows: { epoch: number; round: string; forecast: number; previousError?: number }[],
) {
  const journal = openJournal(join(dir, `${name}.sqlite`), { now: () => ++clock });
  for (const r of rows)
    journal.append({
      kind: 'decision',
      epoch: r.epoch,
      payload: {
        date: `2020-01-${String(r.epoch + 1).padStart(2, '0')}`,
        round: r.round,
        price: 60,
        forecast: { mean: r.forecast },
        previousError: r.previousError ?? null,
      },
    });
  return journal;
}

describe('summarizeJournal: model vs random walk', () => {
  test('scores each round once, also when several epochs decided it', () => {
    // Rounds 1..3, forecasts 0.01, 0.02, 0.03; realised returns 0.05 (round 2) and -0.01 (round 3).
    const once = journalOf('once', [
      { epoch: 0, round: '1', forecast: 0.01 },
      { epoch: 1, round: '2', forecast: 0.02, previousError: 0.05 - 0.01 },
      { epoch: 2, round: '3', forecast: 0.03, previousError: -0.01 - 0.02 },
    ]);
    const expected = summarizeJournal(once).forecast;
    expect(expected.n).toBe(2);
    expect(expected.mseModel).toBeCloseTo((0.04 ** 2 + 0.03 ** 2) / 2, 12);
    expect(expected.mseRandomWalk).toBeCloseTo((0.05 ** 2 + 0.01 ** 2) / 2, 12);
    // The same rounds, each decided by two epochs (the repeat journals the cached inference again).
    const twice = journalOf('twice', [
      { epoch: 0, round: '1', forecast: 0.01 },
      { epoch: 1, round: '1', forecast: 0.01 },
      { epoch: 2, round: '2', forecast: 0.02, previousError: 0.04 },
      { epoch: 3, round: '2', forecast: 0.02, previousError: 0.04 },
      { epoch: 4, round: '3', forecast: 0.03, previousError: -0.03 },
      { epoch: 5, round: '3', forecast: 0.03, previousError: -0.03 },
    ]);
    expect(summarizeJournal(twice).forecast).toEqual(expected);
    once.close();
    twice.close();
  });
});

describe('summarizeJournal: drift statistics for the report', () => {
  test('each decision gives the detectors as a fraction of their thresholds (the λ recorded, else 15; PSI 0.25); none recorded is NaN', () => {
    const journal = openJournal(join(dir, 'drift.sqlite'), { now: () => ++clock });
    type Stats = { pageHinkley: number; psi: number; lambda?: number };
    const decide = (epoch: number, drift?: Stats, driftPeak?: Stats) =>
      journal.append({
        kind: 'decision',
        epoch,
        payload: {
          date: `2020-03-0${epoch + 1}`,
          round: String(epoch + 1),
          price: 30,
          forecast: { mean: 0 },
          drift,
          driftPeak,
        },
      });
    decide(0, { pageHinkley: 3, psi: 0.05 });
    // An alarm on the first of two rows fed: the last row's statistic restarted; the peak is the alarm's.
    decide(1, { pageHinkley: 4.5, psi: 0.5 }, { pageHinkley: 30, psi: 0.5 });
    decide(2);
    // λ recorded with the decision (set from the monitor's reference, rationale 11) is the halt line.
    decide(3, { pageHinkley: 15, psi: 0.05, lambda: 30 });
    const s = summarizeJournal(journal).series;
    expect(s.driftErrors.slice(0, 2)).toEqual([0.2, 2]);
    expect(s.driftErrors[3]).toBe(0.5);
    expect(s.driftInputs.slice(0, 2)).toEqual([0.2, 2]);
    expect(s.driftErrors[2]).toBeNaN();
    expect(s.driftInputs[2]).toBeNaN();
    // The demo report draws them (drift.png, a real PNG next to the others).
    const out = join(dir, 'report-drift');
    const files = writeAgentReport(summarizeJournal(journal), out, {
      elapsedSeconds: 1,
      verify: [],
      audit: 'ok',
    });
    const drift = files.find((f) => f.endsWith('drift.png'));
    expect(drift && existsSync(drift)).toBe(true);
    expect(readFileSync(drift!).subarray(1, 4).toString()).toBe('PNG');
    expect(readFileSync(files[0]!, 'utf8')).toContain('![drift.png](drift.png)');
    journal.close();
  });
});
