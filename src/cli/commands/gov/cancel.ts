// Why: `gov cancel` cancels what the contracts let the signer cancel (its own Pending proposal through the
// governor; a queued operation with the timelock's CANCELLER_ROLE) and otherwise says who may cancel and when.
import type { Command } from 'commander';
import { type Address, getAddress, type Hex } from 'viem';
import {
  cancel,
  cancelQueued,
  findCancelTransaction,
  type ProposalState,
  proposalState,
  provenantTimelockAbi,
  recordCancel,
  TIMELOCK_ROLES,
  type WriteReturnType,
} from '../../../chain/index.js';
import { toJson } from '../../output.js';
import { findRevert } from '../../refusal.js';
import { iso, withDeployment } from '../policy.js';
import { CancelRefusedError } from './errors.js';
import { readGovernor } from './governor.js';
import { loadProposal } from './savedProposals.js';

/** `provenant gov cancel <id>`; registered (with its options) in gov.register.ts. */
export const govCancelAction = async (idText: string, flags: { json?: boolean }, command: Command) => {
  await withDeployment(command, async (context, deployment) => {
    const { id, proposal, saved } = loadProposal(context.stateDir, idText, context.clients.chain.id);
    const { governor, timelock } = deployment.addresses;
    const short = id.toString().slice(0, 12);
    const me = context.clients.account.address;
    const [state, proposer, snapshot, isCanceller] = await Promise.all([
      proposalState(context.clients, governor, id),
      readGovernor<Address>(context.clients, governor, 'proposalProposer', [id]),
      readGovernor<bigint>(context.clients, governor, 'proposalSnapshot', [id]),
      context.clients.publicClient.readContract({
        address: timelock,
        abi: provenantTimelockAbi,
        functionName: 'hasRole',
        args: [TIMELOCK_ROLES.CANCELLER_ROLE, me],
      }),
    ]);
    const mine = proposer.toLowerCase() === me.toLowerCase();
    const refuse = async (stateNow: ProposalState) => {
      const now = (await context.clients.publicClient.getBlock()).timestamp;
      return refusal({ short, state: stateNow, proposer, me, snapshot, now, timelock, isCanceller });
    };
    // Record what happened, whoever sent it: who, when (chain time) and which transaction.
    const recordAndPrint = async (tx: { hash: Hex; blockNumber: bigint }, earlier: boolean) => {
      const [block, sent] = await Promise.all([
        context.clients.publicClient.getBlock({ blockNumber: tx.blockNumber }),
        earlier ? context.clients.publicClient.getTransaction({ hash: tx.hash }) : undefined,
      ]);
      const canceled = { by: sent ? getAddress(sent.from) : me, at: iso(block.timestamp), tx: tx.hash };
      const path = recordCancel(context.stateDir, saved, canceled);
      const after = await proposalState(context.clients, governor, id);
      if (flags.json) {
        console.log(toJson({ id: id.toString(), state: after, canceled, path }));
        return;
      }
      console.log(
        earlier
          ? `Proposal ${short} was already canceled by ${canceled.by} (tx ${tx.hash}, ${canceled.at}), but its record did not say so (the cancel's process stopped before writing it): ${path} now does.`
          : `Canceled proposal ${short} (tx ${tx.hash}): it is ${after}; the record in ${path} says so.`,
      );
    };
    // A cancel whose process stopped between the transaction and the record: complete the record.
    if (state === 'Canceled' && !saved.canceled) {
      const earlier = await findCancelTransaction(
        context.clients,
        { governor, timelock, fromBlock: deployment.addresses.fromBlock },
        id,
        proposal,
      );
      if (earlier) return recordAndPrint(earlier, true);
    }
    let result: WriteReturnType;
    if (state === 'Pending' && mine) {
      try {
        result = await cancel(context.clients, governor, proposal);
      } catch (error) {
        // Voting opens by the block the cancel would be mined in (the latest block may still read Pending).
        if (findRevert(error)?.errorName !== 'GovernorUnableToCancel') throw error;
        const stateNow = await proposalState(context.clients, governor, id);
        if (stateNow !== 'Pending') throw await refuse(stateNow);
        throw new CancelRefusedError(
          `Cannot cancel proposal ${short}: voting opens at ${iso(snapshot + 1n)} and the next block is that late already, so the governor refuses the cancel (a proposal can be canceled only while it is Pending).`,
          {
            details: `Vote against it once voting opens: \`provenant gov vote ${short} --against\`.`,
            docsPath: 'docs/governance.md',
            cause: error,
          },
        );
      }
    } else if (state === 'Queued' && isCanceller) {
      result = await cancelQueued(context.clients, { governor, timelock }, proposal);
    } else {
      throw await refuse(state);
    }
    await recordAndPrint({ hash: result.hash, blockNumber: result.receipt.blockNumber }, false);
  });
};

