// Why: `gov propose` (and `model approve`, through proposeAndSave) turns a change into a saved proposal and
// prints what was proposed and what to do next.
import type { Command } from 'commander';
import { formatUnits } from 'viem';
import {
  ensureDelegated,
  governanceCall,
  lowerCeilingCall,
  type Proposal,
  type ProposalState,
  passProposalOnDevnet,
  policyGuardAbi,
  proposalState,
  propose,
  recordProposal,
  setLimitCall,
} from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { type PolicyState, readPolicy } from '../../../policy/index.js';
import type { ChainContext } from '../../context.js';
import { printTable, toJson } from '../../output.js';
import {
  type Deployment,
  fieldDecimals,
  iso,
  parseField,
  parseLimitValue,
  resolveAssetRef,
  resolvePolicyRef,
  splitPolicyRef,
  withDeployment,
} from '../policy.js';
import { nextCeiling, parseCeilingAssignments } from './ceiling.js';
import {
  beyondBound,
  clampedBy,
  describeCall,
  describeCeilingChange,
  describeLimitChange,
  policiesOf,
} from './describe.js';
import { advanceTo, devnetClients } from './devnet.js';
import { LimitBeyondBoundError } from './errors.js';
import { readGovernor } from './governor.js';

/**
 * Proposes `calls` (self-delegating the signer's votes first: ERC20Votes counts only delegated
 * balances), saves the proposal under the state dir, and with `advance` / `pass` moves a devnet on.
 */
export async function proposeAndSave(
  context: ChainContext,
  deployment: Deployment,
  proposal: Proposal,
  options: { advance?: boolean; pass?: boolean },
): Promise<{ id: bigint; path: string; state: ProposalState }> {
  const clients = options.advance || options.pass ? await devnetClients(context.clients) : context.clients;
  const { governor, timelock, votes } = deployment.addresses;
  await ensureDelegated(clients, votes);
  let id: bigint;
  if (options.pass) {
    ({ id } = await passProposalOnDevnet(clients, { governor, timelock }, proposal));
  } else {
    ({ id } = await propose(clients, governor, proposal));
  }
  const path = recordProposal(context.stateDir, clients, governor, id, proposal);
  if (options.advance && !options.pass) {
    await advanceTo(clients, (await readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id])) + 1n);
  }
  return { id, path, state: await proposalState(clients, governor, id) };
}

export function printProposed(
  result: { id: bigint; path: string; state: ProposalState },
  json: boolean | undefined,
  changes: readonly string[] = [],
  extra: Record<string, unknown> = {},
): void {
  if (json) {
    console.log(
      toJson({ id: result.id.toString(), state: result.state, path: result.path, changes, ...extra }),
    );
    return;
  }
  const short = result.id.toString().slice(0, 12);
  console.log(`Proposal ${result.id}`);
  const next: Partial<Record<ProposalState, string>> = {
    Executed: 'nothing (executed)',
    Pending: `provenant gov vote ${short} once voting opens (\`provenant gov status ${short}\` says when; on a devnet \`--advance\` opens it at once)`,
  };
  printTable([
    ...changes.map((c, i): [string, string] => [changes.length > 1 ? `change ${i + 1}` : 'change', c]),
    ['state', result.state],
    ['saved', result.path],
    ['next', next[result.state] ?? `provenant gov vote ${short}`],
  ]);
}

