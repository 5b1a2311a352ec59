import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Poseidon over the BN254 scalar field, bit-identical to circomlib's `Poseidon(nInputs)` template
 * (circuits/poseidon.circom, the optimised form with constants C, S, M, P). The constants are parsed
 * from the very file the circuit includes (`circomlib/circuits/poseidon_constants.circom`), so the
 * TypeScript hash and the circuit cannot drift apart. circomlibjs is not a dependency.
 */
export const FIELD_P = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const N_ROUNDS_F = 8;
const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

type Constants = { C: bigint[]; S: bigint[]; M: bigint[][]; P: bigint[][] };
const cache = new Map<number, Constants>();
let source: string | undefined;

/** Absolute path of the circomlib circuits folder (used for `-l` when compiling). */
export function circomlibCircuitsDir(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('circomlib/circuits/poseidon.circom').replace(/poseidon\.circom$/, '');
}

function branch(fn: string, t: number): bigint[] {
  source ??= readFileSync(`${circomlibCircuitsDir()}poseidon_constants.circom`, 'utf8');
  const start = source.indexOf(`function ${fn}(t)`);
  if (start < 0) throw new Error(`poseidon constants: function ${fn} not found`);
  const next = source.indexOf('function ', start + 10);
  const body = source.slice(start, next < 0 ? undefined : next);
  const marker = new RegExp(`if \\(t *== *${t}\\)\\s*\\{`);
  const m = marker.exec(body);
  if (!m) throw new Error(`poseidon constants: ${fn} has no branch for t=${t}`);
  const end = body.indexOf('}', m.index + m[0].length);
  return [...body.slice(m.index + m[0].length, end).matchAll(/0x[0-9a-fA-F]+/g)].map((h) => BigInt(h[0]));
}

function constants(t: number): Constants {
  let c = cache.get(t);
  if (!c) {
    const square = (flat: bigint[]) => Array.from({ length: t }, (_, i) => flat.slice(i * t, (i + 1) * t));
    c = {
      C: branch('POSEIDON_C', t),
      S: branch('POSEIDON_S', t),
      M: square(branch('POSEIDON_M', t)),
      P: square(branch('POSEIDON_P', t)),
    };
    cache.set(t, c);
  }
  return c;
}

const mod = (a: bigint) => ((a % FIELD_P) + FIELD_P) % FIELD_P;
const pow5 = (a: bigint) => {
  const a2 = (a * a) % FIELD_P;
  return (((a2 * a2) % FIELD_P) * a) % FIELD_P;
};

/** circomlib `Poseidon(n)` for 1 ≤ n ≤ 16 field elements (initial state 0). */
export function poseidon(inputs: readonly bigint[]): bigint {
  const n = inputs.length;
  if (n < 1 || n > 16) throw new RangeError(`poseidon: ${n} inputs, expected 1..16`);
  const t = n + 1;
  const nP = N_ROUNDS_P[t - 2]!;
  const { C, S, M, P } = constants(t);
  let state = [0n, ...inputs.map(mod)];
  const ark = (r: number) => {
    state = state.map((v, i) => mod(v + C[i + r]!));
  };
  const mix = (m: bigint[][]) => {
    state = state.map((_, i) => {
      let lc = 0n;
      for (let j = 0; j < t; j++) lc += m[j]![i]! * state[j]!;
      return mod(lc);
    });
  };
  const sbox = () => {
    state = state.map(pow5);
  };
  ark(0);
  for (let r = 0; r < N_ROUNDS_F / 2 - 1; r++) {
    sbox();
    ark((r + 1) * t);
    mix(M);
  }
  sbox();
  ark((N_ROUNDS_F / 2) * t);
  mix(P);
  for (let r = 0; r < nP; r++) {
    state[0] = mod(pow5(state[0]!) + C[(N_ROUNDS_F / 2 + 1) * t + r]!);
    const base = (t * 2 - 1) * r;
    let lc = 0n;
    for (let i = 0; i < t; i++) lc += S[base + i]! * state[i]!;
    const s0 = state[0]!;
    state = state.map((v, i) => (i === 0 ? mod(lc) : mod(v + s0 * S[base + t + i - 1]!)));
  }
  for (let r = 0; r < N_ROUNDS_F / 2 - 1; r++) {
    sbox();
    ark((N_ROUNDS_F / 2 + 1) * t + nP + r * t);
    mix(M);
  }
  sbox();
  let out = 0n;
  for (let j = 0; j < t; j++) out += M[j]![0]! * state[j]!;
  return mod(out);
}

/**
 * circomlib's constants for state width `t` (= inputs + 1), as `poseidon` uses them, with the round counts:
 * for generators that emit the same algorithm in another language (src/zk/poseidonSolidity.ts).
 * `M[j][i]` multiplies state element j into element i. Returns copies; the hash's own cache is untouched.
 */
export function poseidonConstants(t: number): {
  C: bigint[];
  S: bigint[];
  M: bigint[][];
  P: bigint[][];
  nRoundsF: number;
  nRoundsP: number;
} {
  const nRoundsP = N_ROUNDS_P[t - 2];
  if (nRoundsP === undefined) throw new RangeError(`poseidonConstants: t = ${t}, expected 2..17`);
  const { C, S, M, P } = constants(t);
  return {
    C: [...C],
    S: [...S],
    M: M.map((row) => [...row]),
    P: P.map((row) => [...row]),
    nRoundsF: N_ROUNDS_F,
    nRoundsP,
  };
}
