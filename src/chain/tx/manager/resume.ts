// Why: a send whose key is already stored finishes that record (or replays its final result) instead of sending anew.
import { isFinalTxStatus, type TxRecord } from '../types.js';
import { checkChain } from './checkChain.js';
import type { ManagerContext } from './context.js';
import { replay } from './replay.js';
import { settle } from './settle.js';
import { signAndBroadcast } from './signAndBroadcast.js';
import type { SendResult } from './types.js';

/** A key already in the store: final → replay; otherwise finish it (under the lock until broadcast). */
export async function resume(ctx: ManagerContext, record: TxRecord): Promise<SendResult> {
  if (isFinalTxStatus(record.status)) return replay(ctx, record);
  if (record.status === 'broadcast') return settle(ctx, record);
  const gate = ctx.lock();
  let current: TxRecord;
  try {
    await gate.ready;
    const fresh = (await ctx.store.get(record.key)) ?? record;
    if (isFinalTxStatus(fresh.status)) return replay(ctx, fresh);
    const done = await checkChain(ctx, fresh);
    if (done) return done;
    current = await signAndBroadcast(ctx, fresh);
  } finally {
    gate.release();
  }
  return settle(ctx, current);
}
