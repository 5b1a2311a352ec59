/**
 * Known structural breaks in oil (and commodity) markets, fixed before any backtest was run, and
 * calm periods used to count false alarms. Dates are the first trading day of the break.
 */
export const KNOWN_BREAKS = [
  { name: '2008 crash (Lehman)', date: '2008-09-15' },
  { name: 'late-2014 break (OPEC 27 Nov)', date: '2014-11-28' },
  { name: '2020 collapse (OPEC+ price war)', date: '2020-03-09' },
  { name: '2022 invasion of Ukraine', date: '2022-02-24' },
] as const;

export const CALM_PERIODS = [
  { from: '1993-01-01', to: '1997-06-30' },
  { from: '2010-01-01', to: '2014-05-31' },
  { from: '2016-07-01', to: '2019-12-31' },
  { from: '2023-07-01', to: '2025-12-31' },
] as const;
