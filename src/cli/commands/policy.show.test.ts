import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GUARD_FIELDS, type GuardField } from '../../chain/index.js';
import { POLICY_ACTIONS, type PolicyState } from '../../policy/index.js';
import { FLOOR_FIELDS, hardBoundName, policyTableRows } from './policy.js';

const limits = (values: Partial<Record<GuardField, bigint>>) =>
  Object.fromEntries(GUARD_FIELDS.map((f) => [f, values[f] ?? 0n])) as PolicyState['limits'];

/** A pool SET_FEE policy as the devnet bootstrap creates one: fee bounds, a margin floor. */
const policy: PolicyState = {
  policyId: `0x${'11'.repeat(32)}`,
  asset: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  assetLabel: 'sWTI/USD pool',
  action: POLICY_ACTIONS.SET_FEE,
  actionLabel: 'SET_FEE',
  epochLength: 86_400n,
  paused: false,
  limits: limits({ rateLimit: 4n, minValue: 5n, maxValue: 100n, maxStep: 10n, marginBps: 3000n }),
  ceiling: limits({ rateLimit: 10n, minValue: 1n, maxValue: 300n, maxStep: 50n, marginBps: 1000n }),
  epochIndex: 0n,
  epochResetsAt: 86_400n,
  usedThisEpoch: 0n,
  actionsThisEpoch: 1n,
  usedLifetime: 0n,
  value: 30n,
  valueAtEpochStart: 30n,
};

describe('policy show: hard bounds', () => {
  test('behavior: minValue and marginBps print their bound as a floor, the other fields as a ceiling', () => {
    const rows = Object.fromEntries(policyTableRows(policy));
    expect(rows.minValue).toBe('5  (floor 1)');
    expect(rows.marginBps).toBe('3000  (floor 1000)');
    expect(rows.maxValue).toBe('100  (ceiling 300)');
    expect(rows.maxStep).toBe('10  (ceiling 50)');
    expect(rows.rateLimit).toBe('4  (ceiling 10)');
  });

  test('FLOOR_FIELDS are exactly the fields PolicyGuard._looser treats as "lower is looser"', () => {
    const source = readFileSync(
      new URL('../../../contracts/src/policy/PolicyGuard.sol', import.meta.url),
      'utf8',
    );
    const body = /function _looser\([^)]*\)[^{]*\{([\s\S]*?)\n {4}\}/.exec(source)?.[1];
    expect(body, '_looser() not found in PolicyGuard.sol').toBeDefined();
    // `(i == uint256(Field.MinValue) || i == uint256(Field.MarginBps)) ? a < b : a > b`
    const named = [...(body ?? '').matchAll(/Field\.(\w+)/g)].map((m) => m[1] as string);
    expect(body).toMatch(/\?\s*a\s*<\s*b\s*:\s*a\s*>\s*b/);
    const asFields = named.map((n) => `${n[0]?.toLowerCase()}${n.slice(1)}`);
    expect(asFields).toEqual([...FLOOR_FIELDS]);
    expect(GUARD_FIELDS.filter((f) => hardBoundName(f) === 'floor')).toEqual(['minValue', 'marginBps']);
  });
});
