import { dayNumber } from './loadSeries.js';
import type { Point, Series } from './types.js';

/**
 * When a value dated `date` becomes usable. Alignment always uses availability, never the
 * observation date, so a monthly value cannot leak into days before its release.
 */
export type Availability = (date: string) => string;

/** First day of the month `k` months after the month of `date`. */
export function firstOfMonthAfter(date: string, k: number): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7)) - 1 + k;
  const yy = y + Math.floor(m / 12);
  const mm = ((m % 12) + 12) % 12;
  return `${String(yy).padStart(4, '0')}-${String(mm + 1).padStart(2, '0')}-01`;
}

/** A daily price is usable on its own date (we forecast the next period from the close). */
export const sameDay: Availability = (date) => date;
/** A monthly average (WTI/Brent/gold) is usable from the first day of the next month. */
export const monthlyAverageAvailability: Availability = (date) => firstOfMonthAfter(date, 1);
/**
 * CPI for month M (dated M-01) is released by the BLS mid month M+1; we assume it usable from
 * the first day of month M+2, which is never earlier than the real release (conservative lag).
 */
export const CPI_RELEASE_LAG_MONTHS = 2;
export const cpiAvailability: Availability = (date) => firstOfMonthAfter(date, CPI_RELEASE_LAG_MONTHS);

/**
 * For each target date, the latest value of `series` whose availability date is <= the target
 * date (as-of join). `undefined` where nothing is available yet. O(n + m).
 */
export function alignAsOf(
  targetDates: string[],
  series: Series,
  availability: Availability,
): (number | undefined)[] {
  const avail = series.points.map((p) => availability(p.date));
  const out: (number | undefined)[] = new Array(targetDates.length);
  let j = -1;
  for (let i = 0; i < targetDates.length; i++) {
    const t = targetDates[i]!;
    while (j + 1 < avail.length && avail[j + 1]! <= t) j++;
    out[i] = j >= 0 ? series.points[j]!.value : undefined;
  }
  return out;
}

/** Resamples a daily series to monthly: the last observation of each month, dated the 1st. */
export function toMonthlyLast(series: Series): Series {
  const points: Point[] = [];
  for (const p of series.points) {
    const key = `${p.date.slice(0, 7)}-01`;
    const last = points[points.length - 1];
    if (last && last.date === key) last.value = p.value;
    else points.push({ date: key, value: p.value });
  }
  return { name: `${series.name}-monthly-last`, frequency: 'monthly', points };
}

/** Log returns: point i is ln(v_i / v_{i-1}), dated at i. */
export function logReturns(series: Series): Series {
  const points: Point[] = [];
  for (let i = 1; i < series.points.length; i++) {
    points.push({
      date: series.points[i]!.date,
      value: Math.log(series.points[i]!.value / series.points[i - 1]!.value),
    });
  }
  return { name: `${series.name}-logret`, frequency: series.frequency, points };
}

/** Year-on-year log change of a monthly index, ln(x_t / x_{t-12}), dated at t. */
export function yearOnYear(series: Series): Series {
  const byMonth = new Map(series.points.map((p) => [p.date.slice(0, 7), p.value]));
  const points: Point[] = [];
  for (const p of series.points) {
    const prev = byMonth.get(
      `${String(Number(p.date.slice(0, 4)) - 1).padStart(4, '0')}${p.date.slice(4, 7)}`,
    );
    if (prev !== undefined) points.push({ date: p.date, value: Math.log(p.value / prev) });
  }
  return { name: `${series.name}-yoy`, frequency: series.frequency, points };
}

/** Calendar days between two dates. */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}
