import { DEFAULT_PAGE_HINKLEY, DEFAULT_PSI_THRESHOLD } from '../models/index.js';
import type { Journal } from './journal/index.js';

/** What the agent did, computed from the journal alone (so a resumed run reports the whole history). */
export type AgentSummary = {
  epochs: number;
  firstDate: string | undefined;
  lastDate: string | undefined;
  artMinted: number;
  artEvolved: number;
  synthMinted: number;
  synthBurned: number;
  feeChanges: number;
  refusalsByRule: Record<string, number>;
  refusalExamples: string[];
  halts: { epoch: number; date: string | undefined; reason: string }[];
  gasUsed: bigint;
  transactions: number;
  forecast: { n: number; mseModel: number; mseRandomWalk: number; ratio: number };
  series: {
    dates: string[];
    price: number[];
    forecast: number[];
    position: number[];
    fee: (number | undefined)[];
    mintedPerEpoch: number[];
    halted: boolean[];
    /**
     * The drift monitor's statistics after each decision, as a fraction of their alarm threshold (1 = the
     * halt line): Page–Hinkley on forecast errors / the λ in force (recorded with each decision; an
     * older journal's decisions fall back to `DEFAULT_PAGE_HINKLEY`), PSI of the inputs / its threshold
     * (`DEFAULT_PSI_THRESHOLD`). NaN where a decision recorded none (an older journal).
     */
    driftErrors: number[];
    driftInputs: number[];
  };
};

type DecisionPayload = {
  date?: string;
  round?: string;
  price?: number;
  forecast?: { mean: number };
  previousError?: number | null;
  rebaseline?: boolean;
  drift?: { pageHinkley?: number; psi?: number; lambda?: number };
  driftPeak?: { pageHinkley?: number; psi?: number };
};
type IntentPayload = { decision?: { amount?: string; to?: number } };

