// Why: after broadcast, a transaction is watched until final: receipts polled, stuck ones bumped, dropped ones resent.
import type { Hex } from 'viem';
import { TransactionPendingError } from '../errors.js';
import { sleep } from '../retry.js';
import type { TxRecord } from '../types.js';
import { broadcastLast } from './broadcast.js';
import { bump } from './bump.js';
import { checkChain } from './checkChain.js';
import type { ManagerContext } from './context.js';
import type { SendResult } from './types.js';

/** Waits until the record is final. */
export async function settle(ctx: ManagerContext, input: TxRecord): Promise<SendResult> {
  let record = input;
  const started = ctx.now();
  let lastDropCheck = started;
  while (true) {
    const done = await checkChain(ctx, record);
    if (done) return done;
    if (ctx.now() - started >= ctx.receiptTimeoutMs)
      throw new TransactionPendingError(
        record.key,
        record.label,
        record.nonce,
        ctx.now() - started,
        record.attempts.map((a) => a.hash),
      );
    const last = record.attempts[record.attempts.length - 1];
    const since = last ? ctx.now() - (last.broadcastAt ?? last.signedAt) : 0;
    if (last && since >= ctx.stuckAfterMs) {
      record = await bump(ctx, record);
    } else if (last && ctx.now() - lastDropCheck >= ctx.dropCheckMs) {
      lastDropCheck = ctx.now();
      if (await isDropped(ctx, record)) record = await rebroadcastDropped(ctx, record, last.hash);
    }
    await sleep(ctx.poll);
  }
}

/** True when the node knows none of the record's attempts (evicted from its pool). */
async function isDropped(ctx: ManagerContext, record: TxRecord): Promise<boolean> {
  for (const attempt of record.attempts) {
    const tx = await ctx.rpc('eth_getTransactionByHash', () =>
      ctx.pc.request({ method: 'eth_getTransactionByHash', params: [attempt.hash] }),
    );
    if (tx) return false;
  }
  return true;
}

/** Sends the last attempt again; a refusal leaves the record as it is (the next round bumps it). */
async function rebroadcastDropped(ctx: ManagerContext, input: TxRecord, lastHash: Hex): Promise<TxRecord> {
  const sent = await broadcastLast(ctx, input);
  const record = sent.record;
  ctx.emit({
    type: 'rebroadcast',
    key: record.key,
    hash: lastHash,
    nonce: record.nonce,
    reason: 'dropped',
  });
  return record;
}
