// Why: intents sent in the same turn (sendMany, concurrent sends) are queued and go through the locked section as one batch.
import type { TxIntent, TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import { prepare } from './prepare.js';
import { processBatch, type Queued } from './processBatch.js';

export type Enqueue = (intent: TxIntent) => Promise<{ record: TxRecord; existed: boolean }>;

/**
 * Returns `enqueue`. Intents queued while the locked section is busy go out together as one batch
 * (see processBatch). Order is call order.
 */
export function createBatcher(ctx: ManagerContext): Enqueue {
  let queue: Queued[] = [];
  let pumping = false;

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length) {
        const batch = queue;
        queue = [];
        await processBatch(ctx, batch);
      }
    } finally {
      pumping = false;
    }
  };

  return (intent) =>
    new Promise((resolve, reject) => {
      const prepared = prepare(ctx, intent);
      prepared.catch(() => {}); // handled in processBatch
      queue.push({ intent, prepared, resolve, reject });
      // Next turn: intents sent in the same turn (sendMany, concurrent sends) share one batch.
      if (queue.length === 1) setImmediate(() => void pump());
    });
}
