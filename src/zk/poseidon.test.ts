import { describe, expect, test } from 'vitest';
import { zkCommitment, zkCommitmentOfElements } from './commitment.js';
import { fromField, packValues, toField, unpackValues } from './encoding.js';
import { FIELD_P, poseidon } from './poseidon.js';
import { testModel } from './testModel.js';

describe('poseidon', () => {
  test('matches circomlibjs test vectors', () => {
    // circomlibjs test/poseidon.js: poseidon([1, 2]) and poseidon([1]).
    expect(poseidon([1n, 2n]).toString(16)).toBe(
      '115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a',
    );
    expect(poseidon([1n]).toString(16)).toBe(
      '29176100eaa962bdc1fe6c654d6a3c130e96a4d1168b33848b897dc502820133',
    );
  });

  test('behavior: rejects 0 or 17 inputs', () => {
    expect(() => poseidon([])).toThrow(RangeError);
    expect(() => poseidon(Array.from({ length: 17 }, () => 1n))).toThrow(RangeError);
  });

  test('behavior: reduces inputs mod p (−1 and p − 1 hash alike)', () => {
    expect(poseidon([-1n])).toBe(poseidon([FIELD_P - 1n]));
  });
});

describe('zkCommitment', () => {
  test('depends on every weight and on the element count', () => {
    const m = testModel();
    const base = zkCommitment(m);
    const changed = structuredClone(m);
    changed.layers[1]!.bias[1]! += 1;
    expect(zkCommitment(changed)).not.toBe(base);
    expect(zkCommitmentOfElements([0n])).not.toBe(zkCommitmentOfElements([0n, 0n]));
  });

  test('is deterministic for the seeded test model', () => {
    expect(zkCommitment(testModel())).toBe(zkCommitment(testModel()));
    expect(zkCommitment(testModel({ seed: 8 }))).not.toBe(zkCommitment(testModel()));
  });
});

describe('encoding', () => {
  test('pack/unpack round-trips signed values at 40 and 62 bits', () => {
    const values = [0n, -1n, 1n, (1n << 39n) - 1n, -(1n << 39n), 123456789n, -987654321n, 8648000000n];
    expect(unpackValues(packValues(values), values.length)).toEqual(values);
    expect(packValues(values)).toHaveLength(2); // six 40-bit values per element
    const wide = [...values, (1n << 61n) - 1n, -(1n << 61n)];
    expect(unpackValues(packValues(wide, 62), wide.length, 62)).toEqual(wide);
    expect([...packValues(values), ...packValues(wide, 62)].every((w) => w < FIELD_P)).toBe(true);
  });

  test('behavior: refuses values outside the proven range', () => {
    expect(() => packValues([1n << 39n])).toThrow(RangeError);
    expect(() => packValues([-(1n << 39n) - 1n])).toThrow(RangeError);
  });

  test('field round trip of negatives', () => {
    expect(fromField(toField(-42n))).toBe(-42n);
  });
});
