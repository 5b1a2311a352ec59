// Why: `model shares` lists who holds a model's shares and what each can claim, and moves the signer's shares.
import type { Command } from 'commander';
import { type Address, formatUnits, type Hex, isAddressEqual, zeroAddress } from 'viem';
import {
  claimableRevenue,
  type FeeToken,
  type ModelRecord,
  readBoundOwner,
  readFeeToken,
  readShareBalances,
  readShareHolders,
  transferShares,
} from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import type { ChainContext } from '../../context.js';
import { printTable, toJson } from '../../output.js';
import { type Deployment, withDeployment } from '../policy.js';
import { parseAddress, parseAmount } from '../synth.js';
import { InsufficientSharesError, ShareRecipientError } from './errors.js';
import { feeText, percentText, sharesText } from './format.js';
import { requireModel } from './requireModel.js';
import { readWaitingFees, waitingRows } from './vaultFees.js';

/** What `model shares --transfer` moved, as `--json` reports it. */
type Transferred = { to: Address; amount: string; hash: Hex };

/**
 * `--transfer <to> --amount <shares>`: refuses a transfer that is pointless or impossible, moves the
 * signer's shares, and (without --json) says where the revenue earned so far stays.
 */
async function transferStep(
  context: ChainContext,
  registry: Address,
  m: ModelRecord,
  token: FeeToken,
  flags: { transfer: string; amount?: string | undefined; json?: boolean | undefined },
): Promise<Transferred> {
  const me = context.clients.account.address;
  if (!flags.amount)
    throw new NonRetryableError('--transfer needs --amount <shares>.', {
      details: `Name how many whole shares to move, e.g. \`provenant model shares ${m.modelId.slice(0, 12)} --transfer ${flags.transfer} --amount 1000\`.`,
    });
  const to = parseAddress(flags.transfer, '--transfer');
  const amount = parseAmount(flags.amount, 18, 'share amount (--amount)');
  if (isAddressEqual(to, zeroAddress))
    throw new ShareRecipientError('Model shares cannot be sent to the zero address.', {
      details:
        'The supply is fixed at 1,000,000 shares: they cannot be burnt. Pass the address of the new holder with --transfer.',
    });
  if (isAddressEqual(to, me))
    throw new ShareRecipientError(
      `--transfer ${to} is your own address: the transfer would change nothing.`,
      {
        details: 'Pass the address of the new holder with --transfer.',
      },
    );
  const { balances } = await readShareBalances(context.clients, m.shares, [me]);
  const held = balances[0] ?? 0n;
  if (amount > held) throw new InsufficientSharesError(m.modelId, me, held, amount);
  const r = await transferShares(context.clients, m.shares, to, amount);
  const transferred = { to, amount: sharesText(amount), hash: r.hash };
  const [mine, theirs] = await Promise.all(
    [me, to].map((h) => claimableRevenue(context.clients, registry, m.modelId, h)),
  );
  const bound = (await readBoundOwner(context.clients, registry, m.modelId)) !== undefined;
  if (!flags.json) {
    console.log(
      `Transferred ${sharesText(amount)} shares of model ${m.modelId.slice(0, 12)}… to ${to} (tx ${r.hash}).`,
    );
    console.log(
      bound
        ? `Revenue paid in before the transfer stays with whoever held the shares then (the registry settled both sides first): claimable now ${feeText(mine ?? 0n, token)} by you, ${feeText(theirs ?? 0n, token)} by ${to}.`
        : 'The model is not approved, so these shares earn nothing yet.',
    );
  }
  return transferred;
}

/**
 * The holders to show with their shares and claimable revenue. Who: --holder (`named`); after a transfer,
 * both sides; else every holder (from the token's transfers) that holds shares or has revenue to claim,
 * and you.
 */
