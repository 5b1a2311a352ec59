import { describe, expect, test } from 'vitest';
import { accumulate, accumulatorChain } from './accumulator.js';
import { FIELD_P, poseidon } from './poseidon.js';

describe('feed accumulator chain', () => {
  const answers = [7_215_000_000n, 7_198_000_000n, 7_301_000_000n];

  test('each step is Poseidon2(previous, answer), starting from 0', () => {
    const h1 = poseidon([0n, answers[0]!]);
    const h2 = poseidon([h1, answers[1]!]);
    const h3 = poseidon([h2, answers[2]!]);
    expect(accumulatorChain(answers)).toEqual([h1, h2, h3]);
    expect(accumulate(0n, answers)).toBe(h3);
  });

  test('absorbing in two parts equals absorbing at once (a proof may start from any acc(r − 1))', () => {
    const chain = accumulatorChain(answers);
    expect(accumulate(chain[0]!, answers.slice(1))).toBe(chain[2]);
    expect(accumulatorChain(answers.slice(1), chain[0]!)).toEqual(chain.slice(1));
  });

  test('a negative answer enters as p − |v| (int256 → field)', () => {
    expect(accumulate(5n, [-37_63000000n])).toBe(poseidon([5n, FIELD_P - 37_63000000n]));
  });

  test('behavior: no answers leave the accumulator unchanged; order matters', () => {
    expect(accumulate(42n, [])).toBe(42n);
    expect(accumulate(0n, [...answers].reverse())).not.toBe(accumulate(0n, answers));
  });
});
