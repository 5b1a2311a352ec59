import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type Address, createTestClient, decodeFunctionData, formatUnits, type Hex, http } from 'viem';
import { z } from 'zod';
import {
  castVote,
  ensureDelegated,
  execute,
  type GovernanceCall,
  GUARD_FIELDS,
  type GuardField,
  governanceCall,
  type Proposal,
  type ProposalState,
  ProposalStateError,
  type ProvenantClients,
  passProposalOnDevnet,
  policyGuardAbi,
  proposalState,
  proposalsDir,
  propose,
  provenantGovernorAbi,
  queue,
  type SavedProposal,
  savedProposalOf,
  saveProposal,
  setLimitCall,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { type PolicyState, policyName, readPolicies, readPolicy } from '../../policy/index.js';
import type { ChainContext } from '../context.js';
import { InputFileError, readJsonFile } from '../files.js';
import { printTable, toJson } from '../output.js';
import { findRevert } from '../refusal.js';
import {
  type Deployment,
  FLOOR_FIELDS,
  formatLimit,
  hardBoundName,
  iso,
  parseField,
  parseLimitValue,
  resolveAssetRef,
  resolvePolicyRef,
  splitPolicyRef,
  withDeployment,
} from './policy.js';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x address');

/** The shape of `<stateDir>/proposals/<id>.json` (checked on read: a hand-edited or truncated file is named, not trusted). */
const SavedProposalSchema = z.object({
  id: z.string().regex(/^\d+$/, 'expected the decimal proposal id'),
  chainId: z.number().int(),
  governor: address,
  description: z.string(),
  calls: z.array(
    z.object({
      target: address,
      value: z.string().regex(/^\d+$/, 'expected a decimal wei amount'),
      data: z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x-hex calldata'),
      label: z.string(),
    }),
  ),
  proposer: address,
  createdAt: z.string(),
});

const proposalRole = (stateDir: string) => ({
  what: 'saved proposal',
  repair: `Restore it from a backup, or move it out of ${proposalsDir(stateDir)} (the proposal stays on-chain; only this record of its calls is lost, and \`provenant gov propose\` with the same calls and description writes it again).`,
});

/**
 * Every readable saved proposal, oldest first. A file that is not a valid saved proposal is skipped with
 * a warning naming it (through `warn`), so one broken file does not hide the others.
 */
export function listSaved(stateDir: string, warn: (message: string) => void = defaultWarn): SavedProposal[] {
  const dir = proposalsDir(stateDir);
  if (!existsSync(dir)) return [];
  const saved: SavedProposal[] = [];
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    try {
      saved.push(readJsonFile(join(dir, f), SavedProposalSchema, proposalRole(stateDir)) as SavedProposal);
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      warn(`Warning: ${error.shortMessage}; skipped it.\n  ${error.details ?? ''}`);
    }
  }
  return saved.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const defaultWarn = (message: string) => console.error(message);

/** Finds a saved proposal by its id or a unique prefix of it (ids are 78-digit numbers). */
export function loadProposal(
  stateDir: string,
  idOrPrefix: string,
  chainId: number,
): { id: bigint; proposal: Proposal; saved: SavedProposal } {
  const all = listSaved(stateDir).filter((p) => p.chainId === chainId);
  const matches = all.filter((p) => p.id === idOrPrefix || p.id.startsWith(idOrPrefix));
  const exact = matches.find((p) => p.id === idOrPrefix);
  const saved = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!saved) {
    throw new NonRetryableError(
      matches.length > 1
        ? `Proposal id prefix '${idOrPrefix}' matches ${matches.length} saved proposals.`
        : `No saved proposal '${idOrPrefix}' for chain ${chainId} under ${proposalsDir(stateDir)}.`,
      {
        details:
          all.length > 0
            ? `Saved proposals: ${all.map((p) => `${p.id.slice(0, 12)}… (${p.description})`).join('; ')}. Give more digits, or run \`provenant gov status\`.`
            : 'Proposals are saved by `provenant gov propose` (and `model approve`) in this state dir; pass the same --state-dir.',
        docsPath: 'docs/governance.md',
      },
    );
  }
  return { id: BigInt(saved.id), proposal: proposalOf(saved), saved };
}

