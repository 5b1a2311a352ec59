/**
 * Integer arithmetic for the generator: Q12 fixed point, exact integer division and square root,
 * and integer activation functions read from tables that are themselves computed with BigInt
 * series (no `Math.sin`/`Math.exp` anywhere), so every byte the generator produces is the same on
 * every machine and JavaScript engine.
 *
 * Conventions (part of the generator algorithm `provenant-cppn/1`, bound into the model id through
 * the model file's metadata):
 * - Q12: a value v is stored as the integer round(v · 4096).
 * - A dense layer accumulates `bias·2^12 + Σ w·a` in int32 (Q24) and rescales with
 *   `(acc + 2048) >> 12`: round half up (towards +∞), an arithmetic shift.
 * - Activation tables are indexed by the Q12 pre-activation as documented on each function.
 */

export const Q = 12;
export const ONE = 1 << Q; // 4096
export const HALF = 1 << (Q - 1); // 2048

/** floor(n / d) for safe integers, d > 0, exact (the float quotient is only a first guess). */
export function divFloor(n: number, d: number): number {
  if (!Number.isSafeInteger(n) || !Number.isSafeInteger(d) || d <= 0) {
    throw new RangeError(`divFloor(${n}, ${d}): needs safe integers and a positive divisor`);
  }
  let q = Math.floor(n / d);
  while (q * d > n) q -= 1;
  while ((q + 1) * d <= n) q += 1;
  return q;
}

/** round(n / d), halves rounded away from zero, for safe integers, d > 0. */
export function divRound(n: number, d: number): number {
  if (n >= 0) return divFloor(2 * n + d, 2 * d);
  return -divFloor(-2 * n + d, 2 * d);
}

/** floor(sqrt(n)) for a safe integer n ≥ 0, exact (float guess, then integer correction). */
export function isqrt(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`isqrt(${n}): needs a non-negative safe integer`);
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r -= 1;
  while ((r + 1) * (r + 1) <= n) r += 1;
  return r;
}

/** floor(sqrt(n)) for a bigint n ≥ 0 (Newton's method). */
export function isqrtBig(n: bigint): bigint {
  if (n < 0n) throw new RangeError('isqrtBig: negative input');
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n)))) + 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  while (x * x > n) x -= 1n;
  while ((x + 1n) * (x + 1n) <= n) x += 1n;
  return x;
}

/** round(n / d) for bigints, halves away from zero, d > 0. */
export function divRoundBig(n: bigint, d: bigint): bigint {
  if (d <= 0n) throw new RangeError('divRoundBig: divisor must be positive');
  return n >= 0n ? (2n * n + d) / (2n * d) : -((-2n * n + d) / (2n * d));
}

// ---------------------------------------------------------------------------------------------
// Tables, computed once with BigInt series at scale 2^96.

const P = 96n;
const SCALE = 1n << P;
/** π to 50 decimal places. */
const PI_DIGITS = 314159265358979323846264338327950288419716939937510n;
const PI_SCALE = 10n ** 50n;
const PI_FIX = (PI_DIGITS * SCALE) / PI_SCALE; // π · 2^96

function mulFix(a: bigint, b: bigint): bigint {
  return (a * b) >> P;
}

/** sin(x) · 2^96 for x · 2^96 in [0, π/2] (Taylor series; |x| < 1.6 converges fast). */
function sinFix(x: bigint): bigint {
  let term = x;
  let sum = x;
  const x2 = mulFix(x, x);
  for (let k = 1n; term !== 0n; k += 1n) {
    term = -mulFix(term, x2) / (2n * k * (2n * k + 1n));
    sum += term;
  }
  return sum;
}

/** e^x · 2^96 for x · 2^96 ≥ 0 (x halved until < 1, Taylor, then squared back). */
function expFix(x: bigint): bigint {
  let halvings = 0;
  let y = x;
  while (y > SCALE) {
    y >>= 1n;
    halvings += 1;
  }
  let term = SCALE;
  let sum = SCALE;
  for (let k = 1n; term !== 0n; k += 1n) {
    term = mulFix(term, y) / k;
    sum += term;
  }
  for (let i = 0; i < halvings; i += 1) sum = mulFix(sum, sum);
  return sum;
}

function toQ12(fix: bigint): number {
  return Number(divRoundBig(fix * BigInt(ONE), SCALE));
}

