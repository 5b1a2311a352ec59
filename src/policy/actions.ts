import { type Hex, keccak256, toBytes } from 'viem';
import { GUARD_FIELDS, type GuardField } from '../chain/index.js';

/** The action ids PolicyGuard keys policies by (PolicyActions in contracts/src/policy/IPolicyGuard.sol). */
export const POLICY_ACTIONS = {
  MINT: keccak256(toBytes('provenant.action.MINT')),
  UPDATE: keccak256(toBytes('provenant.action.UPDATE')),
  SET_FEE: keccak256(toBytes('provenant.action.SET_FEE')),
  SYNTH_MINT: keccak256(toBytes('provenant.action.SYNTH_MINT')),
} as const;

export type PolicyActionName = keyof typeof POLICY_ACTIONS;

export function actionName(id: Hex): string {
  const entry = Object.entries(POLICY_ACTIONS).find(([, value]) => value.toLowerCase() === id.toLowerCase());
  return entry ? entry[0] : id;
}

/** The field order of PolicyGuard.Field (CeilingExceeded / GuardianCannotLoosen carry its index). */
export const POLICY_FIELDS = GUARD_FIELDS;
export type PolicyField = GuardField;