/** The governor's view of a saved proposal: its description and calls. */
function proposalOf(saved: SavedProposal): Proposal {
  const calls: GovernanceCall[] = saved.calls.map((c) => ({
    target: c.target,
    value: BigInt(c.value),
    data: c.data,
    label: c.label,
  }));
  return { description: saved.description, calls };
}

/** Governance votes (ProvenantVotes, PVG) are an 18-decimal ERC20Votes token. */
const VOTE_DECIMALS = 18;

/** An amount of votes for people: `40000 PVG`. */
export const formatVotes = (votes: bigint | string) => `${formatUnits(BigInt(votes), VOTE_DECIMALS)} PVG`;

/** True when `value` lies beyond the field's hard bound (above a ceiling, below a floor: PolicyGuard._looser). */
const beyondBound = (p: PolicyState, field: GuardField, value: bigint) =>
  FLOOR_FIELDS.includes(field) ? value < p.ceiling[field] : value > p.ceiling[field];

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
  if (isGuard && e.eventName === 'LimitsChanged') {
    const p = policies.find((x) => x.policyId.toLowerCase() === String(e.args.policyId).toLowerCase());
    const previous = e.args.previous as Record<string, bigint> | undefined;
    const current = e.args.current as Record<string, bigint> | undefined;
    if (p && previous && current) {
      const changed = GUARD_FIELDS.filter((f) => previous[f] !== current[f]).map(
        (f) =>
          `${f} ${formatLimit(p.action, f, previous[f] ?? 0n)} → ${formatLimit(p.action, f, current[f] ?? 0n)}`,
      );
      return `LimitsChanged: ${policyName(p)} ${changed.join(', ') || '(no field changed)'}`;
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

/** A governed limit proposed beyond its hard bound: the vote would pass and execution revert. */
export class LimitBeyondBoundError extends NonRetryableError {
  override name = 'LimitBeyondBoundError';
  constructor(p: PolicyState, field: GuardField, value: bigint) {
    const f = (v: bigint) => formatLimit(p.action, field, v);
    const floor = hardBoundName(field) === 'floor';
    super(
      `Cannot propose ${policyName(p)} ${field} = ${f(value)}: it is ${floor ? 'below' : 'above'} the policy's hard ${hardBoundName(field)} of ${f(p.ceiling[field])}, which can never be ${floor ? 'lowered' : 'raised'}.`,
      {
        details: `Such a proposal would pass the vote and then revert CeilingExceeded at execution. Propose a value ${floor ? 'at or above' : 'at or below'} ${f(p.ceiling[field])} (now ${f(p.limits[field])}); \`provenant policy show\` lists every limit with its bound.`,
        docsPath: 'docs/governance.md',
      },
    );
  }
}

/** A vote the governor would refuse (cast twice) or count as nothing (no votes at the snapshot). */
export class VoteRefusedError extends NonRetryableError {
  override name = 'VoteRefusedError';
}

/** `gov execute` before the timelock delay has passed. */
export class TimelockNotReadyError extends NonRetryableError {
  override name = 'TimelockNotReadyError';
  constructor(shortId: string, eta: bigint, now: bigint, cause: unknown) {
    super(
      `Cannot execute proposal ${shortId} yet: it is queued in the timelock until ${iso(eta)}, ${eta - now} s after the chain's time now (${iso(now)}).`,
      {
        details: `Run \`provenant gov execute ${shortId}\` from ${iso(eta)} on (\`provenant gov status ${shortId}\` shows it); on a devnet \`provenant gov queue --advance\` moves time past the delay.`,
        docsPath: 'docs/governance.md',
        cause,
      },
    );
  }
}

/** The signer's clients with an anvil test client, for `--advance` (the embedded devnet or any anvil endpoint). */
export async function devnetClients(clients: ProvenantClients): Promise<ProvenantClients> {
  if (clients.testClient) return clients;
  const url = clients.rpcUrls[0];
  const version = url
    ? await clients.publicClient.request({ method: 'web3_clientVersion' } as never).catch(() => '')
    : '';
  if (!url || !String(version).toLowerCase().startsWith('anvil')) {
    throw new NonRetryableError('--advance and --pass only work on a devnet (anvil): they move chain time.', {
      details: `The node answered '${String(version) || 'nothing'}' to web3_clientVersion. On a real network, wait for the delay to pass and run the next step then (\`provenant gov status <id>\` shows when).`,
      docsPath: 'docs/governance.md',
    });
  }
  const testClient = createTestClient({ chain: clients.chain, transport: http(url), mode: 'anvil' });
  return { ...clients, testClient };
}

/** Devnet: mines one block at `timestamp` unless the chain is already there. */
async function advanceTo(clients: ProvenantClients, timestamp: bigint): Promise<bigint> {
  const test = (await devnetClients(clients)).testClient!;
  const now = (await clients.publicClient.getBlock()).timestamp;
  if (now >= timestamp) return now;
  await test.setNextBlockTimestamp({ timestamp });
  await test.mine({ blocks: 1 });
  return timestamp;
}

const readGovernor = <T>(
  clients: ProvenantClients,
  governor: Address,
  functionName: string,
  args: readonly unknown[] = [],
) =>
  clients.publicClient.readContract({
    address: governor,
    abi: provenantGovernorAbi,
    functionName,
    args,
  } as never) as Promise<T>;

export type ProposalStatus = {
  id: string;
  description: string;
  state: ProposalState;
  snapshot: string | null;
  deadline: string | null;
  eta: string | null;
  /** Votes in the token's base units (PVG has 18 decimals). */
  votes: { against: string; for: string; abstain: string };
  /** Quorum at the snapshot in base units; before the snapshot, the quorum at the chain's time now (an estimate). */
  quorum: string | null;
  quorumEstimated: boolean;
  /** For + abstain reached the quorum (null before the snapshot). */
  quorumReached: boolean | null;
  calls: string[];
  /** The calls decoded: which policy, which field, the value now → the value proposed, the hard bound. */
  changes: string[];
  next: string;
};

async function statusOf(
  clients: ProvenantClients,
  deployment: Deployment,
  id: bigint,
  proposal: Proposal,
  policies: readonly PolicyState[],
): Promise<ProposalStatus> {
  const governor = deployment.addresses.governor;
  const [state, snapshot, deadline, eta, votes] = await Promise.all([
    proposalState(clients, governor, id),
    readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id]),
    readGovernor<bigint>(clients, governor, 'proposalDeadline', [id]),
    readGovernor<bigint>(clients, governor, 'proposalEta', [id]),
    readGovernor<readonly [bigint, bigint, bigint]>(clients, governor, 'proposalVotes', [id]),
  ]);
  const now = (await clients.publicClient.getBlock()).timestamp;
  const atSnapshot = snapshot > 0n && snapshot < now;
  // The quorum is fixed at the snapshot; before it, the quorum at the chain's time now is the best estimate.
  const quorum =
    now > 0n
      ? await readGovernor<bigint>(clients, governor, 'quorum', [atSnapshot ? snapshot : now - 1n]).catch(
          () => null,
        )
      : null;
  const short = id.toString().slice(0, 12);
  const next: Record<ProposalState, string> = {
    Pending: `voting opens at ${iso(snapshot + 1n)} (chain time now ${iso(now)}); then \`provenant gov vote ${short}\``,
    Active: `vote until ${iso(deadline)}: \`provenant gov vote ${short}\`; then \`provenant gov queue ${short}\``,
    Canceled: 'nothing (canceled)',
    Defeated: 'nothing (defeated: no quorum or no majority); propose again',
    Succeeded: `\`provenant gov queue ${short}\` (then the timelock delay runs)`,
    Queued: `executable from ${iso(eta)}${eta > now ? ` (in ${eta - now} s of chain time)` : ' (now)'}: \`provenant gov execute ${short}\``,
    Expired: 'nothing (expired); propose again',
    Executed: 'nothing (executed)',
  };
  return {
    id: id.toString(),
    description: proposal.description,
    state,
    snapshot: snapshot > 0n ? iso(snapshot) : null,
    deadline: deadline > 0n ? iso(deadline) : null,
    eta: eta > 0n ? iso(eta) : null,
    votes: { against: votes[0].toString(), for: votes[1].toString(), abstain: votes[2].toString() },
    quorum: quorum === null ? null : quorum.toString(),
    quorumEstimated: !atSnapshot,
    quorumReached: atSnapshot && quorum !== null ? votes[1] + votes[2] >= quorum : null,
    calls: proposal.calls.map((c) => c.label),
    changes: proposal.calls.map((c) => describeCall(c, deployment.addresses.guard, policies)),
    next: next[state],
  };
}

