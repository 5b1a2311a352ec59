import { toField } from './encoding.js';
import { poseidon } from './poseidon.js';

/**
 * The feed accumulator's hash chain (FeedAccumulator.sol, and the circuit's `FeedAccumulator` template):
 * acc(r) = Poseidon2(acc(r − 1), field(answer_r)), with Poseidon2 = circomlib `Poseidon(2)` and
 * field(v) = v mod p (a negative int256 answer becomes p − |v|). The chain starts from acc = 0 before
 * the accumulator's first round.
 */
export function accumulatorChain(answers: readonly bigint[], start = 0n): bigint[] {
  const out: bigint[] = [];
  let acc = toField(start);
  for (const answer of answers) {
    acc = poseidon([acc, toField(answer)]);
    out.push(acc);
  }
  return out;
}

/** The accumulator after absorbing `answers` (oldest first) on top of `accPrev`; `accPrev` itself for no answers. */
export function accumulate(accPrev: bigint, answers: readonly bigint[]): bigint {
  return accumulatorChain(answers, accPrev).at(-1) ?? toField(accPrev);
}
