import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GUARD_FIELDS } from '../../chain/index.js';
import { LIMIT_FIELD_BITS } from './policy.js';

describe('LIMIT_FIELD_BITS', () => {
  test('matches PolicyGuard._widths() in the Solidity source, field by field', () => {
    const source = readFileSync(
      new URL('../../../contracts/src/policy/PolicyGuard.sol', import.meta.url),
      'utf8',
    );
    const body = /function _widths\(\)[^{]*\{([\s\S]*?)\n {4}\}/.exec(source)?.[1];
    expect(body, '_widths() not found in PolicyGuard.sol').toBeDefined();
    const bits = [...(body ?? '').matchAll(/type\(uint(\d+)\)\.max/g)].map((m) => Number(m[1]));
    expect(bits).toEqual(GUARD_FIELDS.map((f) => LIMIT_FIELD_BITS[f]));
  });
});