function printStatus(s: ProposalStatus): void {
  const quorum =
    s.quorum === null
      ? ''
      : s.quorumEstimated
        ? `; quorum about ${formatVotes(s.quorum)} (for + abstain; fixed at the snapshot)`
        : `; quorum ${formatVotes(s.quorum)} (for + abstain): ${s.quorumReached ? 'reached' : 'not reached'}`;
  printTable([
    ['proposal', s.id],
    ['description', s.description],
    ['state', s.state],
    ...s.changes.map((c, i): [string, string] => [s.changes.length > 1 ? `change ${i + 1}` : 'change', c]),
    ['voting', `${s.snapshot ?? '?'} … ${s.deadline ?? '?'}`],
    [
      'votes for / against / abstain',
      `${formatVotes(s.votes.for)} / ${formatVotes(s.votes.against)} / ${formatVotes(s.votes.abstain)}${quorum}`,
    ],
    ['eta', s.eta ?? '-'],
    ['next', s.next],
  ]);
}

/** The guard's policies with the deployment's names, for decoding proposals. */
const policiesOf = (clients: ProvenantClients, deployment: Deployment) =>
  readPolicies(clients.publicClient, deployment.addresses.guard, deployment.labels);

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
  const path = saveProposal(
    context.stateDir,
    savedProposalOf(id, proposal, { chainId: clients.chain.id, governor, proposer: clients.account.address }),
  );
  if (options.advance && !options.pass) {
    await advanceTo(clients, (await readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id])) + 1n);
  }
  return { id, path, state: await proposalState(clients, governor, id) };
}