export function summarizeJournal(journal: Journal): AgentSummary {
  const refusalsByRule: Record<string, number> = {};
  const refusalExamples: string[] = [];
  for (const e of journal.entries({ kind: 'preflight' })) {
    const p = e.payload as { ok: boolean; rule?: string; sentence?: string };
    if (p.ok) continue;
    refusalsByRule[p.rule ?? 'contract'] = (refusalsByRule[p.rule ?? 'contract'] ?? 0) + 1;
    if (p.sentence && refusalExamples.length < 3) refusalExamples.push(p.sentence);
  }
  for (const e of journal.entries({ kind: 'note' })) {
    const p = e.payload as { refusedOnChain?: boolean; rule?: string; sentence?: string };
    if (!p.refusedOnChain) continue;
    const rule = `${p.rule ?? 'contract'} (on-chain)`;
    refusalsByRule[rule] = (refusalsByRule[rule] ?? 0) + 1;
    if (p.sentence && refusalExamples.length < 3) refusalExamples.push(p.sentence);
  }
  const dateOfEpoch = new Map<number, string>();
  for (const e of journal.entries({ kind: 'decision' })) {
    const date = (e.payload as DecisionPayload).date;
    if (date) dateOfEpoch.set(e.epoch, date);
  }
  const halts = journal.entries({ kind: 'halt' }).map((e) => ({
    epoch: e.epoch,
    date: dateOfEpoch.get(e.epoch) ?? (e.payload as { details?: { date?: string } }).details?.date,
    reason: String((e.payload as { reason: string }).reason),
  }));
  let gasUsed = 0n;
  let transactions = 0;
  for (const e of journal.entries({ kind: 'receipt' })) {
    const p = e.payload as { status: string; gasUsed?: string | number | null };
    if (p.gasUsed !== undefined && p.gasUsed !== null) {
      gasUsed += BigInt(p.gasUsed);
      transactions++;
    }
  }
  const confirmed = journal.intents.list({ status: 'confirmed' });
  const units = (s: string | undefined) => Number(BigInt(s ?? '0') / 10n ** 12n) / 1e6;
  const byEpochMint = new Map<number, number>();
  const positionDelta = new Map<number, number>();
  const feeAt = new Map<number, number>();
  let synthMinted = 0;
  let synthBurned = 0;
  for (const row of confirmed) {
    const d = (row.payload as IntentPayload).decision ?? {};
    if (row.kind === 'synth-mint') {
      synthMinted += units(d.amount);
      byEpochMint.set(row.epoch, (byEpochMint.get(row.epoch) ?? 0) + units(d.amount));
      positionDelta.set(row.epoch, (positionDelta.get(row.epoch) ?? 0) + units(d.amount));
    } else if (row.kind === 'synth-repay') {
      synthBurned += units(d.amount);
      positionDelta.set(row.epoch, (positionDelta.get(row.epoch) ?? 0) - units(d.amount));
    } else if (row.kind === 'set-fee' && d.to !== undefined) {
      feeAt.set(row.epoch, d.to);
    }
  }
  // The timeline: every epoch the agent decided in, plus the epochs it spent halted (recorded as 'epoch').
  const decisions = [...journal.entries({ kind: 'decision' }), ...journal.entries({ kind: 'epoch' })]
    .filter((e) => !(e.payload as DecisionPayload).rebaseline && (e.payload as DecisionPayload).date)
    .sort((a, b) => a.epoch - b.epoch || a.seq - b.seq);
  const haltedEpochs = new Set<number>();
  for (const h of journal.entries({ kind: 'halt' })) haltedEpochs.add(h.epoch);
  for (const e of journal.entries({ kind: 'epoch' }))
    if ((e.payload as { halted?: string }).halted) haltedEpochs.add(e.epoch);
  const series: AgentSummary['series'] = {
    dates: [],
    price: [],
    forecast: [],
    position: [],
    fee: [],
    mintedPerEpoch: [],
    halted: [],
    driftErrors: [],
    driftInputs: [],
  };
  let position = 0;
  let fee: number | undefined = 30;
  let seModel = 0;
  let seRw = 0;
  let n = 0;
  let previousForecast: number | undefined;
  let previousRound: string | undefined;
  for (const e of decisions) {
    const p = e.payload as DecisionPayload;
    // A round decided again by a later epoch (epochs shorter than the round interval, a re-run after a
    // restart) is the same forecast on the same data: score it once.
    const repeated = p.round !== undefined && p.round === previousRound;
    if (p.round !== undefined) previousRound = p.round;
    position += positionDelta.get(e.epoch) ?? 0;
    fee = feeAt.get(e.epoch) ?? fee;
    series.dates.push(p.date!);
    series.price.push(p.price ?? Number.NaN);
    series.forecast.push(p.forecast?.mean ?? 0);
    series.position.push(position);
    series.fee.push(fee);
    series.mintedPerEpoch.push(byEpochMint.get(e.epoch) ?? 0);
    series.halted.push(haltedEpochs.has(e.epoch));
    // The peak over the rows the decision fed (the statistic restarts after an alarm), else the last row's.
    const peak = p.driftPeak ?? p.drift;
    // λ as the decision's monitor had it (set from its reference, rationale 11); older journals lack it.
    series.driftErrors.push(
      (peak?.pageHinkley ?? Number.NaN) / (p.drift?.lambda ?? DEFAULT_PAGE_HINKLEY.lambda),
    );
    series.driftInputs.push((peak?.psi ?? Number.NaN) / DEFAULT_PSI_THRESHOLD);
    if (repeated) continue;
    if (p.previousError !== undefined && p.previousError !== null && previousForecast !== undefined) {
      const realised = p.previousError + previousForecast;
      seModel += p.previousError ** 2;
      seRw += realised ** 2;
      n++;
    }
    previousForecast = p.forecast?.mean;
  }
  return {
    epochs: new Set(decisions.map((e) => e.epoch)).size,
    firstDate: series.dates[0],
    lastDate: series.dates.at(-1),
    artMinted: confirmed.filter((r) => r.kind === 'art-mint').length,
    artEvolved: confirmed.filter((r) => r.kind === 'art-evolve').length,
    synthMinted,
    synthBurned,
    feeChanges: confirmed.filter((r) => r.kind === 'set-fee').length,
    refusalsByRule,
    refusalExamples,
    halts,
    gasUsed,
    transactions,
    forecast: {
      n,
      mseModel: n ? seModel / n : Number.NaN,
      mseRandomWalk: n ? seRw / n : Number.NaN,
      ratio: n && seRw ? seModel / seRw : Number.NaN,
    },
    series,
  };
}
