/**
 * Progress of `provenant zk setup` for a circuit with no committed keys (minutes to tens of minutes):
 * recognises the steps from the messages setup and snarkjs log, and formats one line
 * `zk setup: step 3 of 7 (powers of tau: contribute), elapsed 2m05s, ETA 40s` — the ETA only when the
 * current message carries a count (`… 120/512`), since the steps' durations differ by orders of magnitude.
 */

export type SetupStep = { key: string; label: string; starts: RegExp };

/** The steps in order, each with the first message that shows it has started. */
export const SETUP_STEPS: readonly SetupStep[] = [
  { key: 'compile', label: 'compile the circuit', starts: /^compiling |^using the committed r1cs/ },
  { key: 'ptau-new', label: 'powers of tau: new accumulator', starts: /^powers of tau 2\^/ },
  { key: 'ptau-contribute', label: 'powers of tau: contribute', starts: /First Contribution Hash/ },
  {
    key: 'ptau-prepare',
    label: 'powers of tau: prepare phase 2 (the slow step)',
    starts: /Contribution Response Hash/,
  },
  { key: 'zkey-new', label: 'Groth16 phase 2: new proving key', starts: /^Groth16 phase 2 for/ },
  { key: 'zkey-contribute', label: 'Groth16 phase 2: contribute', starts: /Circuit hash:/ },
  {
    key: 'vkey',
    label: 'export the verification key',
    starts: /(^|\n)Contribution Hash:|EXPORT VERIFICATION KEY STARTED/,
  },
];

/** `1h02m`, `2m05s`, `7s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

export type SetupProgressState = {
  /** 1-based number of the current step among the steps that run; 0 before the first. */
  step: number;
  total: number;
  label: string;
  elapsedMs: number;
  /** Remaining time of the current step, when its messages carry a count. */
  etaMs: number | undefined;
};

/** Formats the state as one line for the progress line on stderr. */
export function formatSetupProgress(s: SetupProgressState): string {
  const where = s.step === 0 ? 'starting' : `step ${s.step} of ${s.total} (${s.label})`;
  const eta = s.etaMs === undefined ? '' : `, ETA ${formatDuration(s.etaMs)} for this step`;
  return `zk setup: ${where}, elapsed ${formatDuration(s.elapsedMs)}${eta}`;
}

/**
 * Follows setup's messages. `withPtau`: a ptau file was given, so the devnet powers-of-tau steps do not
 * run. A message naming committed keys (`using the committed zkey`) means nothing more runs.
 */
export function createSetupProgress(options: { withPtau?: boolean; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const steps = SETUP_STEPS.filter((s) => !(options.withPtau && s.key.startsWith('ptau-')));
  const started = now();
  let index = -1;
  let stepStarted = started;
  let total = steps.length;
  let etaMs: number | undefined;
  const state = (): SetupProgressState => ({
    step: index + 1,
    total,
    label: steps[index]?.label ?? '',
    elapsedMs: now() - started,
    etaMs,
  });
  return {
    /** Feeds one log message; returns true when it started a new step. */
    observe(message: string): boolean {
      if (/^using the committed zkey/.test(message)) {
        total = Math.max(index + 1, 1);
        return false;
      }
      const next = steps.findIndex((s, i) => i > index && s.starts.test(message));
      if (next > index) {
        index = next;
        stepStarted = now();
        etaMs = undefined;
        return true;
      }
      const count = /(\d+)\s*\/\s*(\d+)\s*$/.exec(message);
      if (count && index >= 0) {
        const done = Number(count[1]);
        const of = Number(count[2]);
        const spent = now() - stepStarted;
        etaMs = done > 0 && of >= done ? (spent / done) * (of - done) : undefined;
      }
      return false;
    },
    state,
    line: () => formatSetupProgress(state()),
  };
}
