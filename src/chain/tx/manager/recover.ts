// Why: after a crash, every stored transaction that is not final is finished from its record, never sent a second time.
import type { Hex } from 'viem';
import type { TxRecord } from '../types.js';
import { broadcastLast } from './broadcast.js';
import { checkChain } from './checkChain.js';
import type { ManagerContext } from './context.js';
import { settle } from './settle.js';
import { signAndBroadcast } from './signAndBroadcast.js';
import { track } from './track.js';
import type { RecoverReport, SendResult } from './types.js';

type Waiting = { record: TxRecord; promise: Promise<SendResult> };

/** Broadcasts every pending record under the lock in nonce order, then waits for receipts after releasing it. */
export async function recover(ctx: ManagerContext): Promise<RecoverReport> {
  await ctx.nonces.ensureSynced();
  const gate = ctx.lock();
  const waiting: Waiting[] = [];
  try {
    await gate.ready;
    for (const stored of await ctx.store.pending(ctx.chainId, ctx.from)) {
      if (ctx.inFlight.has(stored.key.toLowerCase())) continue;
      // Broadcast under the lock in nonce order; wait for receipts after releasing it.
      let outcome: SendResult | TxRecord;
      try {
        outcome = await resend(ctx, stored);
      } catch (error) {
        waiting.push({ record: stored, promise: Promise.reject(error) });
        continue;
      }
      if ('receipt' in outcome) waiting.push({ record: stored, promise: Promise.resolve(outcome) });
      else {
        const record = outcome;
        waiting.push({ record: stored, promise: track(ctx, record.key, () => settle(ctx, record)) });
      }
    }
  } finally {
    gate.release();
  }
  return { outcomes: await reportOutcomes(ctx, waiting) };
}

/** Final already → its result; broadcast → sent again; reserved/signed → signed and sent. */
async function resend(ctx: ManagerContext, stored: TxRecord): Promise<SendResult | TxRecord> {
  const done = await checkChain(ctx, stored);
  if (done) return done;
  let record = stored;
  if (record.status === 'broadcast') {
    const sent = await broadcastLast(ctx, record);
    record = sent.record;
    ctx.emit({
      type: 'rebroadcast',
      key: record.key,
      hash: record.attempts.at(-1)?.hash as Hex,
      nonce: record.nonce,
      reason: 'recover',
    });
    if (sent.outcome === 'nonce-consumed') {
      const again = await checkChain(ctx, record);
      if (again) return again;
    }
  } else {
    record = await signAndBroadcast(ctx, record);
  }
  return record;
}

/** One line per record, in nonce order: mined with its hash, or the stored status and the error. */
async function reportOutcomes(ctx: ManagerContext, waiting: Waiting[]): Promise<RecoverReport['outcomes']> {
  const outcomes: RecoverReport['outcomes'] = [];
  for (const { record, promise } of waiting) {
    try {
      const result = await promise;
      outcomes.push({
        key: record.key,
        label: record.label,
        nonce: record.nonce,
        status: 'mined',
        hash: result.hash,
      });
    } catch (error) {
      const final = await ctx.store.get(record.key);
      outcomes.push({
        key: record.key,
        label: record.label,
        nonce: record.nonce,
        status: final?.status ?? record.status,
        hash: final?.minedHash ?? null,
        error,
      });
    }
  }
  return outcomes;
}
