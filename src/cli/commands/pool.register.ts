import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';
import { intInRange } from '../parse.js';

// Options and help only: the handlers live in pool.ts and load, with the chain module (viem), when a `pool`
// command runs, so building the program (`provenant --help`) stays cheap.
const actions = () => import('./pool.js');

/** Slippage in basis points: 0 (exact) to 10000 (accept anything). */
const slippageBps = intInRange(0, 10_000, 'bps');

/**
 * Default `--max-price-impact-bps` of `pool swap`: 10 %. It catches a mistyped size (ten times the
 * intended trade) in a shallow pool without refusing ordinary trades; docs/markets.md#cli says why.
 */
const MAX_PRICE_IMPACT_BPS_DEFAULT = 1_000;

/** `--deadline <seconds>`: the pool refuses the transaction if it is mined later (`Expired`). */
const deadlineOption = [
  '--deadline <seconds>',
  'refuse if not mined within this many seconds (counted from the next block)',
  intInRange(1, 86_400, 's'),
  600,
] as const;

export function registerPool(program: Command): void {
  const pool = program
    .command('pool')
    .description(
      'The sWTI/USD constant-product pool (DynamicFeePool): liquidity, swaps, and the agent-set fee within policy bounds.',
    );

  pool
    .command('add <synth> <usd>')
    .description(
      'Add liquidity: <synth> whole sWTI and <usd> whole collateral (the pool takes the ratio it needs; slippage-protected).',
    )
    .option('--slippage-bps <bps>', 'accept down to this much less of either amount', slippageBps, 100)
    .option(...deadlineOption)
    .option('--json', 'print the LiquidityAdded event as JSON (base units, and whole units in *Units fields)')
    .action(lazyAction(actions, 'poolAddAction'));

  pool
    .command('remove [shares]')
    .description('Remove liquidity: burn [shares] LP shares (whole units), or all of yours with --all.')
    .option('--all', 'burn every LP share you hold')
    .option('--slippage-bps <bps>', 'accept down to this much less of either token', slippageBps, 100)
    .option(...deadlineOption)
    .option(
      '--json',
      'print the LiquidityRemoved event as JSON (base units, and whole units in *Units fields)',
    )
    .action(lazyAction(actions, 'poolRemoveAction'));

  pool
    .command('swap <amount>')
    .description(
      'Swap exactly <amount> of one side for the other, at the current fee, with a slippage limit and a deadline.',
    )
    .requiredOption('--in <side>', 'what you pay: synth (sWTI) or usd (the collateral)')
    .option('--slippage-bps <bps>', 'refuse if the output is this much below the quote', slippageBps, 50)
    .option(
      '--max-price-impact-bps <bps>',
      'refuse before sending if the trade moves the price more than this against you (not counting the fee; 10000 accepts any)',
      slippageBps,
      MAX_PRICE_IMPACT_BPS_DEFAULT,
    )
    .option(...deadlineOption)
    .option('--json', 'print the Swapped event as JSON (base units, and whole units in *Units fields)')
    .action(lazyAction(actions, 'poolSwapAction'));

  pool
    .command('set-fee <bps>')
    .description(
      'Agent only: set the swap fee in bps. Preflighted against the SET_FEE policy (bounds, max step per epoch, rate limit).',
    )
    .action(lazyAction(actions, 'poolSetFeeAction'));

  pool
    .command('show')
    .description('Reserves, fee, LP shares (yours and total) and the implied price.')
    .option('--json', 'print as JSON')
    .action(lazyAction(actions, 'poolShowAction'));
}
