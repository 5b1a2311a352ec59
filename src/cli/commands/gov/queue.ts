// Why: `gov queue` puts a succeeded proposal in the timelock and says when it can be executed.
import type { Command } from 'commander';
import { queue } from '../../../chain/index.js';
import { iso, withDeployment } from '../policy.js';
import { advanceTo } from './devnet.js';
import { readGovernor, requireState } from './governor.js';
import { loadProposal } from './savedProposals.js';

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
