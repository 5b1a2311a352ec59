import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DriftMonitor, type DriftMonitorOptions, datasetAnswers } from '../models/index.js';
import type { FeedRound } from '../oracle/index.js';
import { type Inference, type InferState, infer, type Observation } from './market.js';
import { trainAgentForecaster } from './models.js';

// The agent's ridge forecaster (trained before 2019) on real WTI closes of 2019, one oracle round a day.
const forecaster = trainAgentForecaster({
  kind: 'ridge',
  trainEnd: '2018-12-31',
  stateDir: mkdtempSync(join(tmpdir(), 'provenant-market-')),
});
const { dates, answers } = datasetAnswers('wti-daily');
const from = dates.indexOf('2019-01-02');
const real = answers.slice(from, from + 160);

function run(edit: (answers: bigint[]) => bigint[], drift?: DriftMonitorOptions): Inference[] {
  const monitor = new DriftMonitor(drift);
  monitor.setReference(forecaster.reference.X, forecaster.reference.errors);
  const state: InferState = { monitor, lastForecast: undefined };
  const series = edit([...real]);
  const rounds: FeedRound[] = series.map((answer, i) => ({
    roundId: 1n + BigInt(i),
    answer,
    startedAt: 0n,
    updatedAt: 0n,
    answeredInRound: 1n + BigInt(i),
  }));
  const out: Inference[] = [];
  for (let i = 80; i < rounds.length; i++) {
    const observation: Observation = {
      blockNumber: BigInt(i),
      now: 0n,
      date: '2019-01-01',
      wti: rounds.slice(i - 79, i + 1),
      decimals: 8,
      feeds: { WTI: '0x0000000000000000000000000000000000000001' },
    };
    out.push(infer(observation, forecaster.model, state));
    // A second epoch on the same round decides nothing new (no error fed twice, the hold not resolved by itself).
    expect(infer(observation, forecaster.model, state)).toBe(out.at(-1));
  }
  return out;
}

describe('infer: the single-round outlier rule (shared with the backtest)', () => {
  const J = 120; // the round index of the planted jump (40 inferences in)
  const k = J - 80;
  const clean = run((a) => a);

  test('a +50 % round that comes back is flagged twice, feeds nothing, and does not halt', () => {
    const glitch = run((a) => a.map((v, i) => (i === J ? (v * 3n) / 2n : v)));
    expect(clean.every((x) => !x.drift.halt)).toBe(true);
    expect(glitch[k]!.outlier.flagged).toBe(true);
    expect(glitch[k + 1]!.outlier.flagged).toBe(true);
    expect(glitch[k + 1]!.outlier.reason).toContain('reverts the held outlier');
    expect(glitch[k]!.fed).toEqual([]);
    expect(glitch[k + 1]!.fed).toEqual([]);
    for (const x of glitch) expect(x.drift.halt).toBe(false);
    // Before the jump the two runs are the same (the flag is what makes the agent skip the round).
    expect(glitch.slice(0, k).map((x) => x.drift)).toEqual(clean.slice(0, k).map((x) => x.drift));
  });

  test('a sustained +50 % jump is confirmed by the next round, both errors fed in order, and alarms', () => {
    // λ fixed at 15: one confirmed jump's error (≈ 20 error scales) alarms alone. The default λ, set from
    // this forecaster's 2009–2018 reference (rationale 11), is higher, so a lone level shift feeds the
    // same errors without halting (a deviant-oracle limit catches such a jump in the agent).
    const edit = (a: bigint[]) => a.map((v, i) => (i >= J ? (v * 3n) / 2n : v));
    const jump = run(edit, { referenceThreshold: false });
    const byDefault = run(edit);
    expect(byDefault.map((x) => x.fed)).toEqual(jump.map((x) => x.fed));
    expect(jump[k]!.outlier.flagged).toBe(true);
    expect(jump[k]!.drift.halt).toBe(false);
    expect(jump[k + 1]!.outlier.flagged).toBe(false);
    expect(jump[k + 1]!.fed.map((f) => f.error)).toEqual([
      jump[k]!.previousError,
      jump[k + 1]!.previousError,
    ]);
    expect(jump[k + 1]!.drift.errorAlarm).toBe(true);
    expect(jump[k + 1]!.drift.halt).toBe(true);
    // The report's drift chart reads the peak over both rows fed: at least the alarm's λ (15), while the
    // last row's own statistic may have restarted after the alarm.
    expect(jump[k + 1]!.driftPeak.pageHinkley).toBeGreaterThan(15);
    expect(jump[k + 1]!.driftPeak.pageHinkley).toBeGreaterThanOrEqual(jump[k + 1]!.drift.pageHinkley);
    // A held round feeds nothing: the monitor's statistics carry over (the chart does not dip to 0).
    expect(jump[k]!.driftPeak).toEqual({
      pageHinkley: jump[k - 1]!.drift.pageHinkley,
      psi: jump[k - 1]!.drift.psi,
    });
  });
});
