// Why: `model claim` pays a holder its revenue (after an optional vault flush) and refuses a claim of nothing,
// saying where revenue may be waiting.
import type { Command } from 'commander';
import { formatUnits } from 'viem';
import {
  accruedFees,
  claimableRevenue,
  claimRevenue,
  type FeeToken,
  flushModelFees,
  type ModelRecord,
  readBoundOwner,
  readFeeToken,
  readRevenueTotals,
  readShareBalances,
} from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import type { ChainContext } from '../../context.js';
import { toJson } from '../../output.js';
import { type Deployment, vaultOf, withDeployment } from '../policy.js';
import { NothingToClaimError } from './errors.js';
import { feeText, sharesText } from './format.js';
import { requireModel } from './requireModel.js';
import { deployedVaults, readWaitingFees } from './vaultFees.js';

/**
 * Refuses a claim that would pay the signer nothing (it would only spend gas), naming the signer's
 * shares, what the model was paid in, and where more revenue may be waiting (fees a vault accrued for
 * the model and has not flushed).
 */
async function refuseEmptyClaim(
  context: ChainContext,
  deployment: Deployment,
  m: ModelRecord,
  token: FeeToken,
): Promise<never> {
  const me = context.clients.account.address;
  const registry = deployment.addresses.registry;
  const [{ totalSupply, balances }, totals, fees] = await Promise.all([
    readShareBalances(context.clients, m.shares, [me]),
    readRevenueTotals(context.clients, registry, m.modelId, deployment.addresses.fromBlock),
    readWaitingFees(context.clients, deployment, m.modelId, token),
  ]);
  const held = balances[0] ?? 0n;
  const short = m.modelId.slice(0, 12);
  // What a flush would move from each vault (it keeps 1 unit in the slot).
  const waiting = fees.filter((v) => v.amount > 0n);
  const figures = `${me} holds ${sharesText(held)} of its ${sharesText(totalSupply)} shares; the model has been paid ${feeText(totals.paidIn, token)} in revenue, ${feeText(totals.claimed, token)} of it claimed`;
  const details =
    held === 0n
      ? `Revenue is paid pro rata to the holders of share token ${m.shares} at the time it arrives, and it stays with them when they transfer shares. Sign with a holder's key (\`provenant model shares ${short} --holder <address>\` shows balances and claimable amounts).`
      : waiting.length > 0
        ? `Fees are waiting in ${waiting.map((v) => `the ${v.synth} vault (${feeText(v.amount, token)})`).join(' and ')}: route them to the holders first with \`provenant model claim ${short} --flush ${waiting[0]!.synth}\`.`
        : 'Your share of the revenue so far has been claimed. More arrives as the agent uses the model (vault mint fees, flushed with `--flush`, and NFT mint fees); `provenant model show ' +
          short +
          '` shows what you can claim.';
  throw new NothingToClaimError(`Nothing to claim from model ${short}… for ${me}: ${figures}.`, {
    details,
  });
}

/** `provenant model claim <id>`; registered (with its options) in registry.register.ts. */
export const registryClaimAction = async (
  idText: string,
  flags: { flush?: string | boolean; json?: boolean },
  command: Command,
) => {
  await withDeployment(command, async (context, deployment) => {
    const registry = deployment.addresses.registry;
    const m = await requireModel(context.clients, registry, idText);
    if (!(await readBoundOwner(context.clients, registry, m.modelId)))
      throw new NonRetryableError(`Model ${m.modelId} was never approved, so it has no revenue to claim.`, {
        details:
          'Revenue (and vault fee flushing) starts once governance approves one registration of the id (`provenant model approve`).',
      });
    const token = await readFeeToken(context.clients, registry);
    const me = context.clients.account.address;
    let flushed = 0n;
    if (flags.flush) {
      const symbol = typeof flags.flush === 'string' ? flags.flush : 'sWTI';
      const vaults = deployedVaults(deployment);
      if (!vaults.some((v) => v.symbol.toLowerCase() === symbol.toLowerCase()))
        throw new NonRetryableError(
          `--flush ${symbol}: no synthetic '${symbol}' is deployed on this chain.`,
          {
            details: `Deployed synthetics: ${vaults.map((v) => v.symbol).join(', ') || 'none'}. Pass one of them with --flush (or --flush alone for sWTI).`,
          },
        );
      const vault = vaultOf(deployment, symbol);
      if ((await accruedFees(context.clients, vault, m.modelId)) > 1n)
        flushed = (await flushModelFees(context.clients, vault, m.modelId)).amount;
    }
    if (flushed > 0n && !flags.json)
      console.log(`Flushed ${feeText(flushed, token)} of accrued mint fees to the model's holders.`);
    // Claiming nothing would only spend gas: refuse it, saying why (checked after any flush).
    if ((await claimableRevenue(context.clients, registry, m.modelId, me)) === 0n)
      await refuseEmptyClaim(context, deployment, m, token);
    const r = await claimRevenue(context.clients, registry, m.modelId);
    if (flags.json) {
      console.log(
        toJson({
          modelId: m.modelId,
          token: token.symbol,
          decimals: token.decimals,
          // base units (the fee token's smallest unit), as before; *Units are the same in whole units
          flushed,
          claimed: r.amount,
          flushedUnits: formatUnits(flushed, token.decimals),
          claimedUnits: formatUnits(r.amount, token.decimals),
          hash: r.hash,
        }),
      );
      return;
    }
    console.log(
      `Claimed ${feeText(r.amount, token)} from model ${m.modelId.slice(0, 12)}… to ${me} (tx ${r.hash}).`,
    );
  });
};
