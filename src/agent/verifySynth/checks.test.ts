import { describe, expect, test } from 'vitest';
import { checkRecorder, synthUnits } from './checks.js';
import type { SynthVerifyReport } from './types.js';

describe('checkRecorder', () => {
  test('records `shown` (whole units, text only) beside expected/actual (base units, as --json gives them)', () => {
    const report: SynthVerifyReport = {
      intentId: `0x${'11'.repeat(32)}`,
      manifestCid: 'x',
      ok: false,
      checks: [],
    };
    const { check, finish } = checkRecorder(report);
    check('vault-event', true, '1500000000000000000000', 1500000000000000000000n, 'tx 0xab', {
      expected: synthUnits('1500000000000000000000'),
      actual: synthUnits(1500000000000000000000n),
    });
    check('zk-proof', true, 'valid', 'valid');
    expect(finish().checks).toEqual([
      {
        name: 'vault-event',
        status: 'pass',
        expected: '1500000000000000000000',
        actual: '1500000000000000000000',
        detail: 'tx 0xab',
        shown: { expected: '1500 sWTI', actual: '1500 sWTI' },
      },
      { name: 'zk-proof', status: 'pass', expected: 'valid', actual: 'valid' },
    ]);
    expect(synthUnits(5361311730810305084361n)).toBe('5361.311730810305084361 sWTI');
  });
});
