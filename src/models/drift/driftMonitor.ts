import { countBins, psiWithEdges, referenceEdges } from './distribution.js';
import { flagOutlier, type OutlierFlag } from './outlier.js';
import { PageHinkley } from './sequential.js';

export type DriftMonitorOptions = {
  /** Feature indices watched for input drift (default [0]: the latest return). */
  psiFeatures?: number[];
  /** Rolling window of recent rows compared with the reference (default 250: with 10 bins, sampling noise alone gives PSI ≈ 9/window, so 120 rows false-alarm at 0.25). */
  psiWindow?: number;
  /** PSI above this halts (default 0.25, the usual "significant shift" level). */
  psiThreshold?: number;
  /** Page–Hinkley on |error| / reference RMS error (defaults δ = 0.25, λ = 15). */
  pageHinkley?: { delta: number; lambda: number };
  /** Robust z-score beyond which a single round is flagged (default 10). */
  outlierThreshold?: number;
};

export type DriftStatus = {
  halt: boolean;
  reason: string | undefined;
  psi: number;
  errorAlarm: boolean;
  inputAlarm: boolean;
  pageHinkley: number;
};

/**
 * Watches a deployed forecaster and says when to stop. Two signals:
 * - input drift: PSI of each watched feature over the last `psiWindow` rows against the fit window;
 * - error drift: Page–Hinkley on absolute forecast errors scaled by the fit window's RMS error.
 *   An error alarm latches: the monitor stays halted until `setReference` (a refit) re-arms it.
 * `halt` is true while either holds; `reason` names the detector, the value and the threshold.
 * Single-round outliers are checked separately by `checkRound` and are flagged, never acted on.
 */
export class DriftMonitor {
  private readonly o: Required<DriftMonitorOptions>;
  private readonly ph: PageHinkley;
  private edges: number[][] = [];
  private refCounts: number[][] = [];
  private refN = 0;
  private errorScale = 1;
  private errorRefMean = Math.sqrt(2 / Math.PI);
  private recent: number[][] = [];
  private latched: string | undefined;

  constructor(options: DriftMonitorOptions = {}) {
    this.o = {
      psiFeatures: options.psiFeatures ?? [0],
      psiWindow: options.psiWindow ?? 250,
      psiThreshold: options.psiThreshold ?? 0.25,
      pageHinkley: options.pageHinkley ?? { delta: 0.25, lambda: 15 },
      outlierThreshold: options.outlierThreshold ?? 10,
    };
    this.ph = new PageHinkley(this.o.pageHinkley);
  }

  /** Sets the reference from a (re)fit: its feature rows and its in-sample forecast errors. Re-arms the error detector. */
  setReference(features: number[][], errors: number[]): void {
    this.edges = this.o.psiFeatures.map((j) =>
      referenceEdges(
        features.map((x) => x[j]!),
        10,
      ),
    );
    this.refCounts = this.o.psiFeatures.map((j, k) =>
      countBins(
        this.edges[k]!,
        features.map((x) => x[j]!),
      ),
    );
    this.refN = features.length;
    const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / Math.max(1, errors.length)) || 1;
    this.errorScale = rms;
    this.errorRefMean = errors.reduce((a, e) => a + Math.abs(e), 0) / Math.max(1, errors.length) / rms;
    this.ph.reset();
    this.latched = undefined;
  }

  /** Feeds the features of the newest row, and the realised error of the previous forecast if known. */
  update(features: number[], error?: number): DriftStatus {
    this.recent.push(features);
    if (this.recent.length > this.o.psiWindow) this.recent.shift();
    let psiMax = 0;
    let psiFeature = -1;
    if (this.recent.length >= this.o.psiWindow && this.refN > 0) {
      this.o.psiFeatures.forEach((j, k) => {
        const v = psiWithEdges(
          this.edges[k]!,
          this.refCounts[k]!,
          this.refN,
          this.recent.map((x) => x[j]!),
        );
        if (v > psiMax) {
          psiMax = v;
          psiFeature = j;
        }
      });
    }
    let stat = 0;
    if (error !== undefined && Number.isFinite(error)) {
      const r = this.ph.update(Math.abs(error) / this.errorScale, this.errorRefMean);
      stat = r.statistic;
      if (r.alarm && !this.latched) {
        this.latched = `error drift: Page–Hinkley statistic ${r.statistic.toFixed(2)} > λ ${this.o.pageHinkley.lambda} on |error|/${this.errorScale.toExponential(3)}`;
      }
    }
    const inputAlarm = psiMax > this.o.psiThreshold;
    const reason =
      this.latched ??
      (inputAlarm
        ? `input drift: PSI of feature ${psiFeature} over the last ${this.o.psiWindow} rows is ${psiMax.toFixed(3)} > ${this.o.psiThreshold}`
        : undefined);
    return {
      halt: reason !== undefined,
      reason,
      psi: psiMax,
      errorAlarm: this.latched !== undefined,
      inputAlarm,
      pageHinkley: stat,
    };
  }

  /** Adversarial single-round check against the recent window (flag only; the caller must not act on a flagged round). */
  checkRound(value: number, window: number[]): OutlierFlag {
    return flagOutlier(value, window, this.o.outlierThreshold);
  }
}
