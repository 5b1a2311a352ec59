import type { Address, Hex } from 'viem';
import { isFinalTxStatus, type TxRecord, type TxRecordPatch, type TxStore } from './types.js';

/**
 * A TxStore held in memory: NOT durable (a restart forgets every reservation). For tests and
 * benchmarks of the chain module alone; the agent uses the SQLite store of its journal.
 */
export function createMemoryTxStore(): TxStore {
  const records = new Map<string, TxRecord>();
  const nonces = new Map<string, number>();
  const account = (chainId: number, from: Address) => `${chainId}:${from.toLowerCase()}`;
  const clone = (r: TxRecord): TxRecord => ({ ...r, attempts: r.attempts.map((a) => ({ ...a })) });
  const store: TxStore = {
    reserveMany(inputs) {
      return inputs.map((input) => store.reserve(input) as { record: TxRecord; created: boolean });
    },
    updateMany(updates, now) {
      return updates.map(({ key, patch }) => store.update(key, patch, now) as TxRecord);
    },
    reserve(input) {
      const existing = records.get(input.key.toLowerCase());
      if (existing) return { record: clone(existing), created: false };
      const id = account(input.chainId, input.from);
      const nonce = nonces.get(id) ?? 0;
      const record: TxRecord = {
        ...input,
        nonce,
        status: 'reserved',
        attempts: [],
        updatedAt: input.createdAt,
      };
      records.set(input.key.toLowerCase(), record);
      nonces.set(id, nonce + 1);
      return { record: clone(record), created: true };
    },
    get(key: Hex) {
      const r = records.get(key.toLowerCase());
      return r ? clone(r) : undefined;
    },
    update(key: Hex, patch: TxRecordPatch, now: number) {
      const r = records.get(key.toLowerCase());
      if (!r) throw new Error(`memory tx store: no record for ${key}`);
      Object.assign(r, patch, { updatedAt: now });
      return clone(r);
    },
    pending(chainId: number, from: Address) {
      return [...records.values()]
        .filter((r) => r.chainId === chainId && r.from.toLowerCase() === from.toLowerCase())
        .filter((r) => !isFinalTxStatus(r.status))
        .sort((a, b) => a.nonce - b.nonce)
        .map(clone);
    },
    nextNonce(chainId: number, from: Address) {
      return nonces.get(account(chainId, from));
    },
    syncNonce(chainId: number, from: Address, chainNonce: number) {
      const id = account(chainId, from);
      const next = Math.max(nonces.get(id) ?? 0, chainNonce);
      nonces.set(id, next);
      return next;
    },
    releaseNonce(chainId: number, from: Address, nonce: number) {
      const id = account(chainId, from);
      if (nonces.get(id) !== nonce + 1) return false;
      nonces.set(id, nonce);
      return true;
    },
  };
  return store;
}
