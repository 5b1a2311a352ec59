// Why: `gov status` gathers a proposal's state, votes, quorum and next step from the governor and prints them.
import type { Command } from 'commander';
import {
  type Proposal,
  type ProposalState,
  type ProvenantClients,
  proposalState,
  proposalsDir,
  type SavedProposal,
} from '../../../chain/index.js';
import type { PolicyState } from '../../../policy/index.js';
import { printTable, toJson } from '../../output.js';
import { type Deployment, iso, withDeployment } from '../policy.js';
import { describeCall, formatVotes, policiesOf } from './describe.js';
import { readGovernor } from './governor.js';
import { listSaved, loadProposal, proposalOf } from './savedProposals.js';

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
  /** Who canceled it with `provenant gov cancel`, when and in which transaction (from the saved record). */
  canceled: { by: string; at: string; tx: string } | null;
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
  canceled?: SavedProposal['canceled'],
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
    Canceled: canceled
      ? `nothing (canceled by ${canceled.by} at ${canceled.at}, tx ${canceled.tx})`
      : 'nothing (canceled)',
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
    canceled: canceled ?? null,
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
        const { id, proposal, saved } = loadProposal(context.stateDir, idText, chainId);
        const s = await statusOf(
          context.clients,
          deployment,
          id,
          proposal,
          await policiesOf(context.clients, deployment),
          saved.canceled,
        );
        if (flags.json) console.log(toJson(s));
        else printStatus(s);
        return;
      }
      const all = listSaved(context.stateDir).filter((p) => p.chainId === chainId);
      const policies = await policiesOf(context.clients, deployment);
      const rows = await Promise.all(
        all.map(async (p) =>
          statusOf(context.clients, deployment, BigInt(p.id), proposalOf(p), policies, p.canceled),
        ),
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
