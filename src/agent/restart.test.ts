import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DriftMonitor, datasetAnswers } from '../models/index.js';
import type { FeedRound } from '../oracle/index.js';
import { type Journal, openJournal } from './journal/index.js';
import {
  decisionPayload,
  type Inference,
  type InferState,
  infer,
  type Observation,
  restoreInferState,
} from './market.js';
import { trainAgentForecaster } from './models.js';

// Issue 6, "a killed process loses nothing": the agent's ridge forecaster (trained before 2019) on real
// WTI closes through March–April 2020, one oracle round a day. The outlier rule holds the real rounds of
// 2020-03-09 (confirmed by 03-10), 2020-03-18 (reverted by 03-19), 2020-03-20 (reverted by 03-23),
// 2020-03-31 (confirmed by 04-01) and 2020-04-21 (reverted by 04-22).
const stateDir = mkdtempSync(join(tmpdir(), 'provenant-restart-'));
const forecaster = trainAgentForecaster({ kind: 'ridge', trainEnd: '2018-12-31', stateDir });
const MODEL_ID = `0x${'ab'.repeat(32)}` as const;
const HISTORY = 90;
const { dates, answers } = datasetAnswers('wti-daily');
const first = dates.indexOf('2020-01-02');
const last = dates.indexOf('2020-04-24');
const rounds: FeedRound[] = answers.slice(first - HISTORY, last + 1).map((answer, i) => ({
  roundId: 1n + BigInt(i),
  answer,
  startedAt: 0n,
  updatedAt: 0n,
  answeredInRound: 1n + BigInt(i),
}));
const roundDates = dates.slice(first - HISTORY, last + 1);
const epochOf = (date: string) => roundDates.indexOf(date);
const EPOCHS = Array.from({ length: rounds.length - HISTORY }, (_, k) => HISTORY + k);

const observationAt = (e: number): Observation => ({
  blockNumber: BigInt(e),
  now: 0n,
  date: roundDates[e]!,
  wti: rounds.slice(e - HISTORY + 1, e + 1),
  decimals: 8,
  feeds: { WTI: '0x0000000000000000000000000000000000000001' },
});

function freshState(): InferState {
  const monitor = new DriftMonitor();
  monitor.setReference(forecaster.reference.X, forecaster.reference.errors);
  return { monitor, lastForecast: undefined };
}

/** One agent epoch's infer + journal step (what `runEpoch` does between observe and decide). */
function epoch(journal: Journal, state: InferState, e: number): Inference {
  const observation = observationAt(e);
  const inference = infer(observation, forecaster.model, state);
  journal.append({
    kind: 'decision',
    epoch: e,
    payload: decisionPayload(observation, inference, state, MODEL_ID),
  });
  return inference;
}

let clock = 0;
const open = (path: string) => openJournal(path, { now: () => ++clock });
const decisions = (journal: Journal) => journal.entries({ kind: 'decision' }).map((x) => x.payload);

/** The uninterrupted run: one process, one journal. */
function uninterrupted(): { inferences: Inference[]; decisions: unknown[] } {
  const journal = open(join(mkdtempSync(join(stateDir, 'run-')), 'journal.sqlite'));
  const state = freshState();
  const inferences = EPOCHS.map((e) => epoch(journal, state, e));
  const out = { inferences, decisions: decisions(journal) };
  journal.close();
  return out;
}

/**
 * Killed right after epoch `crashAfter` was journalled: the in-memory state is dropped, the journal
 * reopened from disk and the state rebuilt by `restoreInferState` (what `createAgent` does on start);
 * with `rerun` the restarted agent first runs the crashed epoch again (same round, e.g. the epoch
 * counter was not saved before the kill).
 */
function crashed(
  crashAfter: number,
  options: { restore?: boolean; rerun?: boolean } = {},
): { inferences: Inference[]; decisions: unknown[] } {
  const path = join(mkdtempSync(join(stateDir, 'crash-')), 'journal.sqlite');
  let journal = open(path);
  let state = freshState();
  const inferences: Inference[] = [];
  for (const e of EPOCHS.filter((x) => x <= crashAfter)) inferences.push(epoch(journal, state, e));
  journal.close();
  journal = open(path);
  state = freshState();
  if (options.restore !== false) restoreInferState(journal, state);
  else
    for (const entry of journal.entries({ kind: 'decision' })) {
      // The replay before the held round was journalled: monitor and last forecast only.
      const p = entry.payload as {
        fed: { features: number[]; error: number | null }[];
        forecast: { mean: number };
      };
      for (const x of p.fed) state.monitor.update(x.features, x.error ?? undefined);
      state.lastForecast = p.forecast.mean;
    }
  if (options.rerun) {
    // The re-run epoch journals its decision again (as `runEpoch` does); then the process is killed again.
    expect(epoch(journal, state, crashAfter)).toEqual(inferences.at(-1));
    journal.close();
    journal = open(path);
    state = freshState();
    restoreInferState(journal, state);
  }
  for (const e of EPOCHS.filter((x) => x > crashAfter)) inferences.push(epoch(journal, state, e));
  const out = { inferences, decisions: decisions(journal) };
  journal.close();
  return out;
}

