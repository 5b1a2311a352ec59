/**
 * Robust z-score of `value` against a recent window: |value − median| / (1.4826 · MAD).
 * 1.4826·MAD estimates σ for normal data and is not moved by the outlier itself.
 */
export function robustZ(value: number, window: number[]): number {
  if (window.length === 0) return 0;
  const s = [...window].sort((a, b) => a - b);
  const med = median(s);
  const dev = s.map((v) => Math.abs(v - med)).sort((a, b) => a - b);
  const mad = 1.4826 * median(dev);
  if (mad === 0) return value === med ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(value - med) / mad;
}

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

export type OutlierFlag = { flagged: boolean; z: number; reason: string | undefined };

/**
 * A sliding window of the last `capacity` values kept sorted, whose `robustZ` equals the function's
 * on the same values bit for bit (same median, same MAD: the deviations' median is found by merging
 * the two runs either side of the median instead of sorting them). For replays that judge every row
 * of a long series against its last 60 (rationale 11), where re-sorting each window dominated.
 */
export class SortedWindow {
  private readonly sorted: number[] = [];
  private readonly fifo: number[] = [];
  private head = 0;
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.sorted.length;
  }

  /** Appends `value` (finite), dropping the oldest value when the window is full. */
  push(value: number): void {
    // A NaN would sort nowhere and the next eviction would remove the wrong value.
    if (!Number.isFinite(value))
      throw new RangeError(
        `SortedWindow.push: ${value} is not a finite number; drop non-finite values before the window`,
      );
    if (this.sorted.length === this.capacity) {
      const old = this.fifo[this.head]!;
      this.fifo[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
      this.sorted.splice(this.indexOf(old), 1);
    } else this.fifo.push(value);
    this.sorted.splice(this.indexOf(value), 0, value);
  }

  /** `robustZ(value, window)` for the values now in the window. */
  robustZ(value: number): number {
    const s = this.sorted;
    const n = s.length;
    if (n === 0) return 0;
    const med = median(s);
    // Deviations ascend leftwards from the last value below the median and rightwards from the first
    // at or above it: merge the two runs up to the middle instead of sorting all n.
    let left = this.indexOf(med) - 1;
    let right = left + 1;
    const want = n >> 1;
    let prev = 0;
    let cur = 0;
    for (let taken = 0; taken <= want; taken++) {
      const dl = left >= 0 ? Math.abs(s[left]! - med) : Number.POSITIVE_INFINITY;
      const dr = right < n ? Math.abs(s[right]! - med) : Number.POSITIVE_INFINITY;
      prev = cur;
      if (dl <= dr) {
        cur = dl;
        left--;
      } else {
        cur = dr;
        right++;
      }
    }
    const mad = 1.4826 * (n % 2 ? cur : (prev + cur) / 2);
    if (mad === 0) return value === med ? 0 : Number.POSITIVE_INFINITY;
    return Math.abs(value - med) / mad;
  }

  /** The first index whose value is ≥ `value` (binary search). */
  private indexOf(value: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * Adversarial single-round check: an oracle round whose value (e.g. its log return) lies more than
 * `threshold` robust z-scores from the recent window is flagged, and the caller must not act on it
 * (no trade, no refit on it) until later rounds confirm the move.
 */
export function flagOutlier(value: number, window: number[] | SortedWindow, threshold = 10): OutlierFlag {
  const z = Array.isArray(window) ? robustZ(value, window) : window.robustZ(value);
  const flagged = z > threshold;
  return {
    flagged,
    z,
    reason: flagged
      ? `value ${value.toPrecision(4)} is ${z.toFixed(1)} robust z-scores from the last ${window.length} rounds (threshold ${threshold}): flagged, not acted on`
      : undefined,
  };
}

/**
 * Share of a held jump that the next round may take back while still confirming it: the move is
 * confirmed when the level one round after the jump is still at least half the jump beyond the
 * pre-jump level (`sign(j) · (j + next) ≥ |j| / 2`, in log returns), i.e. it did not revert by more
 * than half.
 */
export const OUTLIER_CONFIRM_FRACTION = 0.5;

/**
 * What to do with a round, decided by `OutlierGate.step`.
 * - 'act': feed `feed` to the drift monitor in this order and act on the round (`feed` holds the
 *   held round's payload first when the round confirmed it).
 * - 'hold': the round is flagged; nothing is fed and it is not acted on until the next round.
 * - 'reject': the round reverted the held one; both are discarded (nothing fed, not acted on).
 */
export type OutlierGateStep<T> = {
  action: 'act' | 'hold' | 'reject';
  feed: T[];
  /** The outlier flag reported for this round: flagged on 'hold' and 'reject', not on 'act'. */
  flag: OutlierFlag;
  /** On 'act' after a hold and on 'reject': the held round's value and flag. */
  held?: { value: number; flag: OutlierFlag };
};

/** A round the gate holds: its value (log return), the caller's payload and the flag it was held with. */
export type OutlierHold<T> = { value: number; payload: T; flag: OutlierFlag };

/**
 * The one rule, shared by the backtest and the agent, for "a single oracle round that jumps far
 * outside the recent distribution is flagged and not acted on" (issue #6; a correctness fix of that
 * requirement, not a tuning). A round whose value (log return) is flagged by `flagOutlier` is held:
 * nothing about it (features, forecast error, volatility update) reaches the drift monitor and no
 * position is taken on it. The next round decides:
 * - confirmed — the jump did not revert by more than half (`OUTLIER_CONFIRM_FRACTION`): the held
 *   payload and the new one are fed in order, and the new round is acted on normally;
 * - reverted — otherwise: the held payload is discarded (a rejected outlier), and so is the
 *   reverting round's, whose return is the glitch undone (feeding it would alarm on the glitch);
 *   the reverting round is not acted on either.
 * The round after a held one is never itself checked against the window: it only resolves the hold.
 */
export class OutlierGate<T> {
  private pending: OutlierHold<T> | undefined;

  constructor(private readonly threshold = 10) {}

  /**
   * A gate with this threshold holding `pending` (a `pendingSnapshot()` of an earlier gate), e.g.
   * rebuilt from a journal after a restart: its next `step` resolves the hold exactly as the earlier
   * gate's would have.
   */
  static fromSnapshot<T>(threshold: number, pending: OutlierHold<T> | undefined): OutlierGate<T> {
    return new OutlierGate<T>(threshold).restore(pending);
  }

  /** Whether a flagged round is waiting for the next one. */
  get holding(): boolean {
    return this.pending !== undefined;
  }

  /**
   * The held round (value, payload, flag), or undefined when nothing is held: what must survive a
   * restart. A copy of the gate's record (the payload itself is not copied).
   */
  pendingSnapshot(): OutlierHold<T> | undefined {
    const p = this.pending;
    return p ? { value: p.value, payload: p.payload, flag: { ...p.flag } } : undefined;
  }

  /**
   * Replaces what this gate holds with `pending` (undefined: holds nothing) and returns the gate.
   * RangeError when the held value is not a finite number (a held round is a real log return).
   */
  restore(pending: OutlierHold<T> | undefined): this {
    if (pending && !Number.isFinite(pending.value))
      throw new RangeError(
        `OutlierGate.restore: the held value is ${pending.value}, expected a finite log return; restore from an intact pendingSnapshot()`,
      );
    this.pending = pending
      ? { value: pending.value, payload: pending.payload, flag: { ...pending.flag } }
      : undefined;
    return this;
  }

  /** `window`: the recent values the round is judged against (an array, or a `SortedWindow` over them). */
  step(value: number, window: number[] | SortedWindow, payload: T): OutlierGateStep<T> {
    const held = this.pending;
    if (held) {
      this.pending = undefined;
      const j = held.value;
      const kept = Math.sign(j) * (j + value);
      const heldInfo = { value: j, flag: held.flag };
      if (kept >= OUTLIER_CONFIRM_FRACTION * Math.abs(j))
        return {
          action: 'act',
          feed: [held.payload, payload],
          flag: { flagged: false, z: held.flag.z, reason: undefined },
          held: heldInfo,
        };
      return {
        action: 'reject',
        feed: [],
        flag: {
          flagged: true,
          z: held.flag.z,
          reason: `value ${value.toPrecision(4)} reverts the held outlier ${j.toPrecision(4)} (kept ${kept.toPrecision(4)} < ${OUTLIER_CONFIRM_FRACTION} × |jump|): both rounds rejected, not acted on`,
        },
        held: heldInfo,
      };
    }
    const flag = flagOutlier(value, window, this.threshold);
    if (flag.flagged) {
      this.pending = { value, payload, flag };
      return { action: 'hold', feed: [], flag };
    }
    return { action: 'act', feed: [payload], flag };
  }
}
