import { describe, expect, test } from 'vitest';
import { roundRangeText } from './art.show.js';

// `art show` on a Chainlink proxy feed: the rounds of a version (20-digit ids `phase << 64 | n`) are also
// named as the aggregator's own rounds, so a window across an aggregator upgrade is readable.
const P1 = 1n << 64n;
const P2 = 2n << 64n;

describe('roundRangeText', () => {
  test('default: plain aggregator ids print as before', () => {
    expect(roundRangeText('50', '70', 21)).toBe('50..70 (21)');
    expect(roundRangeText('50', '70')).toBe('50..70');
  });

  test('behavior: proxy ids name their phase and round, across one upgrade too', () => {
    expect(roundRangeText(String(P1 | 90n), String(P1 | 110n), 21)).toBe(
      `${P1 | 90n}..${P1 | 110n} (21: phase 1 #90..#110)`,
    );
    expect(roundRangeText(String(P1 | 95n), String(P2 | 5n))).toBe(
      `${P1 | 95n}..${P2 | 5n} (phase 1 #95..phase 2 #5)`,
    );
  });

  test('edge: a range that is not two decimal ids is printed as given', () => {
    expect(roundRangeText('', '', 0)).toBe('.. (0)');
  });
});
