import { loadDataset, type Series } from '../data/index.js';

/**
 * The market history the demo replays: one epoch per WTI trading day. Each epoch carries the WTI and
 * Brent closes of that day, and a gold value when a new monthly gold price exists (gold is published
 * once a month, on the first trading day after its month). Chain time follows market time: the
 * epoch's block timestamp is its date at 20:00 UTC (after the NYMEX settlement).
 */
export type ReplayEpoch = {
  index: number;
  date: string;
  timestamp: bigint;
  wti: number;
  brent: number | undefined;
  gold: number | undefined;
  /** True for warm-up epochs (oracle history only; the agent does not act). */
  warmup: boolean;
};

export type ReplayParameters = {
  start: string;
  end: string;
  warmupDays: number;
  dataDir?: string | undefined;
};

export function timestampOf(date: string): bigint {
  return BigInt(Date.parse(`${date}T20:00:00Z`) / 1000);
}

function asOf(series: Series, date: string): number | undefined {
  let value: number | undefined;
  for (const point of series.points) {
    if (point.date > date) break;
    value = point.value;
  }
  return value;
}

export function buildReplay(parameters: ReplayParameters): ReplayEpoch[] {
  const wti = loadDataset('wti-daily', parameters.dataDir).series;
  const brent = loadDataset('brent-daily', parameters.dataDir).series;
  const gold = loadDataset('gold-monthly', parameters.dataDir).series;
  const firstIndex = wti.points.findIndex((p) => p.date >= parameters.start);
  if (firstIndex < 0) throw new RangeError(`No WTI data on or after ${parameters.start}`);
  const from = Math.max(0, firstIndex - parameters.warmupDays);
  const points = wti.points.slice(from).filter((p) => p.date <= parameters.end);
  let lastGoldMonth = '';
  return points.map((point, index) => {
    // A monthly gold value for month M becomes known after M ends: publish it on the first trading day of M+1.
    const previousMonth = monthBefore(point.date);
    let goldValue: number | undefined;
    if (previousMonth !== lastGoldMonth) {
      const g = gold.points.find((p) => p.date.startsWith(previousMonth));
      if (g) {
        goldValue = g.value;
        lastGoldMonth = previousMonth;
      }
    }
    return {
      index,
      date: point.date,
      timestamp: timestampOf(point.date),
      wti: point.value,
      brent: asOf(brent, point.date),
      gold: goldValue,
      warmup: point.date < parameters.start,
    };
  });
}

function monthBefore(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}
