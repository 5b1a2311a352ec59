import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { GUARD_FIELDS, type GuardField } from '../../chain/index.js';
import { POLICY_ACTIONS, type PolicyState } from '../../policy/index.js';
import {
  FLOOR_FIELDS,
  formatLimit,
  hardBoundName,
  policyJsonRow,
  policyTableRows,
  shortAmount,
} from './policy.js';

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
    expect(rows.minValue).toBe('5 bps  (floor 1 bps)');
    expect(rows.marginBps).toBe('3000 bps  (floor 1000 bps)');
    expect(rows.maxValue).toBe('100 bps  (ceiling 300 bps)');
    expect(rows.maxStep).toBe('10 bps  (ceiling 50 bps)');
    expect(rows.rateLimit).toBe('4  (ceiling 10)');
  });

  test('behavior: each limit carries its unit (bps, seconds; whole synth and counts bare)', () => {
    const rows = Object.fromEntries(
      policyTableRows({
        ...policy,
        limits: { ...policy.limits, maxOracleAge: 3_600n },
        ceiling: { ...policy.ceiling, maxOracleAge: 86_400n },
      }),
    );
    expect(rows.maxOracleAge).toBe('3600 s  (ceiling 86400 s)');
    expect(formatLimit(POLICY_ACTIONS.SYNTH_MINT, 'epochCap', 1_500n * 10n ** 18n)).toBe('1500');
    expect(formatLimit(POLICY_ACTIONS.SYNTH_MINT, 'maxDeviationBps', 2_500n)).toBe('2500 bps');
  });

  test('behavior: a pause says whether it is the whole guard or the asset, and which proposal lifts it', () => {
    const paused = { ...policy, paused: true };
    expect(Object.fromEntries(policyTableRows(paused, true)).paused).toContain('the whole guard is paused');
    expect(Object.fromEntries(policyTableRows(paused, true)).paused).toContain('gov propose --unpause`');
    expect(Object.fromEntries(policyTableRows(paused, false)).paused).toContain(
      `this asset is paused (only governance unpauses: \`provenant gov propose --unpause ${policy.asset}\`)`,
    );
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

describe('policy show: amounts in the table', () => {
  test('at most 4 decimals, an ellipsis when digits were cut; whole and short amounts as they are', () => {
    expect(shortAmount('5647.493013530899501635')).toBe('5647.4930…');
    expect(shortAmount('1500')).toBe('1500');
    expect(shortAmount('0.25')).toBe('0.25');
    expect(shortAmount('12.3456')).toBe('12.3456');
  });
});

describe('policy show --json: the guard state', () => {
  const guardState = {
    guard: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0' as const,
    globallyPaused: false,
    roles: {
      admin: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9' as const,
      guardian: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC' as const,
      agent: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const,
    },
  };

  test('behavior: each row carries the guard, the roles and the global pause the table prints above it', () => {
    const row = policyJsonRow(policy, guardState);
    expect(row).toMatchObject({ ...guardState, pausedBy: null, policy: 'sWTI/USD pool/SET_FEE' });
    expect(row.limits.maxValue).toBe('100');
  });

  test('behavior: pausedBy says which pause stops the policy (they are lifted by different proposals)', () => {
    const paused = { ...policy, paused: true };
    expect(policyJsonRow(paused, guardState).pausedBy).toBe('asset');
    expect(policyJsonRow(paused, { ...guardState, globallyPaused: true }).pausedBy).toBe('guard');
  });
});
