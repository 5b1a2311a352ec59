// Why: a refused transaction leaves a hole in the nonce sequence, which must be given back or filled.
import type { TransactionRejectedError } from '../errors.js';
import type { TxRecord } from '../types.js';
import { broadcast } from './broadcast.js';
import type { ManagerContext } from './context.js';
import { errorText } from './nodeMessages.js';
import { sign } from './sign.js';

/**
 * Gives the nonce back when nothing was reserved after it (the record fails, the refusal is thrown);
 * otherwise fills it with a 0-value self-transfer so later nonces can be mined.
 */
export async function handleRefusal(
  ctx: ManagerContext,
  record: TxRecord,
  refusal: TransactionRejectedError,
): Promise<TxRecord> {
  const reason = refusal.shortMessage;
  if (await ctx.store.releaseNonce(ctx.chainId, ctx.from, record.nonce)) {
    await ctx.persist(record.key, { status: 'failed', error: reason });
    ctx.emit({ type: 'final', key: record.key, status: 'failed', hash: null, nonce: record.nonce });
    throw refusal;
  }
  const filler = await sign(ctx, record, await ctx.getFees(), 'filler');
  let updated = await ctx.persist(record.key, {
    status: 'signed',
    attempts: [...record.attempts, filler],
    error: reason,
  });
  const sent = await broadcast(ctx, updated, updated.attempts.length - 1).catch(async (error) => {
    await ctx.persist(record.key, {
      status: 'failed',
      error: `${reason}; filler refused: ${errorText(error)}`,
    });
    throw refusal;
  });
  updated = sent.record;
  return updated;
}
