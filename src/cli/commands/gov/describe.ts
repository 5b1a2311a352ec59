// Why: voters read proposals and their effects in plain words; decoding calls and events against the guard
// is one job, kept apart from the commands that print it.
import { type Address, decodeFunctionData, formatUnits, type Hex } from 'viem';
import {
  GUARD_FIELDS,
  type GuardField,
  type ProvenantClients,
  policyGuardAbi,
} from '../../../chain/index.js';
import { type PolicyState, policyName, readPolicies } from '../../../policy/index.js';
import { type Deployment, FLOOR_FIELDS, formatLimit, hardBoundName } from '../policy.js';

/** Governance votes (ProvenantVotes, PVG) are an 18-decimal ERC20Votes token. */
const VOTE_DECIMALS = 18;

/** An amount of votes for people: `40000 PVG`. */
export const formatVotes = (votes: bigint | string) => `${formatUnits(BigInt(votes), VOTE_DECIMALS)} PVG`;

/** True when `value` lies beyond the field's hard bound (above a ceiling, below a floor: PolicyGuard._looser). */
export const beyondBound = (p: PolicyState, field: GuardField, value: bigint) =>
  looser(field, value, p.ceiling[field]);

/** True when `a` is looser than `b` for `field` (PolicyGuard._looser: a lower floor, a higher ceiling). */
const looser = (field: GuardField, a: bigint, b: bigint) => (FLOOR_FIELDS.includes(field) ? a < b : a > b);

/**
 * One limit change in plain words: policy, field, the value now, the value proposed and the hard bound,
 * e.g. `set sWTI vault/SYNTH_MINT epochCap: 1500 → 2000 (hard ceiling 10000)`.
 */
export function describeLimitChange(p: PolicyState, field: GuardField, value: bigint): string {
  const f = (v: bigint) => formatLimit(p.action, field, v);
  const now = p.limits[field];
  const change = now === value ? `${f(value)}, its current value` : `${f(now)} → ${f(value)}`;
  const bound = `hard ${hardBoundName(field)} ${f(p.ceiling[field])}`;
  const beyond = beyondBound(p, field, value)
    ? `; BEYOND the hard ${hardBoundName(field)}: execution will revert CeilingExceeded`
    : '';
  return `set ${policyName(p)} ${field}: ${change} (${bound}${beyond})`;
}

/**
 * A proposed new hard bound of a policy in plain words: each field whose bound changes, old → new, and the
 * governed limits the new bound will clamp, e.g. `lower sWTI vault/SYNTH_MINT hard bounds: epochCap ceiling
 * 10000 → 5000 (governed 1500 stays); marginBps floor 1000 bps → 4000 bps (clamps governed marginBps
 * 3000 bps → 4000 bps)`. A field looser than the current bound is flagged: execution would revert.
 */
export function describeCeilingChange(p: PolicyState, ceiling: Readonly<Record<GuardField, bigint>>): string {
  const parts = GUARD_FIELDS.filter((field) => ceiling[field] !== p.ceiling[field]).map((field) => {
    const f = (v: bigint) => formatLimit(p.action, field, v);
    const bound = hardBoundName(field);
    const next = ceiling[field];
    const change = `${field} ${bound} ${f(p.ceiling[field])} → ${f(next)}`;
    if (looser(field, next, p.ceiling[field]))
      return `${change} (${bound === 'floor' ? 'LOWERS' : 'RAISES'} the hard ${bound}: execution will revert CeilingExceeded)`;
    const governed = p.limits[field];
    return looser(field, governed, next)
      ? `${change} (clamps governed ${field} ${f(governed)} → ${f(next)})`
      : `${change} (governed ${f(governed)} stays)`;
  });
  return `lower ${policyName(p)} hard bounds: ${parts.join('; ') || 'every bound is already at the proposed value'}`;
}

/** The governed limits a new ceiling clamps at execution: field, value now, value after. */
export function clampedBy(
  p: PolicyState,
  ceiling: Readonly<Record<GuardField, bigint>>,
): { field: GuardField; from: bigint; to: bigint }[] {
  return GUARD_FIELDS.filter((field) => looser(field, p.limits[field], ceiling[field])).map((field) => ({
    field,
    from: p.limits[field],
    to: ceiling[field],
  }));
}

