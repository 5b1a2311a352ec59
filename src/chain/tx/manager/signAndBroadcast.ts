// Why: a reserved or signed record is driven up to an accepted broadcast, persisting each step before the next.
import { TransactionRejectedError } from '../errors.js';
import type { TxRecord } from '../types.js';
import { broadcast } from './broadcast.js';
import type { ManagerContext } from './context.js';
import type { Fees } from './fees.js';
import { handleRefusal } from './handleRefusal.js';
import { sign } from './sign.js';

/** Drives a reserved or signed record up to an accepted broadcast (caller holds the lock). */
export async function signAndBroadcast(ctx: ManagerContext, input: TxRecord, fees?: Fees): Promise<TxRecord> {
  let record = input;
  if (record.status === 'reserved') {
    const attempt = await sign(ctx, record, fees ?? (await ctx.getFees()), 'intent');
    record = await ctx.persist(record.key, { status: 'signed', attempts: [attempt] });
    ctx.crash('after-sign');
  }
  if (record.status === 'signed') {
    try {
      const sent = await broadcast(ctx, record, record.attempts.length - 1);
      record = sent.record;
    } catch (error) {
      if (error instanceof TransactionRejectedError) return handleRefusal(ctx, record, error);
      ctx.flags.needFlush = true;
      throw error;
    }
  }
  return record;
}
