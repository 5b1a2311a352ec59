import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

// Options and help only: the handlers live in synth.ts and load, with the chain and policy modules (viem),
// when a `synth` command runs, so building the program (`provenant --help`) stays cheap.
const actions = () => import('./synth.js');

export function registerSynth(program: Command): void {
  const synth = program
    .command('synth')
    .description(
      'Collateralised synthetic assets (SyntheticVault): positions, agent mints, repayment, liquidation.',
    )
    .option('--synth <symbol>', 'which synthetic (sWTI, sXAU)', 'sWTI');

  synth
    .command('open <collateral>')
    .description(
      'Open (or top up) your position: deposit <collateral> whole collateral tokens (tUSD on the devnet). With --mint, the agent also mints.',
    )
    .option(
      '--mint <amount>',
      'then mint this much synth (agent key only; on the devnet the agent account signs)',
    )
    .option('--model <id>', 'model that sized the mint (default: the newest approved forecaster)')
    .option('--intent <text>', 'idempotency text for the mint (reuse to retry safely)')
    .option(
      '--json',
      'print the Deposited event (and the mint, with --mint) as JSON: base units, and whole units in *Units fields',
    )
    .action(lazyAction(actions, 'synthOpenAction'));

  synth
    .command('mint <amount>')
    .description(
      "Mint <amount> synth against the agent's position. Agent key only; preflighted: a refusal names the rule, the value, the limit and the reset time.",
    )
    .option('--model <id>', 'model that sized the mint (default: the newest approved forecaster)')
    .option(
      '--intent <text>',
      'idempotency text (reuse to retry safely: a second mint with the same key is refused)',
    )
    .option('--json', 'print the decoded events as JSON (base units, and whole units in *Units fields)')
    .action(lazyAction(actions, 'synthMintAction'));

  synth
    .command('burn <amount>')
    .description("Burn <amount> of your synth to repay a position's debt (yours by default). Never paused.")
    .option('--owner <address>', 'repay this position instead of your own')
    .option('--json', 'print the Repaid event as JSON: base units, and whole units in amountUnits')
    .action(lazyAction(actions, 'synthBurnAction'));

  synth
    .command('withdraw <amount>')
    .description(
      'Withdraw <amount> collateral from your position; with debt it must stay at or above the minimum ratio.',
    )
    .option('--to <address>', 'send it here (default: you)')
    .option('--json', 'print the Withdrawn event as JSON: base units, and whole units in amountUnits')
    .action(lazyAction(actions, 'synthWithdrawAction'));

  synth
    .command('liquidate <owner>')
    .description(
      'Liquidate a position below the liquidation ratio, burning your synth; you receive the repaid value plus half the penalty. Below 100% + penalty any amount is accepted (collateral seized pro rata, at most what the position holds).',
    )
    .option('--max-repay <amount>', 'most synth to burn (default: the debt, or your balance if smaller)')
    .option('--json', 'print the Liquidated event as JSON (base units, and whole units in *Units fields)')
    .action(lazyAction(actions, 'synthLiquidateAction'));

  synth
    .command('show [owner]')
    .description(
      'A position (yours by default): collateral, debt, ratio vs the minimum and liquidation ratios, the price with its round and age, the liquidation price, what can be withdrawn or minted, or what brings it back to the minimum; and the vault: penalty, fee, debt ceiling.',
    )
    .option('--json', 'print as JSON')
    .action(lazyAction(actions, 'synthShowAction'));
}
