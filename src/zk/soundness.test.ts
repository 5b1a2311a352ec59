import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { floorDiv } from '../models/index.js';
import { accumulate } from './accumulator.js';
import { templatesSource } from './circuit.js';
import { DEFAULT_VALUE_BITS, toField } from './encoding.js';
import { compileCircom, DEFAULT_CACHE_DIR } from './setup.js';
import { calculateWitness, checkWitness, readSym } from './witness.js';

// Each template compiled alone (O1: the constraints as written, no linear substitution), then fed
// hand-built witnesses: the honest one must pass, every cheat must fail `wtns check`.
const S = 20;
const N = DEFAULT_VALUE_BITS;
const OFFSET = 1n << BigInt(N - 1);

type Compiled = { r1cs: string; wasm: string; sym: Map<string, number> };

function compileTest(name: string, main: string): Compiled {
  const dir = join(DEFAULT_CACHE_DIR, 'soundness', name);
  mkdirSync(dir, { recursive: true });
  const src = `pragma circom 2.1.0;\ninclude "poseidon.circom";\ninclude "bitify.circom";\n${templatesSource(S)}\n${main}\n`;
  const file = join(dir, `${name}.circom`);
  writeFileSync(file, src);
  compileCircom(file, dir, { optimize: 'O1' });
  return {
    r1cs: join(dir, `${name}.r1cs`),
    wasm: join(dir, `${name}_js`, `${name}.wasm`),
    sym: readSym(join(dir, `${name}.sym`)),
  };
}

const bitsOf = (v: bigint, n: number) => Array.from({ length: n }, (_, i) => (v >> BigInt(i)) & 1n);

/**
 * Sets a signal; `names` lists its aliases (O1 merges signals joined by `a <== b`, and the .sym file
 * keeps a witness index only for the survivor).
 */
function set(w: bigint[], sym: Map<string, number>, names: string | string[], value: bigint) {
  const list = Array.isArray(names) ? names : [names];
  const idx = list.map((n) => sym.get(n)).find((i) => i !== undefined);
  if (idx === undefined) throw new Error(`no signal ${list.join(' / ')}`);
  w[idx] = toField(value);
}

/** Sets `prefix.out[i]` of a Num2Bits component; `top` are the aliases of the most significant bit. */
function setBits(w: bigint[], sym: Map<string, number>, prefix: string, bits: bigint[], top: string[] = []) {
  for (let i = 0; i < bits.length; i++) {
    set(w, sym, i === bits.length - 1 ? [`${prefix}.out[${i}]`, ...top] : `${prefix}.out[${i}]`, bits[i]!);
  }
}

describe('FloorShift (rescale y = floor(acc / 2^s))', () => {
  let c: Compiled;
  beforeAll(() => {
    c = compileTest(
      'floorshift',
      `template T() { signal input acc; signal output y; component f = FloorShift(${S}, ${N}); f.acc <== acc; y <== f.y; }\ncomponent main = T();`,
    );
  });

  /** Hand-builds the full witness for a claimed (y, r) and the bit decompositions a cheater would choose. */
  async function witnessFor(acc: bigint, y: bigint, r: bigint) {
    const w = await calculateWitness(c.wasm, { acc: toField(acc).toString() });
    set(w, c.sym, ['main.f.y', 'main.y'], y);
    set(w, c.sym, 'main.f.r', r);
    set(w, c.sym, ['main.f.enc', 'main.f.yRange.enc'], y + OFFSET);
    // The cheater picks the best bits available: the low bits of the claimed values.
    setBits(w, c.sym, 'main.f.rBits', bitsOf(toField(r), S));
    setBits(w, c.sym, 'main.f.yRange.bits', bitsOf(toField(y + OFFSET), N), [
      'main.f.nonNeg',
      'main.f.yRange.nonNeg',
    ]);
    return w;
  }

  test('the honest witness (negative acc, floor toward −∞) satisfies every constraint', async () => {
    const acc = -((5n << BigInt(S)) + 7n); // -5.0001… → floor = -6, r = 2^s - 7
    const w = await calculateWitness(c.wasm, { acc: toField(acc).toString() });
    expect(w[c.sym.get('main.y')!]).toBe(toField(-6n));
    expect(await checkWitness(c.r1cs, w)).toBe(true);
    expect(await checkWitness(c.r1cs, await witnessFor(acc, -6n, (1n << BigInt(S)) - 7n))).toBe(true);
  });

  test('behavior: a wrong quotient (y + 1 with r − 2^s, equation still balanced) fails', async () => {
    const acc = (12n << BigInt(S)) + 3n;
    expect(await checkWitness(c.r1cs, await witnessFor(acc, 13n, 3n - (1n << BigInt(S))))).toBe(false);
  });

  test('behavior: a wrong quotient alone (y + 1, r unchanged) fails', async () => {
    const acc = (12n << BigInt(S)) + 3n;
    expect(await checkWitness(c.r1cs, await witnessFor(acc, 13n, 3n))).toBe(false);
  });

  test('behavior: a wrong remainder (r + 2^s with y − 1, r out of range) fails', async () => {
    const acc = (12n << BigInt(S)) + 3n;
    expect(await checkWitness(c.r1cs, await witnessFor(acc, 11n, 3n + (1n << BigInt(S))))).toBe(false);
  });

  test('behavior: rounding toward zero instead of floor on a negative acc fails', async () => {
    const acc = -((5n << BigInt(S)) + 7n);
    expect(await checkWitness(c.r1cs, await witnessFor(acc, -5n, -7n))).toBe(false);
  });
});