export function printProposed(
  result: { id: bigint; path: string; state: ProposalState },
  json: boolean | undefined,
  changes: readonly string[] = [],
): void {
  if (json) {
    console.log(toJson({ id: result.id.toString(), state: result.state, path: result.path, changes }));
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
    unpause?: string | boolean;
    description?: string;
    advance?: boolean;
    pass?: boolean;
    json?: boolean;
  },
  command: Command,
) => {
  if ((flags.setLimit === undefined) === (flags.unpause === undefined)) {
    throw new NonRetryableError('Propose exactly one change: --set-limit or --unpause.', {
      details:
        'Examples: provenant gov propose --set-limit sWTI/SYNTH_MINT epochCap 2000; provenant gov propose --unpause; provenant gov propose --unpause nft',
    });
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
      const now = (await context.clients.publicClient.getBlock()).timestamp;
      const description =
        flags.description ?? `${label[0]?.toUpperCase()}${label.slice(1)} (proposed at ${iso(now)})`;
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
    const current = await readPolicy(
      context.clients.publicClient,
      deployment.addresses.guard,
      policy.asset,
      policy.action,
      deployment.labels,
    );
    if (beyondBound(current, field, value)) throw new LimitBeyondBoundError(current, field, value);
    const label = `set ${policy.name} ${field} to ${valueText}`;
    const now = (await context.clients.publicClient.getBlock()).timestamp;
    const description =
      flags.description ?? `${label[0]?.toUpperCase()}${label.slice(1)} (proposed at ${iso(now)})`;
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
 * The state a step needs, checked with the proposal's times so the refusal says when the step becomes
 * possible (the chain action checks the state again; this only adds the when).
 */
async function requireState(
  clients: ProvenantClients,
  governor: Address,
  id: bigint,
  step: string,
  needed: ProposalState,
): Promise<void> {
  const state = await proposalState(clients, governor, id);
  if (state === needed) return;
  const [snapshot, deadline, now] = await Promise.all([
    readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id]),
    readGovernor<bigint>(clients, governor, 'proposalDeadline', [id]),
    clients.publicClient.getBlock().then((b) => b.timestamp),
  ]);
  const short = id.toString().slice(0, 12);
  const at = `(chain time now ${iso(now)})`;
  const hints: Partial<Record<ProposalState, string>> = {
    Pending: `Voting opens at ${iso(snapshot + 1n)} ${at}; on a devnet \`provenant gov propose … --advance\` opens it at once.`,
    Active: `Voting runs until ${iso(deadline)} ${at}; on a devnet \`provenant gov vote ${short} --advance\` moves past it.`,
    Succeeded: `It passed and is not queued yet: \`provenant gov queue ${short}\`.`,
    Queued: `It is queued: \`provenant gov execute ${short}\` once the timelock delay has passed.`,
    Defeated: 'Voting ended without quorum or without a majority for; make a new proposal.',
    Executed: 'It has already been executed; nothing is left to do.',
  };
  throw new ProposalStateError(
    step,
    state,
    needed,
    hints[state] ?? `\`provenant gov status ${short}\` shows where it stands.`,
  );
}

