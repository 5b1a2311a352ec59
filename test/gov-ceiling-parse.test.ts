import { describe, expect, test } from 'vitest';
import { GUARD_FIELDS, type GuardField } from '../src/chain/index.js';
import {
  CeilingRaiseError,
  clampedBy,
  describeCeilingChange,
  nextCeiling,
  parseCeilingAssignments,
} from '../src/cli/commands/gov.js';
import { POLICY_ACTIONS, type PolicyState } from '../src/policy/index.js';

// `gov propose --lower-ceiling` without a chain: parsing `field=value` lists, the checks against the current
// hard bounds, and the plain-words description, on the demo's sWTI SYNTH_MINT policy.

const E18 = 10n ** 18n;
const limits = (values: Partial<Record<GuardField, bigint>>) =>
  Object.fromEntries(GUARD_FIELDS.map((f) => [f, values[f] ?? 0n])) as PolicyState['limits'];

const policy: PolicyState = {
  policyId: `0x${'22'.repeat(32)}`,
  asset: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  assetLabel: 'sWTI vault',
  action: POLICY_ACTIONS.SYNTH_MINT,
  actionLabel: 'SYNTH_MINT',
  epochLength: 86_400n,
  paused: false,
  limits: limits({ epochCap: 1_500n * E18, lifetimeCap: 200_000n * E18, rateLimit: 5n, marginBps: 3_000n }),
  ceiling: limits({
    epochCap: 10_000n * E18,
    lifetimeCap: 1_000_000n * E18,
    rateLimit: 20n,
    marginBps: 1_000n,
  }),
  epochIndex: 0n,
  epochResetsAt: 86_400n,
  usedThisEpoch: 0n,
  actionsThisEpoch: 0n,
  usedLifetime: 0n,
  value: 0n,
  valueAtEpochStart: 0n,
};

describe('parseCeilingAssignments', () => {
  test('default: pairs split by commas or spaces, SYNTH_MINT caps in whole synth, the rest raw', () => {
    expect(
      parseCeilingAssignments(POLICY_ACTIONS.SYNTH_MINT, [
        'epochCap=5000.5,rateLimit=10',
        ' marginBps = 4000 ',
      ]),
    ).toEqual([
      { field: 'epochCap', value: 5_000_500_000_000_000_000_000n, text: '5000.5' },
      { field: 'rateLimit', value: 10n, text: '10' },
      { field: 'marginBps', value: 4_000n, text: '4000' },
    ]);
  });

  test('behavior: a field named twice, a pair without a value, an unknown field or no pair is refused', () => {
    expect(() => parseCeilingAssignments(POLICY_ACTIONS.SYNTH_MINT, ['epochCap=1,epochcap=2'])).toThrow(
      '--lower-ceiling names epochCap twice.',
    );
    expect(() => parseCeilingAssignments(POLICY_ACTIONS.SYNTH_MINT, ['epochCap'])).toThrow(
      "'epochCap' is not field=value.",
    );
    expect(() => parseCeilingAssignments(POLICY_ACTIONS.SYNTH_MINT, ['epochCap='])).toThrow(
      "'epochCap=' is not field=value.",
    );
    expect(() => parseCeilingAssignments(POLICY_ACTIONS.SYNTH_MINT, ['cap=1'])).toThrow(
      "'cap' is not a policy limit.",
    );
    expect(() => parseCeilingAssignments(POLICY_ACTIONS.SYNTH_MINT, [' , '])).toThrow(
      '--lower-ceiling needs a policy and at least one field=value.',
    );
  });

  test('behavior: a value is parsed exactly like --set-limit (no decimals on a raw field)', () => {
    expect(() => parseCeilingAssignments(POLICY_ACTIONS.SET_FEE, ['maxValue=1.5'])).toThrow(/maxValue/);
  });
});

describe('nextCeiling', () => {
  test('default: the requested fields change, every other field keeps its current bound', () => {
    const next = nextCeiling(policy, [
      { field: 'epochCap', value: 5_000n * E18, text: '5000' },
      { field: 'marginBps', value: 4_000n, text: '4000' },
    ]);
    expect(next).toEqual({ ...policy.ceiling, epochCap: 5_000n * E18, marginBps: 4_000n });
  });

  test('behavior: a ceiling raised or a floor lowered throws CeilingRaiseError naming policy, field, both values and the fix', () => {
    let error: unknown;
    try {
      nextCeiling(policy, [{ field: 'rateLimit', value: 21n, text: '21' }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CeilingRaiseError);
    expect((error as Error).message).toContain(
      'Cannot propose sWTI vault/SYNTH_MINT hard ceiling of rateLimit = 21: it is above the current hard ceiling of 20',
    );
    expect((error as Error).message).toContain(
      'Give rateLimit=<value> at or below 20 (the governed rateLimit is 5 now)',
    );
    expect(() => nextCeiling(policy, [{ field: 'marginBps', value: 999n, text: '999' }])).toThrow(
      'hard floor of marginBps = 999 bps: it is below the current hard floor of 1000 bps',
    );
  });

  test('behavior: bounds equal to the current ones change nothing and are refused', () => {
    expect(() => nextCeiling(policy, [{ field: 'rateLimit', value: 20n, text: '20' }])).toThrow(
      'Every bound given is already the hard bound of sWTI vault/SYNTH_MINT: the proposal would change nothing.',
    );
  });
});

describe('describeCeilingChange and clampedBy', () => {
  test('behavior: old → new per changed bound, and which governed limit it clamps', () => {
    const ceiling = { ...policy.ceiling, epochCap: 1_000n * E18, rateLimit: 10n, marginBps: 3_500n };
    expect(describeCeilingChange(policy, ceiling)).toBe(
      'lower sWTI vault/SYNTH_MINT hard bounds: epochCap ceiling 10000 → 1000 (clamps governed epochCap 1500 → 1000); rateLimit ceiling 20 → 10 (governed 5 stays); marginBps floor 1000 bps → 3500 bps (clamps governed marginBps 3000 bps → 3500 bps)',
    );
    expect(clampedBy(policy, ceiling)).toEqual([
      { field: 'epochCap', from: 1_500n * E18, to: 1_000n * E18 },
      { field: 'marginBps', from: 3_000n, to: 3_500n },
    ]);
  });

  test('behavior: a proposal made elsewhere that raises a bound is flagged as reverting', () => {
    expect(describeCeilingChange(policy, { ...policy.ceiling, rateLimit: 30n })).toBe(
      'lower sWTI vault/SYNTH_MINT hard bounds: rateLimit ceiling 20 → 30 (RAISES the hard ceiling: execution will revert CeilingExceeded)',
    );
    expect(describeCeilingChange(policy, { ...policy.ceiling, marginBps: 500n })).toContain(
      'marginBps floor 1000 bps → 500 bps (LOWERS the hard floor: execution will revert CeilingExceeded)',
    );
  });
});