describe('SignedRange + Relu (activation with a constrained sign bit)', () => {
  let c: Compiled;
  beforeAll(() => {
    c = compileTest(
      'relu',
      `template T() { signal input v; signal output out; component r = SignedRange(${N}); r.in <== v; component a = Relu(); a.in <== v; a.nonNeg <== r.nonNeg; out <== a.out; }\ncomponent main = T();`,
    );
  });

  async function witnessFor(v: bigint, out: bigint, signBit: bigint) {
    const w = await calculateWitness(c.wasm, { v: toField(v).toString() });
    const bits = bitsOf(v + OFFSET, N);
    bits[N - 1] = signBit;
    setBits(w, c.sym, 'main.r.bits', bits, ['main.a.nonNeg', 'main.r.nonNeg']);
    set(w, c.sym, ['main.out', 'main.a.out'], out);
    return w;
  }

  test('honest witnesses pass: relu(−9) = 0, relu(9) = 9', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(-9n, 0n, 0n))).toBe(true);
    expect(await checkWitness(c.r1cs, await witnessFor(9n, 9n, 1n))).toBe(true);
  });

  test('behavior: taking the positive branch for a negative input (out = v) fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(-9n, -9n, 1n))).toBe(false);
  });

  test('behavior: taking the zero branch for a positive input (out = 0) fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(9n, 0n, 0n))).toBe(false);
  });

  test('behavior: a value outside the signed range cannot be decomposed', async () => {
    await expect(calculateWitness(c.wasm, { v: (OFFSET + 5n).toString() })).rejects.toThrow();
  });
});

describe('FloorDiv (a return r = floor(num · 2^s / den), den > 0)', () => {
  let c: Compiled;
  beforeAll(() => {
    c = compileTest(
      'floordiv',
      `template T() { signal input num; signal input den; signal output q; signal output abs; component f = FloorDiv(${S}, ${N}); f.num <== num; f.den <== den; q <== f.q; abs <== f.abs; }\ncomponent main = T();`,
    );
  });
  const scale = 1n << BigInt(S);
  // Two real WTI closes (8 decimals): 86.48 → 83.99, a negative return with a non-zero remainder.
  const den = 8_648_000_000n;
  const num = 8_399_000_000n - den;

  /** Hand-builds the witness for a claimed quotient q, remainder rem, |q| and sign bit. */
  async function witnessFor(q: bigint, rem: bigint, abs: bigint, signBit?: bigint) {
    const w = await calculateWitness(c.wasm, { num: toField(num).toString(), den: den.toString() });
    set(w, c.sym, ['main.f.q', 'main.q'], q);
    set(w, c.sym, ['main.f.abs', 'main.abs'], abs);
    set(w, c.sym, 'main.f.rem', rem);
    setBits(w, c.sym, 'main.f.remBits', bitsOf(toField(rem), N - 1));
    set(w, c.sym, 'main.f.gapBits.in', den - 1n - rem);
    setBits(w, c.sym, 'main.f.gapBits', bitsOf(toField(den - 1n - rem), N - 1));
    set(w, c.sym, 'main.f.qRange.enc', q + OFFSET);
    set(w, c.sym, 'main.f.qRange.bits.in', q + OFFSET);
    const bits = bitsOf(toField(q + OFFSET), N);
    if (signBit !== undefined) bits[N - 1] = signBit;
    setBits(w, c.sym, 'main.f.qRange.bits', bits, ['main.f.qRange.nonNeg']);
    return w;
  }
  const q = floorDiv(num * scale, den); // floor toward −∞
  const rem = num * scale - q * den;

  test('the honest witness (negative return, floor toward −∞) satisfies every constraint', async () => {
    expect(rem > 0n && rem < den).toBe(true);
    const w = await calculateWitness(c.wasm, { num: toField(num).toString(), den: den.toString() });
    expect(w[c.sym.get('main.q')!]).toBe(toField(q));
    expect(w[c.sym.get('main.abs')!]).toBe(-q);
    expect(await checkWitness(c.r1cs, w)).toBe(true);
    expect(await checkWitness(c.r1cs, await witnessFor(q, rem, -q))).toBe(true);
  });

  test('behavior: a wrong quotient (q + 1 with rem − den: rounding toward zero, equation balanced) fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(q + 1n, rem - den, -(q + 1n)))).toBe(false);
  });

  test('behavior: a wrong quotient alone (q + 1, rem unchanged) fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(q + 1n, rem, -(q + 1n)))).toBe(false);
  });

  test('behavior: a remainder ≥ the divisor (q − 1 with rem + den, equation balanced) fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(q - 1n, rem + den, -(q - 1n)))).toBe(false);
  });

  test('behavior: a wrong sign bit for |r| (claiming r ≥ 0 so |r| = r < 0) fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(q, rem, q, 1n))).toBe(false);
  });

  test('behavior: |r| other than the one the sign bit gives fails', async () => {
    expect(await checkWitness(c.r1cs, await witnessFor(q, rem, q))).toBe(false);
  });
});

