// Why: `model show` prints a model's share supply and revenue, and the viewer's part, for one model or all.
import type { Address } from 'viem';
import {
  claimableRevenue,
  type FeeToken,
  type ModelRecord,
  type RevenueTotals,
  readRevenueTotals,
  readShareBalances,
} from '../../../chain/index.js';
import type { ChainContext } from '../../context.js';
import type { Deployment } from '../policy.js';
import { feeText, percentText, sharesText } from './format.js';
import { readWaitingFees, waitingRows } from './vaultFees.js';

/**
 * The figures an owner or shareholder reads next to a model: its share supply, the revenue paid in to
 * and claimed from it (none before an approval binds the id), and `viewer`'s shares and claimable
 * revenue (omitted when there is no viewer: a read-only command without a key).
 */
export async function revenueView(
  context: ChainContext,
  deployment: Deployment,
  m: ModelRecord,
  bound: boolean,
  token: FeeToken,
  viewer: Address | undefined,
  /** The model's totals when the caller read every model's at once (`readAllRevenueTotals`); else read here. */
  known?: RevenueTotals | undefined,
) {
  const registry = deployment.addresses.registry;
  const [{ totalSupply, balances }, totals, claimable, feesWaiting] = await Promise.all([
    readShareBalances(context.clients, m.shares, viewer ? [viewer] : []),
    !bound
      ? undefined
      : (known ?? readRevenueTotals(context.clients, registry, m.modelId, deployment.addresses.fromBlock)),
    bound && viewer ? claimableRevenue(context.clients, registry, m.modelId, viewer) : 0n,
    readWaitingFees(context.clients, deployment, m.modelId, token),
  ]);
  const held = balances[0] ?? 0n;
  return {
    totalShares: sharesText(totalSupply),
    revenuePaidIn: totals ? feeText(totals.paidIn, token) : 'none (never approved)',
    revenueClaimed: totals ? feeText(totals.claimed, token) : 'none (never approved)',
    /** Mint fees each vault holds for the model, not yet flushed (so not yet in `revenuePaidIn`). */
    feesWaiting,
    modelId: m.modelId,
    ...(viewer
      ? {
          you: {
            address: viewer,
            shares: sharesText(held),
            percent: percentText(held, totalSupply),
            claimable: feeText(claimable, token),
          },
        }
      : {}),
  };
}

export function revenueRows(view: Awaited<ReturnType<typeof revenueView>>): [string, string][] {
  return [
    ['total shares', view.totalShares],
    ['revenue paid in', view.revenuePaidIn],
    ['revenue claimed', view.revenueClaimed],
    ...waitingRows(view.feesWaiting, view.modelId),
    ...(view.you
      ? ([
          ['your shares', `${view.you.shares} (${view.you.percent}) held by ${view.you.address}`],
          ['claimable by you', view.you.claimable],
        ] as [string, string][])
      : []),
  ];
}
