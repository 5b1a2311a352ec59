// Why: an accepted broadcast is recorded (status and time) before anything relies on it.
import type { Hex } from 'viem';
import { TransactionRejectedError } from '../errors.js';
import type { TxRecord, TxRecordPatch } from '../types.js';
import type { ManagerContext } from './context.js';
import { type BroadcastOutcome, sendRaw } from './sendRaw.js';

/** The patch that marks attempt `index` as broadcast now. */
export const broadcastPatch = (ctx: ManagerContext, record: TxRecord, index: number): TxRecordPatch => ({
  status: 'broadcast',
  attempts: record.attempts.map((a, i) => (i === index ? { ...a, broadcastAt: ctx.now() } : a)),
});

/** Sends one stored attempt and persists its broadcast time. */
export async function broadcast(
  ctx: ManagerContext,
  record: TxRecord,
  index: number,
): Promise<{ record: TxRecord; outcome: BroadcastOutcome }> {
  const outcome = await sendRaw(ctx, record, index);
  if (outcome !== 'accepted') return { record, outcome };
  const updated = await ctx.persist(record.key, broadcastPatch(ctx, record, index));
  const hash = record.attempts[index]?.hash as Hex;
  ctx.emit({ type: 'broadcast', key: record.key, hash, nonce: record.nonce, attempt: index });
  return { record: updated, outcome };
}

/**
 * Sends the record's last attempt again. A node that rejects it (e.g. too low a fee for its pool) is the
 * outcome `underpriced`, not a throw: the caller keeps the record as it is and bumps it later.
 */
export function broadcastLast(
  ctx: ManagerContext,
  record: TxRecord,
): Promise<{ record: TxRecord; outcome: BroadcastOutcome }> {
  return broadcast(ctx, record, record.attempts.length - 1).catch((error) => {
    if (error instanceof TransactionRejectedError) return { record, outcome: 'underpriced' as const };
    throw error;
  });
}