describe('AnswerRange (1 ≤ answer ≤ 2^(n−1))', () => {
  let c: Compiled;
  beforeAll(() => {
    c = compileTest(
      'answerrange',
      `template T() { signal input a; component r = AnswerRange(${N}); r.in <== a; }\ncomponent main = T();`,
    );
  });

  test('the bounds pass; 0, a negative answer and 2^(n−1) + 1 cannot be decomposed', async () => {
    for (const a of [1n, OFFSET])
      expect(await checkWitness(c.r1cs, await calculateWitness(c.wasm, { a }))).toBe(true);
    for (const a of [0n, -5n, OFFSET + 1n])
      await expect(calculateWitness(c.wasm, { a: toField(a).toString() })).rejects.toThrow();
  });

  test('behavior: a hand-built witness for answer 0 (every bit set) fails', async () => {
    const w = await calculateWitness(c.wasm, { a: 1n });
    set(w, c.sym, 'main.a', 0n);
    setBits(
      w,
      c.sym,
      'main.r.bits',
      Array.from({ length: N - 1 }, () => 1n),
    );
    expect(await checkWitness(c.r1cs, w)).toBe(false);
  });
});

describe('FeedAccumulator (acc = Poseidon2 chain of the answers)', () => {
  let c: Compiled;
  beforeAll(() => {
    c = compileTest(
      'accumulator',
      `template T() { signal input accPrev; signal input answers[3]; signal output acc; component a = FeedAccumulator(3); a.accPrev <== accPrev; for (var i = 0; i < 3; i++) a.answers[i] <== answers[i]; acc <== a.acc; }\ncomponent main = T();`,
    );
  });
  const accPrev = 123_456_789n;
  const answers = [8_648_000_000n, 8_399_000_000n, 8_604_000_000n];
  const input = (xs: bigint[]) => ({ accPrev, answers: xs.map(String) });

  test('the honest witness matches accumulate() and satisfies every constraint', async () => {
    const w = await calculateWitness(c.wasm, input(answers));
    expect(w[c.sym.get('main.acc')!]).toBe(accumulate(accPrev, answers));
    expect(await checkWitness(c.r1cs, w)).toBe(true);
  });

  test('behavior: a wrong accumulator step (intermediate acc replaced) fails', async () => {
    const w = await calculateWitness(c.wasm, input(answers));
    set(w, c.sym, ['main.a.chain[2]', 'main.a.h[1].out'], accumulate(accPrev, [answers[0]!, answers[2]!]));
    expect(await checkWitness(c.r1cs, w)).toBe(false);
  });

  test('behavior: claiming the accumulator of other answers fails', async () => {
    const w = await calculateWitness(c.wasm, input(answers));
    set(
      w,
      c.sym,
      ['main.acc', 'main.a.acc'],
      accumulate(accPrev, [answers[0]!, answers[1]!, answers[2]! + 1n]),
    );
    expect(await checkWitness(c.r1cs, w)).toBe(false);
  });

  test('behavior: the witness of other answers with one answer swapped back fails', async () => {
    const other = [answers[0]!, answers[1]! + 1_000_000n, answers[2]!];
    const w = await calculateWitness(c.wasm, input(other));
    set(w, c.sym, 'main.answers[1]', answers[1]!);
    expect(await checkWitness(c.r1cs, w)).toBe(false);
  });
});