/** `provenant gov propose`; registered (with its options) in gov.register.ts. */
export const govProposeAction = async (
  flags: {
    setLimit?: string[];
    lowerCeiling?: string[];
    unpause?: string | boolean;
    createPolicies?: boolean;
    description?: string;
    advance?: boolean;
    pass?: boolean;
    json?: boolean;
  },
  command: Command,
) => {
  const kinds = [
    flags.setLimit !== undefined,
    flags.lowerCeiling !== undefined,
    flags.unpause !== undefined,
    flags.createPolicies === true,
  ];
  if (kinds.filter(Boolean).length !== 1) {
    throw new NonRetryableError(
      'Propose exactly one change: --set-limit, --lower-ceiling, --unpause or --create-policies.',
      {
        details:
          'Examples: provenant gov propose --set-limit sWTI/SYNTH_MINT epochCap 2000; provenant gov propose --lower-ceiling sWTI/SYNTH_MINT epochCap=5000; provenant gov propose --unpause; provenant gov propose --unpause nft; provenant gov propose --create-policies',
      },
    );
  }
  if (flags.lowerCeiling !== undefined) {
    await proposeLowerCeiling(command, flags.lowerCeiling, flags);
    return;
  }
  if (flags.createPolicies) {
    await withDeployment(command, (context, deployment) =>
      proposeMissingPolicies(context, deployment, flags),
    );
    return;
  }
  if (flags.unpause !== undefined) {
    const target = flags.unpause;
    await withDeployment(command, async (context, deployment) => {
      const guard = deployment.addresses.guard;
      const resolved = typeof target === 'string' ? resolveAssetRef(target, deployment) : undefined;
      const label = resolved ? `unpause ${resolved.label ?? resolved.asset}` : 'unpause the guard';
      const call = resolved
        ? governanceCall(guard, policyGuardAbi, 'unpauseAsset', [resolved.asset], label)
        : governanceCall(guard, policyGuardAbi, 'unpause', [], label);
      const description = flags.description ?? (await describedNow(context, label));
      const policies = await policiesOf(context.clients, deployment);
      printProposed(
        await proposeAndSave(context, deployment, { description, calls: [call] }, flags),
        flags.json,
        [describeCall(call, guard, policies)],
      );
    });
    return;
  }
  if (flags.setLimit?.length !== 3) {
    throw new NonRetryableError(
      `--set-limit takes 3 values (policy, field, value), got ${flags.setLimit?.length ?? 0}.`,
      {
        details: 'Example: provenant gov propose --set-limit sWTI/SYNTH_MINT epochCap 2000',
      },
    );
  }
  const [ref, fieldText, valueText] = flags.setLimit as [string, string, string];
  // Checked before the chain is opened: the action (from the text) fixes the value's units.
  const field = parseField(fieldText);
  const value = parseLimitValue(splitPolicyRef(ref).action, field, valueText, `${field} value (--set-limit)`);
  await withDeployment(command, async (context, deployment) => {
    const policy = resolvePolicyRef(ref, deployment);
    // The hard bound is known now: a value beyond it would pass the vote and revert at execution.
    const current = await readPolicyNow(context, deployment, policy);
    if (beyondBound(current, field, value)) throw new LimitBeyondBoundError(current, field, value);
    const label = `set ${policy.name} ${field} to ${valueText}`;
    const description = flags.description ?? (await describedNow(context, label));
    const result = await proposeAndSave(
      context,
      deployment,
      {
        description,
        calls: [
          setLimitCall(
            deployment.addresses.guard,
            { asset: policy.asset, action: policy.action, field, value },
            label,
          ),
        ],
      },
      flags,
    );
    printProposed(result, flags.json, [describeLimitChange(current, field, value)]);
  });
};

/**
 * `gov propose --lower-ceiling <policy> field=value[,…]`: one `PolicyGuard.lowerCeiling` call whose other
 * fields keep the policy's current bounds, refused before any transaction when a field would be looser than
 * its current bound.
 */