/** Sine table: SIN[i] = round(4096 · sin(2π·i/4096)), i in [0, 4096). */
export const SIN_TABLE_SIZE = 4096;
/** Tanh / gaussian tables: entry i is the function at i·8/4096 (step 1/512), i in [0, 2048]. */
export const CURVE_TABLE_SIZE = 2049;
export const CURVE_STEP_SHIFT = 3; // index = |a| >> 3 for a in Q12

let sinTable: Int32Array | undefined;
let tanhTable: Int32Array | undefined;
let gaussTable: Int32Array | undefined;

export function getSinTable(): Int32Array {
  if (sinTable) return sinTable;
  const quarter = SIN_TABLE_SIZE / 4;
  const q = new Int32Array(quarter + 1);
  for (let i = 0; i <= quarter; i += 1) {
    // angle = 2π·i/4096 = π·i/2048
    q[i] = toQ12(sinFix((PI_FIX * BigInt(i)) / 2048n));
  }
  const t = new Int32Array(SIN_TABLE_SIZE);
  for (let i = 0; i < SIN_TABLE_SIZE; i += 1) {
    const k = i % (2 * quarter);
    const v = k <= quarter ? q[k]! : q[2 * quarter - k]!;
    t[i] = i < 2 * quarter ? v : -v;
  }
  sinTable = t;
  return t;
}

export function getTanhTable(): Int32Array {
  if (tanhTable) return tanhTable;
  const t = new Int32Array(CURVE_TABLE_SIZE);
  for (let i = 0; i < CURVE_TABLE_SIZE; i += 1) {
    // x = i/512; tanh(x) = (e^{2x} - 1) / (e^{2x} + 1)
    const e2x = expFix((BigInt(i) * SCALE) / 256n);
    t[i] = Number(divRoundBig((e2x - SCALE) * BigInt(ONE), e2x + SCALE));
  }
  tanhTable = t;
  return t;
}

export function getGaussianTable(): Int32Array {
  if (gaussTable) return gaussTable;
  const t = new Int32Array(CURVE_TABLE_SIZE);
  for (let i = 0; i < CURVE_TABLE_SIZE; i += 1) {
    // x = i/512; exp(-x^2) = 1 / e^{x^2}
    const x2 = (BigInt(i * i) * SCALE) / 262144n;
    t[i] = Number(divRoundBig(SCALE * BigInt(ONE), expFix(x2)));
  }
  gaussTable = t;
  return t;
}

// ---------------------------------------------------------------------------------------------
// Activations on Q12 integers. Inputs are any int32; outputs are Q12 in the stated range.

/** Pre-activations are clamped to ±2^17 (±32.0) before sin, which keeps `a·10430` inside int32. */
export const SIN_CLAMP = 1 << 17;

/**
 * sin(a) in Q12 ([-4096, 4096]). Index = ((a · 10430) >> 16) & 4095, where 10430 ≈ 2^16/(2π):
 * the table period is 2π·(10430.378/10430) (0.004 % longer than 2π), part of the definition.
 */
export function sinQ(a: number, table: Int32Array): number {
  const c = a > SIN_CLAMP ? SIN_CLAMP : Math.max(a, -SIN_CLAMP);
  return table[(Math.imul(c, 10430) >> 16) & 4095]!;
}

/** tanh(a) in Q12 ([-4096, 4096]); |a| ≥ 4.0 saturates; odd symmetry; index = |a| >> 3. */
export function tanhQ(a: number, table: Int32Array): number {
  const m = a < 0 ? -a : a;
  const v = m >= 16384 ? ONE : table[m >> CURVE_STEP_SHIFT]!;
  return a < 0 ? -v : v;
}

/** exp(-a²) in Q12 ([0, 4096]); |a| ≥ 4.0 gives 0; index = |a| >> 3. */
export function gaussianQ(a: number, table: Int32Array): number {
  const m = a < 0 ? -a : a;
  return m >= 16384 ? 0 : table[m >> CURVE_STEP_SHIFT]!;
}

/** sigmoid(a) = (1 + tanh(a/2)) / 2 in Q12 ([0, 4096]); a/2 is an arithmetic shift. */
export function sigmoidQ(a: number, table: Int32Array): number {
  return (ONE + tanhQ(a >> 1, table)) >> 1;
}
