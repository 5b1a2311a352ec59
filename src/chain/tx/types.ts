import type { Address, Hex } from 'viem';

/** What the caller wants on-chain. `key` is the idempotency key (also carried on-chain by the contracts). */
export type TxIntent = {
  /** Idempotency key: one key, at most one transaction mined for it, ever. */
  key: Hex;
  /** Human-readable name for logs and errors, e.g. `mint sWTI 1200`. */
  label: string;
  to: Address;
  data: Hex;
  value?: bigint | undefined;
  /** Gas limit; estimated (at the pending block) when omitted. */
  gas?: bigint | undefined;
};

/**
 * Life of a stored transaction. Final states: `mined`, `reverted`, `replaced`, `failed`.
 * - `reserved`: nonce taken, nothing signed yet.
 * - `signed`: a signed raw transaction is stored, maybe not broadcast.
 * - `broadcast`: at least one attempt was accepted by a node.
 * - `mined`: a receipt with status success for one of our hashes.
 * - `reverted`: a receipt with status reverted for one of our hashes.
 * - `replaced`: the nonce was consumed on-chain by a transaction that is none of ours.
 * - `failed`: the node refused the transaction (e.g. insufficient funds); the nonce was released or filled.
 */
export type TxStatus = 'reserved' | 'signed' | 'broadcast' | 'mined' | 'reverted' | 'replaced' | 'failed';

export const FINAL_TX_STATUSES: readonly TxStatus[] = ['mined', 'reverted', 'replaced', 'failed'];

export function isFinalTxStatus(status: TxStatus): boolean {
  return FINAL_TX_STATUSES.includes(status);
}

/** One signed version of the transaction (the first, a fee bump, or a nonce filler). */
export type TxAttempt = {
  hash: Hex;
  /** The signed, serialized transaction: rebroadcasting it can never send a second transaction. */
  raw: Hex;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  /** `intent` for the caller's call; `filler` for a 0-value self-transfer that fills a refused nonce. */
  kind: 'intent' | 'filler';
  signedAt: number;
  /** Last time a node accepted it (ms since epoch); null until broadcast. */
  broadcastAt: number | null;
};

export type TxRecord = {
  key: Hex;
  label: string;
  chainId: number;
  from: Address;
  nonce: number;
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  status: TxStatus;
  /** Every hash ever signed for this nonce, oldest first. */
  attempts: TxAttempt[];
  minedHash: Hex | null;
  blockNumber: bigint | null;
  gasUsed: bigint | null;
  effectiveGasPrice: bigint | null;
  /** Decoded revert reason or refusal message, when final and not successful. */
  error: string | null;
  createdAt: number;
  updatedAt: number;
};

/** Fields a store accepts in `update`. */
export type TxRecordPatch = Partial<
  Pick<
    TxRecord,
    'status' | 'attempts' | 'minedHash' | 'blockNumber' | 'gasUsed' | 'effectiveGasPrice' | 'error' | 'nonce'
  >
>;

type MaybePromise<T> = T | Promise<T>;

/**
 * Durable storage for the transaction manager. Every write must be durable when it returns
 * (the manager performs the side effect only after the write). The agent's SQLite journal
 * implements it (`src/agent/journal`); `createMemoryTxStore` is a non-durable one for tests and benches.
 */
export interface TxStore {
  /**
   * Atomically: if a record for `record.key` exists, return it with `created: false`. Otherwise take
   * nonce = the stored next nonce of (chainId, from), insert the record with that nonce and status
   * `reserved`, and store next = nonce + 1.
   */
  reserve(
    record: Omit<TxRecord, 'nonce' | 'status' | 'attempts' | 'updatedAt'>,
  ): MaybePromise<{ record: TxRecord; created: boolean }>;
  /** `reserve` for several records in one durable write, nonces in the order given. */
  reserveMany(
    records: readonly Omit<TxRecord, 'nonce' | 'status' | 'attempts' | 'updatedAt'>[],
  ): MaybePromise<{ record: TxRecord; created: boolean }[]>;
  get(key: Hex): MaybePromise<TxRecord | undefined>;
  update(key: Hex, patch: TxRecordPatch, now: number): MaybePromise<TxRecord>;
  /** Several updates in one durable write (group commit), applied in order; returns the records after. */
  updateMany(updates: readonly { key: Hex; patch: TxRecordPatch }[], now: number): MaybePromise<TxRecord[]>;
  /** Records not in a final state for (chainId, from), by nonce ascending. */
  pending(chainId: number, from: Address): MaybePromise<TxRecord[]>;
  /** The stored next nonce, or undefined if never synced. */
  nextNonce(chainId: number, from: Address): MaybePromise<number | undefined>;
  /** next = max(stored next, chainNonce); returns the new next nonce. */
  syncNonce(chainId: number, from: Address, chainNonce: number): MaybePromise<number>;
  /** If next == nonce + 1 (nothing reserved after it), set next = nonce and return true. */
  releaseNonce(chainId: number, from: Address, nonce: number): MaybePromise<boolean>;
}
