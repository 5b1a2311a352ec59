// Why: record updates asked for in the same turn of the event loop share one durable write (group commit).
import type { Hex } from 'viem';
import type { TxRecord, TxRecordPatch, TxStore } from '../types.js';

export type Persist = (key: Hex, patch: TxRecordPatch) => Promise<TxRecord>;

/** Returns `persist`: queues a patch and resolves with the stored record once the shared write is done. */
export function createGroupCommit(store: TxStore, now: () => number): Persist {
  let writeQueue: {
    key: Hex;
    patch: TxRecordPatch;
    resolve: (r: TxRecord) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const flushWrites = async () => {
    const items = writeQueue;
    writeQueue = [];
    try {
      const records = await store.updateMany(
        items.map(({ key, patch }) => ({ key, patch })),
        now(),
      );
      items.forEach((item, i) => {
        item.resolve(records[i] as TxRecord);
      });
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  };
  return (key, patch) =>
    new Promise((resolve, reject) => {
      if (writeQueue.length === 0) setImmediate(flushWrites);
      writeQueue.push({ key, patch, resolve, reject });
    });
}
