// Why: the defaults and the helpers every step uses (events, retries, crash injection) are read from the parameters once, here.
import type { Address, LocalAccount } from 'viem';
import type { ProvenantClients } from '../../clients.js';
import { CrashInjectedError } from '../errors.js';
import { type RetryOptions, withRetry } from '../retry.js';
import type { TxStore } from '../types.js';
import type { CrashPoint, CreateTxManagerParameters, TxEvent } from './types.js';

/** The parameters with their defaults applied, and the helpers built from them. */
export type ManagerSettings = {
  parameters: CreateTxManagerParameters;
  clients: CreateTxManagerParameters['clients'];
  account: LocalAccount;
  store: TxStore;
  pc: ProvenantClients['publicClient'];
  chainId: number;
  from: Address;
  now: () => number;
  poll: number;
  stuckAfterMs: number;
  dropCheckMs: number;
  feeCacheMs: number;
  receiptTimeoutMs: number;
  bumpBps: bigint;
  emit: (event: TxEvent) => void;
  /** An RPC call with backoff on transient failures (each retry is reported as a `retry` event). */
  rpc: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
  /** Tests only: dies (or throws) when `point` is the configured crash point. */
  crash: (point: CrashPoint) => void;
};

export function createSettings(parameters: CreateTxManagerParameters): ManagerSettings {
  const { clients, account, store } = parameters;
  const pc = clients.publicClient;
  const chainId = clients.chain.id;
  const from = account.address;
  const now = parameters.now ?? Date.now;
  const poll = parameters.pollIntervalMs ?? 100;
  const stuckAfterMs = parameters.stuckAfterMs ?? 60_000;
  const dropCheckMs = parameters.dropCheckMs ?? 2_000;
  const feeCacheMs = parameters.feeCacheMs ?? 2_000;
  const receiptTimeoutMs = parameters.receiptTimeoutMs ?? 600_000;
  const bumpBps = BigInt(Math.max(1250, parameters.feeBumpBps ?? 1250));
  const emit = (event: TxEvent) => parameters.onEvent?.(event);
  const retryOptions: RetryOptions = {
    ...parameters.retry,
    rpcUrls: clients.rpcUrls,
    onRetry: (info) => emit({ type: 'retry', ...info }),
  };
  const rpc = <T>(what: string, fn: () => Promise<T>) => withRetry(what, fn, retryOptions);

  const crash = (point: CrashPoint) => {
    if (parameters.crashAt !== point) return;
    if (parameters.crashMode === 'throw') throw new CrashInjectedError(point);
    process.kill(process.pid, 'SIGKILL');
  };

  return {
    parameters,
    clients,
    account,
    store,
    pc,
    chainId,
    from,
    now,
    poll,
    stuckAfterMs,
    dropCheckMs,
    feeCacheMs,
    receiptTimeoutMs,
    bumpBps,
    emit,
    rpc,
    crash,
  };
}
