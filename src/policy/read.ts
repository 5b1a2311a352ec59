import type { Address, Hex, PublicClient } from 'viem';
import { policyGuardAbi } from '../chain/index.js';
import { actionName, type PolicyField } from './actions.js';

export type PolicyLimits = Record<PolicyField, bigint>;

/** One policy as PolicyGuard.policyOf returns it, plus readable names. */
export type PolicyState = {
  policyId: Hex;
  asset: Address;
  /** A name for the asset from the deployment manifest, when known. */
  assetLabel: string;
  action: Hex;
  actionLabel: string;
  epochLength: bigint;
  paused: boolean;
  limits: PolicyLimits;
  ceiling: PolicyLimits;
  epochIndex: bigint;
  epochResetsAt: bigint;
  usedThisEpoch: bigint;
  actionsThisEpoch: bigint;
  usedLifetime: bigint;
  value: bigint;
  valueAtEpochStart: bigint;
};

/** Reads every policy of a guard. `labels` maps asset addresses (any case) to names. */
export async function readPolicies(
  client: PublicClient,
  guard: Address,
  labels: Record<string, string> = {},
): Promise<PolicyState[]> {
  const ids = await client.readContract({ address: guard, abi: policyGuardAbi, functionName: 'policyIds' });
  const keys = await Promise.all(
    ids.map((id) =>
      client.readContract({ address: guard, abi: policyGuardAbi, functionName: 'policyKey', args: [id] }),
    ),
  );
  return Promise.all(keys.map(([asset, action]) => readPolicy(client, guard, asset, action, labels)));
}

export async function readPolicy(
  client: PublicClient,
  guard: Address,
  asset: Address,
  action: Hex,
  labels: Record<string, string> = {},
): Promise<PolicyState> {
  const p = await client.readContract({
    address: guard,
    abi: policyGuardAbi,
    functionName: 'policyOf',
    args: [asset, action],
  });
  return {
    policyId: p.policyId,
    asset: p.asset,
    assetLabel: labelOf(labels, p.asset),
    action: p.action,
    actionLabel: actionName(p.action),
    epochLength: p.epochLength,
    paused: p.paused,
    limits: { ...p.limits },
    ceiling: { ...p.ceiling },
    epochIndex: p.epochIndex,
    epochResetsAt: p.epochResetsAt,
    usedThisEpoch: p.usedThisEpoch,
    actionsThisEpoch: p.actionsThisEpoch,
    usedLifetime: p.usedLifetime,
    value: p.value,
    valueAtEpochStart: p.valueAtEpochStart,
  };
}

export function labelOf(labels: Record<string, string>, address: string): string {
  const found = Object.entries(labels).find(([a]) => a.toLowerCase() === address.toLowerCase());
  return found ? found[1] : address;
}

/** Policy name as people read it: `<asset label>/<ACTION>`. */
export function policyName(p: Pick<PolicyState, 'assetLabel' | 'actionLabel'>): string {
  return `${p.assetLabel}/${p.actionLabel}`;
}
