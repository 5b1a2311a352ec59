import { describe, expect, test } from 'vitest';
import type { SynthVerifyReport } from '../../agent/index.js';
import { synthCheckLine, synthSummaryLine } from './verify.synth.js';

type Check = SynthVerifyReport['checks'][number];

describe('synthCheckLine (user walk s9: whole sWTI in the text, base units in --json)', () => {
  test('a check that carries `shown` prints it; expected/actual (what --json gives) stay base units', () => {
    const check: Check = {
      name: 'vault-event',
      status: 'pass',
      expected: '1500000000000000000000',
      actual: '1500000000000000000000',
      shown: { expected: '1500 sWTI', actual: '1500 sWTI' },
    };
    expect(synthCheckLine(check)).toBe('  ✓ vault-event  1500 sWTI');
    expect(
      synthCheckLine({ ...check, status: 'fail', shown: { expected: '1500 sWTI', actual: '1400 sWTI' } }),
    ).toBe('  ✗ vault-event  expected 1500 sWTI  found 1400 sWTI');
    expect(check.expected).toBe('1500000000000000000000');
  });

  test('a check without `shown` prints expected/actual as recorded', () => {
    expect(synthCheckLine({ name: 'zk-proof', status: 'pass', expected: 'valid', actual: 'valid' })).toBe(
      '  ✓ zk-proof  valid',
    );
  });
});

describe('synthSummaryLine', () => {
  test('one decision is singular, others plural', () => {
    expect(synthSummaryLine(1, 1)).toBe('verify --synth: 1 decision, 1 verified');
    expect(synthSummaryLine(3, 2)).toBe('verify --synth: 3 decisions, 2 verified');
    expect(synthSummaryLine(0, 0)).toBe('verify --synth: 0 decisions, 0 verified');
  });
});
