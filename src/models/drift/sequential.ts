/**
 * Page–Hinkley test for an increase in the mean of a stream x_t (here: absolute forecast errors
 * in units of the reference error scale). With reference mean m and tolerance δ:
 *   S_t = S_{t−1} + (x_t − m − δ),  M_t = min(M_{t−1}, S_t),  alarm when S_t − M_t > λ.
 * The statistic restarts after an alarm (or on `reset`).
 */
export class PageHinkley {
  private s = 0;
  private min = 0;
  private settings: { readonly delta: number; readonly lambda: number };
  constructor(options: { delta: number; lambda: number }) {
    this.settings = { delta: options.delta, lambda: options.lambda };
  }
  /** δ and the current λ. */
  get options(): { readonly delta: number; readonly lambda: number } {
    return this.settings;
  }
  /** Moves the alarm threshold λ; the evidence gathered so far is kept. */
  setLambda(lambda: number): void {
    this.settings = { delta: this.settings.delta, lambda };
  }
  /** The evidence gathered so far, S_t − M_t (what `update` compares with λ). */
  get statistic(): number {
    return this.s - this.min;
  }
  update(x: number, referenceMean: number): { alarm: boolean; statistic: number } {
    this.s += x - referenceMean - this.settings.delta;
    if (this.s < this.min) this.min = this.s;
    const statistic = this.s - this.min;
    if (statistic > this.settings.lambda) {
      this.reset();
      return { alarm: true, statistic };
    }
    return { alarm: false, statistic };
  }
  reset(): void {
    this.s = 0;
    this.min = 0;
  }
}

/**
 * Two-sided tabular CUSUM on a standardized stream z_t (mean 0, sd 1 when in control):
 *   C⁺ = max(0, C⁺ + z − k),  C⁻ = max(0, C⁻ − z − k),  alarm when either exceeds h.
 */
export class Cusum {
  private hi = 0;
  private lo = 0;
  constructor(readonly options: { k: number; h: number }) {}
  /** `statistic`: max(C⁺, C⁻) after this update (before the restart that follows an alarm). */
  update(z: number): { alarm: boolean; direction: 'up' | 'down' | undefined; statistic: number } {
    this.hi = Math.max(0, this.hi + z - this.options.k);
    this.lo = Math.max(0, this.lo - z - this.options.k);
    const statistic = Math.max(this.hi, this.lo);
    const direction = this.hi > this.options.h ? 'up' : this.lo > this.options.h ? 'down' : undefined;
    if (direction) this.reset();
    return { alarm: direction !== undefined, direction, statistic };
  }
  reset(): void {
    this.hi = 0;
    this.lo = 0;
  }
}
