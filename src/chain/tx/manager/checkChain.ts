// Why: whether a record is done is decided by the chain alone: its receipt, or its nonce used by someone else.
import { sleep } from '../retry.js';
import type { TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import { finalize, markReplaced } from './finalize.js';
import type { SendResult } from './types.js';

/** How many times a used nonce's receipt is looked for again before the transaction counts as replaced. */
const REPLACED_GRACE_CHECKS = 8;

/** Receipt found → final; nonce consumed by someone else → replaced; else undefined. */
export async function checkChain(ctx: ManagerContext, record: TxRecord): Promise<SendResult | undefined> {
  const receipt = await ctx.receipts.findReceipt(record);
  if (receipt) return finalize(ctx, record, receipt);
  const latest = await ctx.nonces.minedNonce();
  if (latest > record.nonce) {
    // The nonce is used. Ours may still be the one that used it: a node can expose the new nonce a moment
    // before the receipt (seen on anvil under load), so give the receipt a short grace period and ask
    // whether the node knows our transaction as mined before calling it replaced.
    for (let attempt = 0; attempt < REPLACED_GRACE_CHECKS; attempt++) {
      const late = await ctx.receipts.findReceipt(record);
      if (late) return finalize(ctx, record, late);
      // Always look a few times; keep looking longer while the node knows our transaction as mined.
      if (attempt >= 2 && !(await knownAsMined(ctx, record))) break;
      await sleep(Math.max(ctx.poll, 50) * (attempt + 1));
    }
    const last = await ctx.receipts.findReceipt(record);
    if (last) return finalize(ctx, record, last);
    return markReplaced(ctx, record);
  }
  return undefined;
}

/** True when the node reports one of our hashes with a block number (mined, receipt not served yet). */
async function knownAsMined(ctx: ManagerContext, record: TxRecord): Promise<boolean> {
  for (const attempt of record.attempts) {
    const tx = (await ctx.rpc('eth_getTransactionByHash', () =>
      ctx.pc.request({ method: 'eth_getTransactionByHash', params: [attempt.hash] }),
    )) as { blockNumber?: string | null } | null;
    if (tx?.blockNumber) return true;
  }
  return false;
}
