import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
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
  const src = `pragma circom 2.1.0;\ninclude "bitify.circom";\n${templatesSource(S)}\n${main}\n`;
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
