// Why: on the devnet the collateral is an open-faucet test stablecoin; people funding an account to try the
// markets should not have to call its `mint` by hand with base units.
import type { Command } from 'commander';
import { NonRetryableError } from '../../errors/index.js';

/** The deployment's collateral is not the devnet TestStablecoin: there is no faucet to call. */
export class FaucetUnavailableError extends NonRetryableError {
  override name = 'FaucetUnavailableError';
}

export function registerFaucet(program: Command): void {
  program
    .command('faucet <amount>')
    .description(
      "Devnet only: mint <amount> of the devnet collateral (TestStablecoin, tUSD, an open faucet) to --to or the signer, in whole units (at most 1,000,000,000,000 per call). Refused when the deployment's collateral is a real token.",
    )
    .option('--to <address>', 'recipient (default: the signer)')
    .option('--json', 'print JSON: the amount and balance in base and whole units, token, recipient, tx hash')
    .action(async (amountText: string, flags: { to?: string; json?: boolean }, command: Command) => {
      // Loaded here, not at start-up: the chain module pulls in viem.
      const { formatUnits, isAddressEqual } = await import('viem');
      const { balanceOf, faucet, testStablecoinAbi } = await import('../../chain/index.js');
      const { parseAmount, parseAddress } = await import('./synth.js');
      const { withDeployment } = await import('./policy.js');
      const to = flags.to ? parseAddress(flags.to, '--to') : undefined;
      await withDeployment(command, async (context, deployment) => {
        const collateral = deployment.addresses.collateral;
        const stablecoin = deployment.manifest.contracts.TestStablecoin?.address;
        if (!stablecoin || !isAddressEqual(stablecoin, collateral))
          throw new FaucetUnavailableError(
            `This deployment's collateral ${collateral} is not the devnet TestStablecoin: it has no faucet.`,
            {
              details:
                'Fund the account with the collateral token itself (on a real chain: an exchange, a bridge or a transfer from another account).',
              docsPath: 'docs/markets.md#cli',
            },
          );
        const read = context.clients.publicClient;
        const [decimals, symbol, cap] = await Promise.all([
          read.readContract({ address: stablecoin, abi: testStablecoinAbi, functionName: 'decimals' }),
          read.readContract({ address: stablecoin, abi: testStablecoinAbi, functionName: 'symbol' }),
          read.readContract({
            address: stablecoin,
            abi: testStablecoinAbi,
            functionName: 'MAX_MINT_PER_CALL',
          }),
        ]);
        const amount = parseAmount(amountText, decimals, 'amount', symbol);
        if (amount > cap)
          throw new FaucetUnavailableError(
            `The faucet mints at most ${formatUnits(cap, decimals)} ${symbol} per call; asked for ${formatUnits(amount, decimals)}.`,
            { details: 'Ask for less, or call the faucet more than once.', docsPath: 'docs/markets.md#cli' },
          );
        const recipient = to ?? context.clients.account.address;
        const sent = await faucet(context.clients, stablecoin, recipient, amount);
        const balance = await balanceOf(context.clients, stablecoin, recipient);
        if (flags.json) {
          const { toJson } = await import('../output.js');
          console.log(
            toJson({
              hash: sent.hash,
              token: symbol,
              tokenAddress: stablecoin,
              recipient,
              amount,
              amountUnits: formatUnits(amount, decimals),
              balance,
              balanceUnits: formatUnits(balance, decimals),
            }),
          );
          return;
        }
        console.log(
          `Minted ${formatUnits(amount, decimals)} ${symbol} to ${recipient} (tx ${sent.hash}); its balance is now ${formatUnits(balance, decimals)} ${symbol}.`,
        );
      });
    });
}