/**
 * A proposed call decoded against the guard it targets, in plain words (which policy, which field, old →
 * new value against the hard bound; which pause is lifted). Calls it cannot decode keep their saved label.
 */
export function describeCall(
  call: { target: Address; data: Hex; label: string },
  guard: Address,
  policies: readonly PolicyState[],
): string {
  if (call.target.toLowerCase() !== guard.toLowerCase()) return call.label;
  let decoded: { functionName: string; args?: readonly unknown[] | undefined };
  try {
    decoded = decodeFunctionData({ abi: policyGuardAbi, data: call.data });
  } catch {
    return call.label;
  }
  const args = decoded.args ?? [];
  const policyOf = (asset: unknown, action: unknown) =>
    policies.find(
      (p) =>
        p.asset.toLowerCase() === String(asset).toLowerCase() &&
        p.action.toLowerCase() === String(action).toLowerCase(),
    );
  if (decoded.functionName === 'setLimit') {
    const [asset, action, fieldIndex, value] = args;
    const field = GUARD_FIELDS[Number(fieldIndex)];
    const p = policyOf(asset, action);
    return field && p && typeof value === 'bigint' ? describeLimitChange(p, field, value) : call.label;
  }
  if (decoded.functionName === 'lowerCeiling') {
    const [asset, action, ceiling] = args;
    const p = policyOf(asset, action);
    return p && ceiling && typeof ceiling === 'object'
      ? describeCeilingChange(p, ceiling as Record<GuardField, bigint>)
      : call.label;
  }
  if (decoded.functionName === 'unpause') return 'unpause the whole guard (every agent action resumes)';
  if (decoded.functionName === 'unpauseAsset') {
    const p = policies.find((x) => x.asset.toLowerCase() === String(args[0]).toLowerCase());
    const paused = p ? ` (now ${p.paused ? 'paused' : 'not paused'})` : '';
    return `unpause ${p?.assetLabel ?? String(args[0])}${paused}`;
  }
  return call.label;
}

/**
 * An event of an executed proposal in plain words: a limit change as `policy: field old → new`, a pause
 * lifted by name; any other event by its name and contract.
 */
export function describeEvent(
  e: { eventName: string; args: Record<string, unknown>; address: Address },
  deployment: Deployment,
  policies: readonly PolicyState[],
): string {
  const isGuard = e.address.toLowerCase() === deployment.addresses.guard.toLowerCase();
  // Both events carry a policy's whole Limits tuple before and after: the governed limits, or its hard bounds.
  if (isGuard && (e.eventName === 'LimitsChanged' || e.eventName === 'CeilingLowered')) {
    const p = policies.find((x) => x.policyId.toLowerCase() === String(e.args.policyId).toLowerCase());
    const previous = e.args.previous as Record<string, bigint> | undefined;
    const current = e.args.current as Record<string, bigint> | undefined;
    if (p && previous && current) {
      const bounds = e.eventName === 'CeilingLowered';
      const changed = GUARD_FIELDS.filter((f) => previous[f] !== current[f]).map(
        (f) =>
          `${f}${bounds ? ` ${hardBoundName(f)}` : ''} ${formatLimit(p.action, f, previous[f] ?? 0n)} → ${formatLimit(p.action, f, current[f] ?? 0n)}`,
      );
      const none = bounds ? '(no bound changed)' : '(no field changed)';
      return `${e.eventName}: ${policyName(p)} ${changed.join(', ') || none}`;
    }
  }
  if (isGuard && e.eventName === 'GlobalUnpaused') return 'GlobalUnpaused: the whole guard is unpaused';
  if (isGuard && e.eventName === 'AssetUnpaused') {
    const asset = String(e.args.asset);
    const label = Object.entries(deployment.labels).find(
      ([a]) => a.toLowerCase() === asset.toLowerCase(),
    )?.[1];
    return `AssetUnpaused: ${label ?? asset} is unpaused`;
  }
  return `${e.eventName} at ${e.address}`;
}

/** The guard's policies with the deployment's names, for decoding proposals. */
export const policiesOf = (clients: ProvenantClients, deployment: Deployment) =>
  readPolicies(clients.publicClient, deployment.addresses.guard, deployment.labels);