/** Why the signer may not cancel proposal `short` in `state`, and who may, when. */
function refusal(c: {
  short: string;
  state: ProposalState;
  proposer: Address;
  me: Address;
  snapshot: bigint;
  now: bigint;
  timelock: Address;
  isCanceller: boolean;
}): CancelRefusedError {
  const role = `${c.me} ${c.isCanceller ? 'holds' : 'does not hold'} it`;
  const rule = `The governor lets only the proposer (${c.proposer}) cancel, and only while the proposal is Pending (until voting opens at ${iso(c.snapshot + 1n)}); a queued proposal only a holder of the timelock's CANCELLER_ROLE can cancel (the suite's deployment grants it to the governor alone; ${role}).`;
  const docsPath = 'docs/governance.md';
  if (c.state === 'Pending')
    return new CancelRefusedError(
      `Cannot cancel proposal ${c.short} with ${c.me}: only its proposer ${c.proposer} may cancel it, and only while it is Pending (until ${iso(c.snapshot + 1n)}; chain time now ${iso(c.now)}).`,
      { details: `${rule} Sign with the proposer's key, or vote against it once voting opens.`, docsPath },
    );
  const over: Partial<Record<ProposalState, string>> = {
    Canceled: 'it is already canceled.',
    Defeated: 'it was defeated: it can never be queued or executed, so there is nothing to cancel.',
    Expired: 'it expired: it can never be executed, so there is nothing to cancel.',
    Executed:
      'it has been executed; a change it made is undone by a new proposal (or tightened at once by the guardian: `provenant policy tighten`).',
  };
  const done = over[c.state];
  if (done)
    return new CancelRefusedError(`Cannot cancel proposal ${c.short}: ${done}`, { details: rule, docsPath });
  const what: Partial<Record<ProposalState, string>> = {
    Active: `voting has opened (at ${iso(c.snapshot + 1n)}), so no key can cancel it any more: vote against it (\`provenant gov vote ${c.short} --against\`).`,
    Succeeded: c.isCanceller
      ? `it passed and is not queued yet; you hold the timelock's CANCELLER_ROLE, so cancel it once it is queued (\`provenant gov queue ${c.short}\`, then \`provenant gov cancel ${c.short}\`).`
      : `it passed; no key can cancel it through the governor any more, and once queued only a holder of the timelock's CANCELLER_ROLE can (${c.me} does not hold it on ${c.timelock}).`,
    Queued: `it is queued in the timelock ${c.timelock}, and only a holder of its CANCELLER_ROLE can cancel it there; ${c.me} does not hold it.`,
  };
  return new CancelRefusedError(
    `Cannot cancel proposal ${c.short}: it is ${c.state}; ${what[c.state] ?? ''}`,
    {
      details: `${rule} If it executes, the guardian can still pause at once or tighten what it loosened (\`provenant policy pause\`, \`provenant policy tighten\`).`,
      docsPath,
    },
  );
}
