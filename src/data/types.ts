/** How often a series is observed. */
export type Frequency = 'daily' | 'monthly';

/** One observation. `date` is `YYYY-MM-DD` (monthly series use the date the source gives, or the 1st). */
export type Point = { date: string; value: number };

/** A cleaned, validated time series with strictly increasing dates. */
export type Series = { name: string; frequency: Frequency; points: Point[] };

/** A row a cleaning rule changed or removed, so no cleaning is silent. */
export type CleaningEntry = {
  file: string;
  line: number;
  date: string;
  rule: 'non-positive-price' | 'missing-value' | 'annual-repeated-before-1960' | 'known-gap';
  /** 'dropped': the row is not in the series; 'noted': kept, but a documented quirk precedes it. */
  action: 'dropped' | 'noted';
  raw: string;
};

/** A problem found by validation, with the file line (1-based, the header is line 1). */
export type ValidationIssue = {
  file: string;
  line: number;
  problem:
    | 'unparseable-number'
    | 'unparseable-date'
    | 'non-monotone-date'
    | 'gap'
    | 'bad-header'
    | 'wrong-column-count';
  message: string;
  fix: string;
};