async function proposeLowerCeiling(
  command: Command,
  args: readonly string[],
  flags: { description?: string; advance?: boolean; pass?: boolean; json?: boolean },
): Promise<void> {
  const [ref, ...assignments] = args;
  if (ref === undefined)
    throw new NonRetryableError('--lower-ceiling needs a policy and at least one field=value.', {
      details:
        'Example: provenant gov propose --lower-ceiling sWTI/SYNTH_MINT epochCap=5000,lifetimeCap=500000',
    });
  // Checked before the chain is opened: the action (from the text) fixes the values' units.
  const requested = parseCeilingAssignments(splitPolicyRef(ref).action, assignments);
  await withDeployment(command, async (context, deployment) => {
    const policy = resolvePolicyRef(ref, deployment);
    const current = await readPolicyNow(context, deployment, policy);
    const ceiling = nextCeiling(current, requested);
    const label = `lower the hard bounds of ${policy.name}: ${requested.map((r) => `${r.field}=${r.text}`).join(', ')}`;
    const description = flags.description ?? (await describedNow(context, label));
    const call = lowerCeilingCall(
      deployment.addresses.guard,
      { asset: policy.asset, action: policy.action, ceiling },
      label,
    );
    const result = await proposeAndSave(context, deployment, { description, calls: [call] }, flags);
    const clamps = clampedBy(current, ceiling);
    printProposed(result, flags.json, [describeCeilingChange(current, ceiling)], {
      // Whole units, as `policy show --json` gives limits (SYNTH_MINT caps in whole synth).
      clamps: clamps.map((c) => ({
        field: c.field,
        from: formatUnits(c.from, fieldDecimals(policy.action, c.field)),
        to: formatUnits(c.to, fieldDecimals(policy.action, c.field)),
      })),
    });
  });
}

/**
 * A proposal's default description: `label` as a sentence, stamped with chain time. The stamp keeps two
 * proposals of the same change apart (the governor derives the id from the description too).
 */
async function describedNow(context: ChainContext, label: string): Promise<string> {
  const now = (await context.clients.publicClient.getBlock()).timestamp;
  return `${label[0]?.toUpperCase()}${label.slice(1)} (proposed at ${iso(now)})`;
}

/** The policy's limits and hard bounds as the guard holds them now (a proposal is checked against them). */
function readPolicyNow(
  context: ChainContext,
  deployment: Deployment,
  policy: { asset: PolicyState['asset']; action: PolicyState['action'] },
): Promise<PolicyState> {
  return readPolicy(
    context.clients.publicClient,
    deployment.addresses.guard,
    policy.asset,
    policy.action,
    deployment.labels,
  );
}

/** Every default policy of the agent already exists: nothing to create. */
export class PoliciesExistError extends NonRetryableError {
  override name = 'PoliciesExistError';
}

/**
 * `gov propose --create-policies`: one proposal creating each of the agent's default policies
 * (`demoPolicies`: the limits of docs/governance.md) that the guard does not have yet. Until governance
 * creates them, the guard refuses every agent action (`PolicyUnknown`).
 */
async function proposeMissingPolicies(
  context: ChainContext,
  deployment: Deployment,
  flags: { description?: string; advance?: boolean; pass?: boolean; json?: boolean },
): Promise<void> {
  // Loaded here: the agent module (the default limits) is heavy and only this option needs it.
  const { createPolicyCall, demoPolicies } = await import('../../../agent/index.js');
  const existing = await policiesOf(context.clients, deployment);
  const has = (asset: string, action: string) =>
    existing.some((p) => p.asset.toLowerCase() === asset.toLowerCase() && p.action === action);
  const missing = demoPolicies(deployment.addresses).filter((p) => !has(p.asset, p.action));
  if (missing.length === 0)
    throw new PoliciesExistError(
      `The guard has every default policy already (${existing.length} policies): there is nothing to create.`,
      {
        details:
          'Change a limit with `provenant gov propose --set-limit <policy> <field> <value>`; `provenant policy show` lists them.',
        docsPath: 'docs/governance.md',
      },
    );
  const calls = missing.map((p) => createPolicyCall(deployment.addresses.guard, p));
  const description =
    flags.description ??
    (await describedNow(context, `create the agent's default policies (${missing.length})`));
  const result = await proposeAndSave(context, deployment, { description, calls }, flags);
  printProposed(
    result,
    flags.json,
    calls.map((c) => c.label),
  );
}
