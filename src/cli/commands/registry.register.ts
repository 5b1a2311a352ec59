import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

// Options and help only: the handlers live in registry.ts and load, with the chain and models modules
// (viem), when a `model register|approve|shares|claim|show` command runs, so building the program
// (`provenant --help`) stays cheap.
const actions = () => import('./registry.js');

/** Adds `register | approve | shares | claim | show` (the on-chain ModelRegistry) to the `model` command. */
export function registerModelRegistry(model: Command): void {
  model
    .command('register <file>')
    .description(
      "Register a model on-chain: its id is the commitment to the model file; kind and version come from the file. Anyone may register; approval for agent use is governance's (`model approve`).",
    )
    .option('--uri <uri>', 'metadata URI (e.g. ipfs://<cid> of the model file)', '')
    .option('--licence <spdx>', 'licence of the weights', 'MIT')
    .option(
      '--holder <address=shares...>',
      'share split in whole shares, summing to 1,000,000 (default: all to you)',
    )
    .option('--json', 'print the record as JSON')
    .action(lazyAction(actions, 'registryRegisterAction'));

  model
    .command('approve <id>')
    .description(
      "Propose approving a registered model for agent use (a governance proposal; saved like `gov propose`). Anyone may register any id, so the proposal names the registration you reviewed: its owner, its share token (i.e. the initial holders and split) and its zk commitment; the registry refuses the approval if that owner's record differs, so a squatter's registration of the same id is never approved. The first approval binds the id to that registration for good.",
    )
    .requiredOption('--owner <address>', 'the owner you expect (who registered the model)')
    .option(
      '--holder <address=shares...>',
      'the initial share split you expect, in whole shares summing to 1,000,000 (pins the share token)',
    )
    .option('--shares <address>', 'the share token address you expect (instead of --holder)')
    .option('--zk-commitment <hex>', "the zk commitment you expect (0x + 64 hex digits), or 'none'", 'none')
    .option('--description <text>', 'the proposal description')
    .option('--advance', 'devnet: then move time past the voting delay')
    .option('--pass', 'devnet: vote, queue and execute it right away')
    .option('--json', 'print the id and state as JSON')
    .action(lazyAction(actions, 'registryApproveAction'));

  model
    .command('shares <id>')
    .description(
      "Who holds a model's shares and what each can claim; with --transfer, move some of your shares (revenue earned so far stays with you).",
    )
    .option('--holder <address...>', 'holders to show (default: every current holder, and you)')
    .option('--transfer <to>', 'transfer shares to this address')
    .option('--amount <shares>', 'whole shares to transfer (with --transfer)')
    .option('--json', 'print as JSON')
    .action(lazyAction(actions, 'registrySharesAction'));

  model
    .command('claim <id>')
    .description('Claim your revenue from a model (fees of what it created, pro rata to your shares).')
    .option(
      '--flush [synth]',
      'first route the fees a vault accrued for this model to its holders (default vault: sWTI)',
    )
    .option('--json', 'print as JSON')
    .action(lazyAction(actions, 'registryClaimAction'));

  model
    .command('show [id]')
    .description(
      "One registered model (commitment, kind, approval, share token, licence) followed by the id's other registrations, or every registered model id (as it names its registration: the approved one, else the earliest).",
    )
    .option('--json', 'print as JSON')
    .action(lazyAction(actions, 'registryShowAction'));
}
