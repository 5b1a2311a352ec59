import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

// Options and help only: the handlers live in gov.ts and load, with the chain module (viem) and zod, when a
// `gov` command runs, so building the program (`provenant --help`) stays cheap.
const actions = () => import('./gov.js');

export function registerGov(program: Command): void {
  const gov = program
    .command('gov')
    .description(
      'Governance: propose, vote, queue (timelock), execute or cancel changes to the limits. On a devnet, --advance moves chain time past each delay.',
    );

  gov
    .command('propose')
    .description(
      "Propose a change of one governed limit (--set-limit), lowering a policy's hard bounds (--lower-ceiling), lifting a pause (--unpause) or creating the default policies (--create-policies); the proposal is saved under <stateDir>/proposals/<id>.json.",
    )
    .option(
      '--set-limit <policy field value...>',
      'policy (e.g. sWTI/SYNTH_MINT, pool/SET_FEE), limit field (epochCap, rateLimit, maxStep, …) and new value (SYNTH_MINT caps in whole synth)',
    )
    .option(
      '--lower-ceiling <policy field=value...>',
      'policy (e.g. sWTI/SYNTH_MINT) and new hard bounds as field=value[,field=value…] (same units as --set-limit); a ceiling only goes down, a floor (minValue, marginBps) only up; other fields keep their bound, and governed limits beyond the new bound are clamped to it',
    )
    .option(
      '--unpause [asset]',
      'lift a pause (the guardian can pause, never unpause): the whole guard, or one asset (sWTI, sXAU, pool, nft, a label or an address)',
    )
    .option(
      '--create-policies',
      "create the agent's default policies that the guard does not have yet (docs/governance.md; until they exist the guard refuses every agent action)",
    )
    .option('--description <text>', 'the proposal description (it is part of the proposal id)')
    .option('--advance', 'devnet: then move time past the voting delay so voting is open')
    .option('--pass', "devnet: vote, queue and execute it right away with the signer's votes")
    .option('--json', 'print the id and state as JSON')
    .action(lazyAction(actions, 'govProposeAction'));

  gov
    .command('vote <id>')
    .description(
      'Vote for a proposal (default), or --against / --abstain. <id> may be a unique prefix of a saved proposal id.',
    )
    .option('--against', 'vote against')
    .option('--abstain', 'abstain (counts towards quorum)')
    .option('--reason <text>', 'reason recorded on-chain', '')
    .option('--advance', 'devnet: then move time past the end of the voting period')
    .action(lazyAction(actions, 'govVoteAction'));

  gov
    .command('queue <id>')
    .description('Queue a succeeded proposal in the timelock.')
    .option('--advance', 'devnet: then move time past the timelock delay')
    .action(lazyAction(actions, 'govQueueAction'));

  gov
    .command('execute <id>')
    .description('Execute a queued proposal once the timelock delay has passed.')
    .option('--json', 'print the decoded events as JSON')
    .action(lazyAction(actions, 'govExecuteAction'));

  gov
    .command('cancel <id>')
    .description(
      "Cancel a proposal: its proposer, while it is Pending (before voting opens); a queued one, a holder of the timelock's CANCELLER_ROLE. Anything else is refused with who may cancel and when.",
    )
    .option('--json', 'print the id, state and the cancel record as JSON')
    .action(lazyAction(actions, 'govCancelAction'));

  gov
    .command('status [id]')
    .description('State of one saved proposal (votes, quorum, eta, next step), or of every saved proposal.')
    .option('--json', 'print as JSON')
    .action(lazyAction(actions, 'govStatusAction'));
}
