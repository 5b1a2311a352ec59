// Why: `gov vote` refuses a vote the governor would refuse or count as nothing before casting it.
import type { Command } from 'commander';
import { castVote, proposalState } from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { iso, withDeployment } from '../policy.js';
import { formatVotes } from './describe.js';
import { advanceTo } from './devnet.js';
import { VoteRefusedError } from './errors.js';
import { readGovernor, requireState } from './governor.js';
import { loadProposal } from './savedProposals.js';

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