async function holderRows(
  context: ChainContext,
  deployment: Deployment,
  m: ModelRecord,
  token: FeeToken,
  named: readonly string[] | undefined,
  recipient: Address | undefined,
) {
  const registry = deployment.addresses.registry;
  const me = context.clients.account.address;
  const everyHolder = !named && !recipient;
  const candidates = named
    ? named.map((h) => parseAddress(h, 'holder'))
    : recipient
      ? [me, recipient]
      : [
          ...(context.throwawaySigner ? [] : [me]),
          ...(
            await readShareHolders(context.clients, m.shares, deployment.addresses.fromBlock)
          ).holders.filter((h) => !isAddressEqual(h, me)),
        ];
  const { totalSupply, balances: candidateBalances } = await readShareBalances(
    context.clients,
    m.shares,
    candidates,
  );
  const candidateClaimable = await Promise.all(
    candidates.map((h) => claimableRevenue(context.clients, registry, m.modelId, h)),
  );
  const keep = candidates.map(
    (h, i) =>
      !everyHolder ||
      (isAddressEqual(h, me) && !context.throwawaySigner) ||
      (candidateBalances[i] ?? 0n) > 0n ||
      (candidateClaimable[i] ?? 0n) > 0n,
  );
  const holders = candidates.filter((_, i) => keep[i]);
  const balances = candidateBalances.filter((_, i) => keep[i]);
  const claimable = candidateClaimable.filter((_, i) => keep[i]);
  const rows = holders.map((h, i) => ({
    holder: h,
    you: isAddressEqual(h, me) && !context.throwawaySigner,
    shares: sharesText(balances[i] ?? 0n),
    percent: percentText(balances[i] ?? 0n, totalSupply),
    claimable: formatUnits(claimable[i] ?? 0n, token.decimals),
  }));
  return { totalSupply, rows };
}

/** `provenant model shares <id>`; registered (with its options) in registry.register.ts. */
export const registrySharesAction = async (
  idText: string,
  flags: { holder?: string[]; transfer?: string; amount?: string; json?: boolean },
  command: Command,
) => {
  if (flags.amount && !flags.transfer)
    throw new NonRetryableError('--amount is used only with --transfer <to>.', {
      details:
        '`model shares <id>` shows the holders; add `--transfer <to> --amount <shares>` to transfer shares.',
    });
  await withDeployment(
    command,
    async (context, deployment) => {
      const registry = deployment.addresses.registry;
      const m = await requireModel(context.clients, registry, idText);
      const token = await readFeeToken(context.clients, registry);
      const transferred = flags.transfer
        ? await transferStep(context, registry, m, token, { ...flags, transfer: flags.transfer })
        : undefined;
      const [{ totalSupply, rows }, feesWaiting] = await Promise.all([
        holderRows(context, deployment, m, token, flags.holder, transferred?.to),
        readWaitingFees(context.clients, deployment, m.modelId, token),
      ]);
      if (flags.json) {
        console.log(
          toJson({
            modelId: m.modelId,
            shares: m.shares,
            totalSupply: sharesText(totalSupply),
            token: token.symbol,
            ...(transferred ? { transferred } : {}),
            holders: rows,
            feesWaiting,
          }),
        );
        return;
      }
      console.log(
        `Model ${m.modelId}: share token ${m.shares}, ${formatUnits(totalSupply, 18)} shares${m.approved ? '' : (await readBoundOwner(context.clients, registry, m.modelId)) ? ' (approval revoked)' : ` (not approved: the earliest registration, by ${m.owner}; it earns nothing unless governance approves it)`}`,
      );
      printTable(
        rows.map((r) => [
          r.holder,
          `${r.shares} shares (${r.percent}), claimable ${r.claimable} ${token.symbol}${r.you ? '  (you)' : ''}`,
        ]),
      );
      // Claimable counts only fees already flushed to the registry; the rest waits in the vaults.
      if (feesWaiting.length > 0) {
        console.log('');
        printTable(waitingRows(feesWaiting, m.modelId));
      }
      // Reading needs no key (a read-only command on a configured endpoint); a transfer signs.
    },
    { readOnly: !flags.transfer },
  );
};
