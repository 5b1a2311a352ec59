// Why: intents queued together share one nonce reservation, one signed write, one broadcast round and one broadcast write.
import type { Hex } from 'viem';
import { TransactionRejectedError } from '../errors.js';
import type { TxIntent, TxRecord, TxRecordPatch } from '../types.js';
import { broadcastPatch } from './broadcast.js';
import { type BroadcastResult, broadcastAll } from './broadcastAll.js';
import type { ManagerContext } from './context.js';
import type { Fees } from './fees.js';
import { flushUnsent } from './flushUnsent.js';
import { handleRefusal } from './handleRefusal.js';
import type { Prepared } from './prepare.js';
import { sign } from './sign.js';

/** What the locked section hands back: a record to wait for, or a record that already existed. */
export type Queued = {
  intent: TxIntent;
  prepared: Promise<Prepared>;
  resolve: (outcome: { record: TxRecord; existed: boolean }) => void;
  reject: (error: unknown) => void;
};

/** Settles a queued item once (later calls for the same item do nothing). */
type SettleItem = (
  item: Queued,
  outcome: { record: TxRecord; existed: boolean } | { error: unknown },
) => void;
type Ready = { item: Queued; gas: bigint; fees: Fees };
type Fresh = { item: Queued; record: TxRecord; fees: Fees };
type Accepted = { item: Queued; record: TxRecord };

/**
 * Under the lock: reserves the batch's consecutive nonces in one durable write, stores their signed
 * raw transactions in one, broadcasts them in nonce order, and records the broadcasts in one. Every
 * item is settled, whatever happens.
 */
export async function processBatch(ctx: ManagerContext, batch: Queued[]): Promise<void> {
  const gate = ctx.lock();
  const open = new Set(batch);
  const settleItem: SettleItem = (item, outcome) => {
    if (!open.delete(item)) return;
    if ('error' in outcome) item.reject(outcome.error);
    else item.resolve(outcome);
  };
  try {
    await gate.ready;
    const ready = await collectReady(batch, settleItem);
    if (!ready.length) return;
    await ctx.nonces.ensureSynced();
    await flushUnsent(ctx);
    const fresh = await reserveNonces(ctx, ready, settleItem);
    if (!fresh.length) return;
    ctx.crash('after-reserve');
    const signedRecords = await signFresh(ctx, fresh);
    ctx.crash('after-sign');
    const outcomes = await broadcastAll(ctx, signedRecords);
    const accepted = await sortOutcomes(ctx, fresh, signedRecords, outcomes, settleItem);
    if (accepted.length) await recordAccepted(ctx, accepted, settleItem);
  } catch (error) {
    for (const item of open) settleItem(item, { error });
  } finally {
    gate.release();
    for (const item of open)
      settleItem(item, { error: new Error('transaction batch ended without an outcome') });
  }
}

/** Waits for each item's preparation in order: a key already stored settles now, a failure settles it. */
async function collectReady(batch: Queued[], settleItem: SettleItem): Promise<Ready[]> {
  const ready: Ready[] = [];
  for (const item of batch) {
    try {
      const p = await item.prepared;
      if (p.existing) settleItem(item, { record: p.existing, existed: true });
      else ready.push({ item, gas: p.gas as bigint, fees: p.fees as Fees });
    } catch (error) {
      settleItem(item, { error });
    }
  }
  return ready;
}

/** One durable write reserves consecutive nonces; a key someone stored meanwhile settles as existing. */
async function reserveNonces(ctx: ManagerContext, ready: Ready[], settleItem: SettleItem): Promise<Fresh[]> {
  const reserved = await ctx.store.reserveMany(
    ready.map(({ item: { intent }, gas }) => ({
      key: intent.key,
      label: intent.label,
      chainId: ctx.chainId,
      from: ctx.from,
      to: intent.to,
      data: intent.data,
      value: intent.value ?? 0n,
      gas,
      minedHash: null,
      blockNumber: null,
      gasUsed: null,
      effectiveGasPrice: null,
      error: null,
      createdAt: ctx.now(),
    })),
  );
  const fresh: Fresh[] = [];
  reserved.forEach((r, i) => {
    const entry = ready[i] as Ready;
    if (!r.created) settleItem(entry.item, { record: r.record, existed: true });
    else {
      ctx.emit({ type: 'reserved', key: r.record.key, label: r.record.label, nonce: r.record.nonce });
      fresh.push({ item: entry.item, record: r.record, fees: entry.fees });
    }
  });
  return fresh;
}

/** Signs every fresh record and stores the signed raw transactions in one write. */
async function signFresh(ctx: ManagerContext, fresh: Fresh[]): Promise<TxRecord[]> {
  const signed: { key: Hex; patch: TxRecordPatch }[] = [];
  for (const f of fresh) {
    const attempt = await sign(ctx, f.record, f.fees, 'intent');
    signed.push({ key: f.record.key, patch: { status: 'signed', attempts: [attempt] } });
  }
  return ctx.store.updateMany(signed, ctx.now());
}

/** Settles every item the node did not accept (in nonce order) and returns the accepted ones. */
async function sortOutcomes(
  ctx: ManagerContext,
  fresh: Fresh[],
  signedRecords: TxRecord[],
  outcomes: BroadcastResult[],
  settleItem: SettleItem,
): Promise<Accepted[]> {
  const accepted: Accepted[] = [];
  for (const [i, record] of signedRecords.entries()) {
    const item = (fresh[i] as Fresh).item;
    const outcome = outcomes[i] as BroadcastResult;
    if (outcome === 'accepted') accepted.push({ item, record });
    else if (outcome === 'nonce-consumed' || outcome === 'underpriced')
      settleItem(item, { record, existed: false }); // settle() finds out who used the nonce
    else if (outcome instanceof TransactionRejectedError) {
      try {
        settleItem(item, { record: await handleRefusal(ctx, record, outcome), existed: false });
      } catch (refusal) {
        settleItem(item, { error: refusal });
      }
    } else {
      // Node unreachable: this one and the rest stay signed but unsent; the next send or
      // recover() sends them in nonce order.
      ctx.flags.needFlush = true;
      settleItem(item, { error: outcome });
    }
  }
  return accepted;
}

/** One write records the accepted broadcasts; then each item settles with its broadcast record. */
async function recordAccepted(
  ctx: ManagerContext,
  accepted: Accepted[],
  settleItem: SettleItem,
): Promise<void> {
  const updated = await ctx.store.updateMany(
    accepted.map(({ record }) => ({ key: record.key, patch: broadcastPatch(ctx, record, 0) })),
    ctx.now(),
  );
  updated.forEach((record, i) => {
    ctx.emit({
      type: 'broadcast',
      key: record.key,
      hash: record.attempts[0]?.hash as Hex,
      nonce: record.nonce,
      attempt: 0,
    });
    settleItem((accepted[i] as Accepted).item, { record, existed: false });
  });
}
