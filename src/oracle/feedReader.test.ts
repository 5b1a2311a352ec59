import { describe, expect, test } from 'vitest';
import { FeedRefusedError } from './errors.js';
import { checkRound } from './feedReader.js';

const proxyId = (phase: bigint, n: bigint) => (phase << 64n) | n;
const round = (roundId: bigint, answer: bigint, updatedAt: bigint) => ({
  roundId,
  answer,
  startedAt: updatedAt,
  updatedAt,
  answeredInRound: roundId,
});
const rules = { maxAgeSeconds: 86_400, maxDeviationBps: 2_500, decimals: 8 };

describe('checkRound: a refusal names the round as people read it', () => {
  test('error: a deviant proxy round is named by its phase and aggregator round too, the previous one as well', () => {
    const previous = round(proxyId(1n, 110n), 1_504_240_000n, 1_000n);
    const latest = round(proxyId(2n, 1n), 1_923_180_000n, 2_000n);
    let thrown: unknown;
    try {
      checkRound('WTI / USD', latest, previous, 2_100n, rules);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FeedRefusedError);
    expect((thrown as FeedRefusedError).shortMessage).toBe(
      `Refused feed WTI / USD round ${proxyId(2n, 1n)} (phase 2 #1): answer moved 27.85% from round ${proxyId(1n, 110n)} (phase 1 #110) (15.0424 → 19.2318), the limit is 25.00%.`,
    );
  });

  test('error: a plain aggregator id stays as it is', () => {
    expect(() => checkRound('WTI / USD', round(7n, 100n, 0n), undefined, 100_000n, rules)).toThrow(
      /^Refused feed WTI \/ USD round 7: round is 100000s old, the limit is 86400s/,
    );
  });
});
