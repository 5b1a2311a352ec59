import { FIELD_P } from './poseidon.js';

/**
 * How signed fixed-point integers live in the circuit and in the public signals.
 *
 * - Inside the circuit a signed integer v is the field element v mod p (negative values are p − |v|).
 *   Every value the arithmetic depends on is range-checked to `valueBits` signed bits
 *   (−2^(n−1) ≤ v < 2^(n−1)) by bit-decomposing its offset form v + 2^(n−1) (circomlib Num2Bits), so
 *   field arithmetic on them equals integer arithmetic (|acc| stays far below p/2).
 * - In the public signals values are packed: enc(v) = v + 2^(n−1) ∈ [0, 2^n), floor(253 / n) per field
 *   element, element k = Σ_i enc(v_{P·k+i}) · 2^(n·i). The gate contract unpacks with shifts and masks.
 *
 * The default, 40 bits, holds oracle answers with 8 decimals up to 5,497.55 and fixed-point values at
 * scaleBits 20 up to ±524,288; pick more bits (fewer per element, more public signals, more gas) for
 * larger feeds.
 */
export const DEFAULT_VALUE_BITS = 40;
/** Kept for readers of the default layout. */
export const VALUE_BITS = DEFAULT_VALUE_BITS;

export function packPerElement(valueBits: number): number {
  return Math.floor(253 / valueBits);
}

/** Signed integer → field element. */
export function toField(v: bigint | number): bigint {
  const b = BigInt(v);
  return ((b % FIELD_P) + FIELD_P) % FIELD_P;
}

/** Field element → signed integer (values above p/2 are negative). */
export function fromField(f: bigint): bigint {
  return f > FIELD_P / 2n ? f - FIELD_P : f;
}

export function inValueRange(v: bigint | number, valueBits = DEFAULT_VALUE_BITS): boolean {
  const b = BigInt(v);
  const half = 1n << BigInt(valueBits - 1);
  return b >= -half && b < half;
}

/** Packs signed values (each within `valueBits`) into field elements. */
export function packValues(values: readonly (bigint | number)[], valueBits = DEFAULT_VALUE_BITS): bigint[] {
  const per = packPerElement(valueBits);
  const offset = 1n << BigInt(valueBits - 1);
  const out: bigint[] = [];
  for (let k = 0; k < values.length; k += per) {
    let acc = 0n;
    for (let i = 0; i < per && k + i < values.length; i++) {
      const v = BigInt(values[k + i]!);
      if (!inValueRange(v, valueBits))
        throw new RangeError(`packValues: ${v} is outside the ${valueBits}-bit signed range`);
      acc += (v + offset) << BigInt(valueBits * i);
    }
    out.push(acc);
  }
  return out;
}

/** Inverse of `packValues` for `count` values. */
export function unpackValues(
  packed: readonly bigint[],
  count: number,
  valueBits = DEFAULT_VALUE_BITS,
): bigint[] {
  const per = packPerElement(valueBits);
  const offset = 1n << BigInt(valueBits - 1);
  const mask = (1n << BigInt(valueBits)) - 1n;
  const out: bigint[] = [];
  for (let n = 0; n < count; n++) {
    const word = packed[Math.floor(n / per)]!;
    out.push(((word >> BigInt(valueBits * (n % per))) & mask) - offset);
  }
  return out;
}