describe('restart: the outlier gate survives a crash (real WTI rounds, real SQLite journal)', () => {
  const base = uninterrupted();
  const at = (date: string) => base.inferences[epochOf(date) - HISTORY]!;

  test('the real slice holds 2020-03-09, 03-18 and 04-21 and the next rounds resolve them', () => {
    expect(at('2020-03-09').outlier.flagged).toBe(true);
    expect(at('2020-03-09').fed).toEqual([]);
    expect(at('2020-03-10').outlier.flagged).toBe(false);
    expect(at('2020-03-10').fed).toHaveLength(2);
    expect(at('2020-03-19').outlier.reason).toContain('reverts the held outlier');
    expect(at('2020-04-22').outlier.reason).toContain('reverts the held outlier');
    expect(at('2020-04-22').fed).toEqual([]);
  });

  for (const date of ['2020-03-09', '2020-03-18', '2020-04-21'])
    test(`killed after the held round ${date}: decisions and fed rows equal the uninterrupted run`, () => {
      const run = crashed(epochOf(date));
      expect(run.inferences).toEqual(base.inferences);
      expect(run.decisions).toEqual(base.decisions);
    });

  // 03-09 is the held round (fed nothing), 03-10 the round that confirmed it (fed both rows).
  for (const date of ['2020-03-09', '2020-03-10'])
    test(`killed after ${date}, the same round run again, killed again: decides nothing new`, () => {
      const crash = epochOf(date);
      const run = crashed(crash, { rerun: true });
      expect(run.inferences).toEqual(base.inferences);
      // The journal has the round's decision twice (identical); the replay feeds it once.
      const k = crash - HISTORY;
      expect(run.decisions[k + 1]).toEqual(run.decisions[k]);
      expect(run.decisions.toSpliced(k + 1, 1)).toEqual(base.decisions);
    });

  test('killed after a confirmed hold (2020-03-10): restore still equals the uninterrupted run', () => {
    const run = crashed(epochOf('2020-03-10'));
    expect(run.inferences).toEqual(base.inferences);
    expect(run.decisions).toEqual(base.decisions);
  });

  test('without restoring the gate the held 2020-03-09 jump is silently dropped by 03-10', () => {
    const run = crashed(epochOf('2020-03-09'), { restore: false });
    const k = epochOf('2020-03-10') - HISTORY;
    expect(base.inferences[k]!.fed).toHaveLength(2);
    expect(run.inferences[k]!.outlier.flagged).toBe(false);
    expect(run.inferences[k]!.fed).toHaveLength(1);
    expect(run.decisions).not.toEqual(base.decisions);
  });

  test('without restoring the gate 2020-04-22 is judged afresh instead of rejecting the held 04-21', () => {
    const run = crashed(epochOf('2020-04-21'), { restore: false });
    const k = epochOf('2020-04-22') - HISTORY;
    expect(base.inferences[k]!.outlier.reason).toContain('reverts the held outlier');
    expect(run.inferences[k]!.outlier.reason ?? '').not.toContain('reverts the held outlier');
    expect(run.decisions).not.toEqual(base.decisions);
  });

  test('a journal written before `held` was recorded still loads: an empty gate, the replay as before', () => {
    const path = join(mkdtempSync(join(stateDir, 'old-')), 'journal.sqlite');
    const journal = open(path);
    const state = freshState();
    for (const e of EPOCHS.filter((x) => x <= epochOf('2020-03-09'))) {
      const observation = observationAt(e);
      const inference = infer(observation, forecaster.model, state);
      const {
        held: _held,
        realised: _realised,
        ...old
      } = decisionPayload(observation, inference, state, MODEL_ID);
      journal.append({ kind: 'decision', epoch: e, payload: old });
    }
    const restored = freshState();
    restoreInferState(journal, restored);
    expect(restored.outliers?.holding).toBe(false);
    expect(restored.lastRound).toBeUndefined();
    expect(restored.lastForecast).toBe(state.lastForecast);
    journal.close();
  });
});
