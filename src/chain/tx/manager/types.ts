// Why: the manager's public types live apart from the code so callers and every step share one definition.
import type { Address, Hex, LocalAccount, TransactionReceipt } from 'viem';
import type { ProvenantClients } from '../../clients.js';
import type { RetryOptions } from '../retry.js';
import type { TxIntent, TxRecord, TxStore } from '../types.js';

export type CrashPoint = 'after-reserve' | 'after-sign' | 'after-broadcast';

export type TxEvent =
  | { type: 'reserved'; key: Hex; label: string; nonce: number }
  | { type: 'broadcast'; key: Hex; hash: Hex; nonce: number; attempt: number }
  | { type: 'rebroadcast'; key: Hex; hash: Hex; nonce: number; reason: 'dropped' | 'recover' }
  | { type: 'bumped'; key: Hex; hash: Hex; nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
  | { type: 'retry'; what: string; attempt: number; delayMs: number; error: unknown }
  | { type: 'final'; key: Hex; status: TxRecord['status']; hash: Hex | null; nonce: number };

export type CreateTxManagerParameters = {
  clients: Pick<ProvenantClients, 'publicClient' | 'chain' | 'rpcUrls'>;
  /** A local signer: transactions are signed in-process and only the raw bytes go to the node. */
  account: LocalAccount;
  store: TxStore;
  /** Receipt polling interval (default 100 ms). */
  pollIntervalMs?: number | undefined;
  /** A transaction with no receipt this long after its last broadcast is re-signed with bumped fees (default 60 s). */
  stuckAfterMs?: number | undefined;
  /** Fee bump in basis points, at least 1250 (+12.5 %, what nodes require for a replacement). */
  feeBumpBps?: number | undefined;
  /** Never bump maxFeePerGas above this (wei). */
  maxFeePerGasCap?: bigint | undefined;
  /** How often to check that a pending transaction is still known to the node (default 2 s). */
  dropCheckMs?: number | undefined;
  /** `send` gives up waiting (TransactionPendingError, retryable) after this long (default 10 min). */
  receiptTimeoutMs?: number | undefined;
  /** How long fee estimates are reused (default 2 s). */
  feeCacheMs?: number | undefined;
  retry?: Omit<RetryOptions, 'onRetry' | 'rpcUrls'> | undefined;
  /** Tests only: die at this point of the flow. */
  crashAt?: CrashPoint | undefined;
  /** `kill` (default) sends SIGKILL to this process; `throw` throws CrashInjectedError. */
  crashMode?: 'kill' | 'throw' | undefined;
  now?: (() => number) | undefined;
  onEvent?: ((event: TxEvent) => void) | undefined;
};

export type SendResult = {
  key: Hex;
  hash: Hex;
  nonce: number;
  receipt: TransactionReceipt;
  status: 'success';
};

export type SendSettled = { ok: true; result: SendResult } | { ok: false; key: Hex; error: unknown };

export type RecoverReport = {
  /** One line per stored transaction that was not final when recovery started. */
  outcomes: {
    key: Hex;
    label: string;
    nonce: number;
    status: TxRecord['status'];
    hash: Hex | null;
    error?: unknown;
  }[];
};

export type TxManager = {
  readonly address: Address;
  readonly chainId: number;
  /** Sends one intent and resolves once it is mined successfully; throws a typed error otherwise. Idempotent per key. */
  send(intent: TxIntent): Promise<SendResult>;
  /** Sends intents with consecutive nonces, in order, all in flight together; settles each. */
  sendMany(intents: readonly TxIntent[]): Promise<SendSettled[]>;
  /** After a crash: finishes every stored transaction that is not final (never sends a second one). */
  recover(): Promise<RecoverReport>;
};
