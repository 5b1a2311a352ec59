// Why: `gov execute` runs a queued proposal and reports its effects in plain words (or why it is too early).
import type { Command } from 'commander';
import { execute } from '../../../chain/index.js';
import { toJson } from '../../output.js';
import { findRevert } from '../../refusal.js';
import { withDeployment } from '../policy.js';
import { describeEvent, policiesOf } from './describe.js';
import { TimelockNotReadyError } from './errors.js';
import { readGovernor, requireState } from './governor.js';
import { loadProposal } from './savedProposals.js';

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
