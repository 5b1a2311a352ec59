// Why: a transaction stuck without a receipt is re-signed with higher fees (bounded by the cap) and sent again.
import type { TxRecord } from '../types.js';
import { broadcastLast } from './broadcast.js';
import type { ManagerContext } from './context.js';
import { sign } from './sign.js';

/** Re-signs the last attempt with fees raised by `bumpBps` (at least the current estimate) and broadcasts it. */
export async function bump(ctx: ManagerContext, record: TxRecord): Promise<TxRecord> {
  const last = record.attempts[record.attempts.length - 1];
  if (!last) return record;
  const current = await ctx.getFees();
  const up = (x: bigint) => (x * (10_000n + ctx.bumpBps) + 9_999n) / 10_000n;
  let maxPriorityFeePerGas = max(up(last.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
  let maxFeePerGas = max(up(last.maxFeePerGas), current.maxFeePerGas, maxPriorityFeePerGas);
  const cap = ctx.parameters.maxFeePerGasCap;
  if (cap !== undefined && maxFeePerGas > cap) {
    if (last.maxFeePerGas >= cap) {
      // At the ceiling already: keep waiting, restart the stuck clock.
      return restartStuckClock(ctx, record);
    }
    maxFeePerGas = cap;
    maxPriorityFeePerGas = min(maxPriorityFeePerGas, cap);
  }
  const fees = { maxFeePerGas, maxPriorityFeePerGas };
  const attempt = await sign(ctx, record, fees, last.kind);
  const updated = await ctx.persist(record.key, { attempts: [...record.attempts, attempt] });
  ctx.emit({ type: 'bumped', key: record.key, hash: attempt.hash, nonce: record.nonce, ...fees });
  const sent = await broadcastLast(ctx, updated);
  if (sent.outcome === 'accepted') return sent.record;
  // Not accepted: keep the attempt on record (its hash is tracked) and try a higher fee next round.
  return restartStuckClock(ctx, sent.record);
}

/** Sets the last attempt's broadcast time to now, so the record counts as stuck only `stuckAfterMs` later. */
function restartStuckClock(ctx: ManagerContext, record: TxRecord): Promise<TxRecord> {
  const attempts = record.attempts.map((a, i) =>
    i === record.attempts.length - 1 ? { ...a, broadcastAt: ctx.now() } : a,
  );
  return ctx.persist(record.key, { attempts });
}

/** Largest of bigints (Math.max does not take bigints). */
function max(first: bigint, ...rest: bigint[]): bigint {
  let largest = first;
  for (const x of rest) if (x > largest) largest = x;
  return largest;
}
const min = (a: bigint, b: bigint) => (a < b ? a : b);