/** `provenant gov vote <id>`; registered (with its options) in gov.register.ts. */
export const govVoteAction = async (
  idText: string,
  flags: { against?: boolean; abstain?: boolean; reason: string; advance?: boolean },
  command: Command,
) => {
  if (flags.against && flags.abstain) throw new NonRetryableError('Give --against or --abstain, not both.');
  await withDeployment(command, async (context, deployment) => {
    const { id } = loadProposal(context.stateDir, idText, context.clients.chain.id);
    const governor = deployment.addresses.governor;
    const short = id.toString().slice(0, 12);
    const me = context.clients.account.address;
    await requireState(context.clients, governor, id, 'vote on', 'Active');
    const [voted, snapshot] = await Promise.all([
      readGovernor<boolean>(context.clients, governor, 'hasVoted', [id, me]),
      readGovernor<bigint>(context.clients, governor, 'proposalSnapshot', [id]),
    ]);
    if (voted)
      throw new VoteRefusedError(
        `${me} has already voted on proposal ${short}; a vote cannot be changed or cast twice.`,
        {
          details: `\`provenant gov status ${short}\` shows the tally. Another holder of votes votes with their own key.`,
          docsPath: 'docs/governance.md',
        },
      );
    const weight = await readGovernor<bigint>(context.clients, governor, 'getVotes', [me, snapshot]);
    if (weight === 0n)
      throw new VoteRefusedError(
        `${me} had no votes at proposal ${short}'s snapshot (${iso(snapshot)}), so its vote would count 0.`,
        {
          details:
            "Only PVG delegated before a proposal's snapshot counts (ERC20Votes; `gov propose` self-delegates the proposer). Vote with a key that held delegated votes then; delegating now counts for later proposals only.",
          docsPath: 'docs/governance.md',
        },
      );
    const support = flags.against ? 0 : flags.abstain ? 2 : 1;
    const result = await castVote(context.clients, governor, id, support, flags.reason);
    console.log(
      `Voted ${['against', 'for', 'abstain'][support]} with ${formatVotes(weight)} on proposal ${short} (tx ${result.hash}).`,
    );
    if (flags.advance) {
      const deadline = await readGovernor<bigint>(context.clients, governor, 'proposalDeadline', [id]);
      await advanceTo(context.clients, deadline + 1n);
      console.log(
        `Advanced past the voting period: the proposal is ${await proposalState(context.clients, governor, id)}.`,
      );
    }
  });
};

