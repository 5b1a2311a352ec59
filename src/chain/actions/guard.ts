import type { Address, Hex } from 'viem';
import type { ProvenantClients } from '../clients.js';
import { policyGuardAbi } from '../generated/contracts.js';
import { type GovernanceCall, governanceCall } from './governance.js';
import { type WriteReturnType, writeContract } from './write.js';

/** PolicyGuard.Field, in enum order (the index `setLimit`, `tightenLimit` and their errors carry). */
export const GUARD_FIELDS = [
  'epochCap',
  'lifetimeCap',
  'rateLimit',
  'subjectRateLimit',
  'minValue',
  'maxValue',
  'maxStep',
  'marginBps',
  'maxOracleAge',
  'maxDeviationBps',
] as const;
export type GuardField = (typeof GUARD_FIELDS)[number];

export type LimitChange = { asset: Address; action: Hex; field: GuardField; value: bigint };

/** The governed call `PolicyGuard.setLimit(asset, action, field, value)` for a proposal (timelock only). */
export function setLimitCall(guard: Address, change: LimitChange, label?: string): GovernanceCall {
  return governanceCall(
    guard,
    policyGuardAbi,
    'setLimit',
    [change.asset, change.action, GUARD_FIELDS.indexOf(change.field), change.value],
    label ?? `set ${change.field} to ${change.value}`,
  );
}

/** A full PolicyGuard.Limits tuple, one value per field (a policy's ceiling or its governed limits). */
export type LimitsTuple = Record<GuardField, bigint>;

/**
 * The governed call `PolicyGuard.lowerCeiling(asset, action, ceiling)` for a proposal (timelock only):
 * `ceiling` is the whole new ceiling (fields not lowered keep their current value); governed limits looser
 * than it are clamped to it at execution, and any field looser than the current ceiling reverts
 * `CeilingExceeded`.
 */
export function lowerCeilingCall(
  guard: Address,
  change: { asset: Address; action: Hex; ceiling: LimitsTuple },
  label: string,
): GovernanceCall {
  const ceiling = Object.fromEntries(GUARD_FIELDS.map((f) => [f, change.ceiling[f]]));
  return governanceCall(guard, policyGuardAbi, 'lowerCeiling', [change.asset, change.action, ceiling], label);
}

/**
 * Guardian (or admin): tightens one governed limit at once. Loosening reverts `GuardianCannotLoosen`
 * (decoded into a ContractRevertError before anything is sent).
 */
export async function tightenLimit(
  clients: ProvenantClients,
  guard: Address,
  change: LimitChange,
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: guard,
    abi: policyGuardAbi,
    functionName: 'tightenLimit',
    args: [change.asset, change.action, GUARD_FIELDS.indexOf(change.field), change.value],
    label: `tighten ${change.field} to ${change.value}`,
  });
}
