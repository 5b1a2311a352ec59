import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

// Options and help only: the handlers live in policy.ts and load, with the chain, agent and policy modules
// (viem), when a `policy` command runs, so building the program (`provenant --help`) stays cheap.
const actions = () => import('./policy.js');

export function registerPolicy(program: Command): void {
  const policy = program
    .command('policy')
    .description('The on-chain limits (PolicyGuard) every agent action passes through.');
  policy
    .command('show')
    .description(
      'Every policy: asset/action, governed limits and hard ceilings, usage this epoch, what remains, reset time (UTC), pause state.',
    )
    .option('--json', 'print the policies as JSON')
    .action(lazyAction(actions, 'policyShowAction'));

  // Guardian actions: they take effect at once, can only pause or tighten, and are refused on-chain
  // (PolicyUnauthorized / GuardianCannotLoosen) for any other key or any loosening.
  policy
    .command('pause [asset]')
    .description(
      'Guardian: pause the whole guard at once (no asset) or one asset (sWTI, sXAU, pool, nft, a label or an address). Only governance unpauses: `provenant gov propose --unpause [asset]`.',
    )
    .action(lazyAction(actions, 'policyPauseAction'));

  policy
    .command('tighten <policy> <field> <value>')
    .description(
      'Guardian: tighten one governed limit at once, e.g. `sWTI/SYNTH_MINT epochCap 500` (whole synth for SYNTH_MINT caps). Loosening is refused on-chain (GuardianCannotLoosen): it needs `provenant gov propose --set-limit`.',
    )
    .action(lazyAction(actions, 'policyTightenAction'));
}