/** `provenant gov queue <id>`; registered (with its options) in gov.register.ts. */
export const govQueueAction = async (idText: string, flags: { advance?: boolean }, command: Command) => {
  await withDeployment(command, async (context, deployment) => {
    const { id, proposal } = loadProposal(context.stateDir, idText, context.clients.chain.id);
    const governor = deployment.addresses.governor;
    await requireState(context.clients, governor, id, 'queue', 'Succeeded');
    const result = await queue(context.clients, governor, proposal);
    const eta = await readGovernor<bigint>(context.clients, governor, 'proposalEta', [id]);
    console.log(`Queued (tx ${result.hash}); executable from ${iso(eta)}.`);
    if (flags.advance) {
      await advanceTo(context.clients, eta);
      console.log(`Advanced past the timelock delay: run \`provenant gov execute ${idText}\`.`);
    }
  });
};

/** `provenant gov execute <id>`; registered (with its options) in gov.register.ts. */
export const govExecuteAction = async (idText: string, flags: { json?: boolean }, command: Command) => {
  await withDeployment(command, async (context, deployment) => {
    const { id, proposal } = loadProposal(context.stateDir, idText, context.clients.chain.id);
    const governor = deployment.addresses.governor;
    await requireState(context.clients, governor, id, 'execute', 'Queued');
    let result: Awaited<ReturnType<typeof execute>>;
    try {
      result = await execute(context.clients, governor, proposal);
    } catch (error) {
      // The timelock refuses an operation whose delay has not passed (TimelockUnexpectedOperationState).
      if (findRevert(error)?.errorName === 'TimelockUnexpectedOperationState') {
        const eta = await readGovernor<bigint>(context.clients, governor, 'proposalEta', [id]);
        const now = (await context.clients.publicClient.getBlock()).timestamp;
        if (eta > now) throw new TimelockNotReadyError(id.toString().slice(0, 12), eta, now, error);
      }
      throw error;
    }
    const events = result.events.filter(
      (e) => e.eventName !== 'ProposalExecuted' && e.eventName !== 'CallExecuted',
    );
    if (flags.json) {
      console.log(toJson({ hash: result.hash, events }));
      return;
    }
    console.log(`Executed (tx ${result.hash}, gas ${result.gasUsed}).`);
    const policies = await policiesOf(context.clients, deployment);
    for (const e of events) console.log(`  ${describeEvent(e, deployment, policies)}`);
  });
};

/** `provenant gov status [id]`; registered (with its options) in gov.register.ts. */
export const govStatusAction = async (
  idText: string | undefined,
  flags: { json?: boolean },
  command: Command,
) => {
  await withDeployment(
    command,
    async (context, deployment) => {
      const chainId = context.clients.chain.id;
      if (idText) {
        const { id, proposal } = loadProposal(context.stateDir, idText, chainId);
        const s = await statusOf(
          context.clients,
          deployment,
          id,
          proposal,
          await policiesOf(context.clients, deployment),
        );
        if (flags.json) console.log(toJson(s));
        else printStatus(s);
        return;
      }
      const all = listSaved(context.stateDir).filter((p) => p.chainId === chainId);
      const policies = await policiesOf(context.clients, deployment);
      const rows = await Promise.all(
        all.map(async (p) => statusOf(context.clients, deployment, BigInt(p.id), proposalOf(p), policies)),
      );
      if (flags.json) {
        console.log(toJson(rows));
        return;
      }
      if (rows.length === 0) console.log(`No saved proposals under ${proposalsDir(context.stateDir)}.`);
      for (const s of rows) {
        printStatus(s);
        console.log('');
      }
    },
    { readOnly: true },
  );
};
