import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type Address, createTestClient, type Hex, http } from 'viem';
import { z } from 'zod';
import {
  castVote,
  ensureDelegated,
  execute,
  type GovernanceCall,
  governanceCall,
  type Proposal,
  type ProposalState,
  type ProvenantClients,
  passProposalOnDevnet,
  policyGuardAbi,
  proposalState,
  propose,
  provenantGovernorAbi,
  queue,
  setLimitCall,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { writeFileAtomicSync } from '../../files/index.js';
import type { ChainContext } from '../context.js';
import { InputFileError, readJsonFile } from '../files.js';
import { printTable, toJson } from '../output.js';
import {
  type Deployment,
  iso,
  parseField,
  parseLimitValue,
  resolveAssetRef,
  resolvePolicyRef,
  splitPolicyRef,
  withDeployment,
} from './policy.js';

/** A proposal as saved under `<stateDir>/proposals/<id>.json`, so later steps (vote, queue, execute) find its calls. */
export type SavedProposal = {
  id: string;
  chainId: number;
  governor: Address;
  description: string;
  calls: { target: Address; value: string; data: Hex; label: string }[];
  proposer: Address;
  createdAt: string;
};

const proposalsDir = (stateDir: string) => join(stateDir, 'proposals');

export function saveProposal(stateDir: string, saved: SavedProposal): string {
  const dir = proposalsDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${saved.id}.json`);
  writeFileAtomicSync(path, `${JSON.stringify(saved, null, 2)}\n`);
  return path;
}

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
  votes: { against: string; for: string; abstain: string };
  quorum: string | null;
  calls: string[];
  next: string;
};

async function statusOf(
  clients: ProvenantClients,
  governor: Address,
  id: bigint,
  proposal: Proposal,
): Promise<ProposalStatus> {
  const [state, snapshot, deadline, eta, votes] = await Promise.all([
    proposalState(clients, governor, id),
    readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id]),
    readGovernor<bigint>(clients, governor, 'proposalDeadline', [id]),
    readGovernor<bigint>(clients, governor, 'proposalEta', [id]),
    readGovernor<readonly [bigint, bigint, bigint]>(clients, governor, 'proposalVotes', [id]),
  ]);
  const now = (await clients.publicClient.getBlock()).timestamp;
  const quorum =
    snapshot > 0n && snapshot < now
      ? await readGovernor<bigint>(clients, governor, 'quorum', [snapshot]).catch(() => null)
      : null;
  const short = id.toString().slice(0, 12);
  const next: Record<ProposalState, string> = {
    Pending: `voting opens at ${iso(snapshot + 1n)}; then \`provenant gov vote ${short}\``,
    Active: `vote until ${iso(deadline)}: \`provenant gov vote ${short}\``,
    Canceled: 'nothing (canceled)',
    Defeated: 'nothing (defeated: no quorum or no majority); propose again',
    Succeeded: `\`provenant gov queue ${short}\``,
    Queued: `executable from ${iso(eta)}: \`provenant gov execute ${short}\``,
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
    calls: proposal.calls.map((c) => c.label),
    next: next[state],
  };
}

function printStatus(s: ProposalStatus): void {
  printTable([
    ['proposal', s.id],
    ['description', s.description],
    ['state', s.state],
    ['calls', s.calls.join('; ')],
    ['voting', `${s.snapshot ?? '?'} … ${s.deadline ?? '?'}`],
    [
      'votes for / against / abstain',
      `${s.votes.for} / ${s.votes.against} / ${s.votes.abstain}${s.quorum ? ` (quorum ${s.quorum})` : ''}`,
    ],
    ['eta', s.eta ?? '-'],
    ['next', s.next],
  ]);
}

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
  const path = saveProposal(context.stateDir, {
    id: id.toString(),
    chainId: clients.chain.id,
    governor,
    description: proposal.description,
    calls: proposal.calls.map((c) => ({
      target: c.target,
      value: (c.value ?? 0n).toString(),
      data: c.data,
      label: c.label,
    })),
    proposer: clients.account.address,
    createdAt: new Date().toISOString(),
  });
  if (options.advance && !options.pass) {
    await advanceTo(clients, (await readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id])) + 1n);
  }
  return { id, path, state: await proposalState(clients, governor, id) };
}

export function printProposed(
  result: { id: bigint; path: string; state: ProposalState },
  json: boolean | undefined,
): void {
  if (json) {
    console.log(toJson({ id: result.id.toString(), state: result.state, path: result.path }));
    return;
  }
  console.log(`Proposal ${result.id}`);
  printTable([
    ['state', result.state],
    ['saved', result.path],
    [
      'next',
      result.state === 'Executed'
        ? 'nothing (executed)'
        : `provenant gov vote ${result.id.toString().slice(0, 12)}`,
    ],
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
      printProposed(
        await proposeAndSave(context, deployment, { description, calls: [call] }, flags),
        flags.json,
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
    printProposed(result, flags.json);
  });
};

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
    const support = flags.against ? 0 : flags.abstain ? 2 : 1;
    const result = await castVote(context.clients, governor, id, support, flags.reason);
    const cast = result.events.find((e) => e.eventName === 'VoteCast');
    console.log(
      `Voted ${['against', 'for', 'abstain'][support]} with ${String(cast?.args.weight ?? '?')} votes (tx ${result.hash}).`,
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
    const { proposal } = loadProposal(context.stateDir, idText, context.clients.chain.id);
    const result = await execute(context.clients, deployment.addresses.governor, proposal);
    const events = result.events.filter(
      (e) => e.eventName !== 'ProposalExecuted' && e.eventName !== 'CallExecuted',
    );
    if (flags.json) {
      console.log(toJson({ hash: result.hash, events }));
      return;
    }
    console.log(`Executed (tx ${result.hash}, gas ${result.gasUsed}).`);
    for (const e of events) console.log(`  ${e.eventName} at ${e.address}`);
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
      const governor = deployment.addresses.governor;
      const chainId = context.clients.chain.id;
      if (idText) {
        const { id, proposal } = loadProposal(context.stateDir, idText, chainId);
        const s = await statusOf(context.clients, governor, id, proposal);
        if (flags.json) console.log(toJson(s));
        else printStatus(s);
        return;
      }
      const all = listSaved(context.stateDir).filter((p) => p.chainId === chainId);
      const rows = await Promise.all(
        all.map(async (p) => statusOf(context.clients, governor, BigInt(p.id), proposalOf(p))),
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
