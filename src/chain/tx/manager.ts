import {
  type Address,
  BaseError,
  formatEther,
  formatTransactionReceipt,
  type Hex,
  keccak256,
  type LocalAccount,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from 'viem';
import { isRetryable } from '../../errors/index.js';
import type { ProvenantClients } from '../clients.js';
import { withGasMargin } from '../gasMargin.js';
import { type ContractRevertError, toContractRevertError } from '../revert.js';
import {
  CrashInjectedError,
  RpcTransientError,
  TransactionPendingError,
  TransactionRejectedError,
  TransactionReplacedError,
  TxRevertedError,
} from './errors.js';
import { isInsufficientFunds } from './funds.js';
import { classifyRpcError, type RetryOptions, sleep, withRetry } from './retry.js';

/** How many times a used nonce's receipt is looked for again before the transaction counts as replaced. */
const REPLACED_GRACE_CHECKS = 8;

import {
  isFinalTxStatus,
  type TxAttempt,
  type TxIntent,
  type TxRecord,
  type TxRecordPatch,
  type TxStore,
} from './types.js';

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

type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

const KNOWN = /already known|already imported|known transaction|transaction already exists/i;
const NONCE_LOW = /nonce too low|nonce has already been used|nonce is too low|NonceTooLow/i;
const UNDERPRICED = /underpriced|replacement transaction|fee too low/i;

/**
 * The transaction manager: durable nonce reservation, local signing, pipelined broadcast, receipts
 * always checked, backoff on transient RPC failures only, fee bumps for stuck transactions, dropped
 * and replaced detection, and crash recovery. Every step is persisted in the store before the side
 * effect it enables: reserve nonce → sign → persist raw → broadcast → persist → receipt → persist.
 */
export function createTxManager(parameters: CreateTxManagerParameters): TxManager {
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

  // --- serialisation of the reserve → sign → broadcast section (keeps nonce order = broadcast order)
  let tail: Promise<void> = Promise.resolve();
  const lock = () => {
    const previous = tail;
    let resolveTail!: () => void;
    tail = new Promise<void>((resolve) => {
      resolveTail = resolve;
    });
    // Releasing early (before our turn) must not let later holders overtake earlier ones.
    const release = () => {
      previous.then(resolveTail);
    };
    return { ready: previous, release };
  };

  // --- group commit: updates requested in the same turn of the event loop share one durable write
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
  const persist = (key: Hex, patch: TxRecordPatch): Promise<TxRecord> =>
    new Promise((resolve, reject) => {
      if (writeQueue.length === 0) setImmediate(flushWrites);
      writeQueue.push({ key, patch, resolve, reject });
    });

  let synced: Promise<void> | undefined;
  const ensureSynced = () => {
    synced ??= (async () => {
      const pending = await rpc('eth_getTransactionCount', () =>
        pc.getTransactionCount({ address: from, blockTag: 'pending' }),
      );
      await store.syncNonce(chainId, from, pending);
    })().catch((error) => {
      synced = undefined;
      throw error;
    });
    return synced;
  };

  let feeCache: { at: number; fees: Fees } | undefined;
  const getFees = async (): Promise<Fees> => {
    if (feeCache && now() - feeCache.at < feeCacheMs) return feeCache.fees;
    const estimate = await rpc('fee estimate', () => pc.estimateFeesPerGas({ chain: clients.chain }));
    const fees = { maxFeePerGas: estimate.maxFeePerGas, maxPriorityFeePerGas: estimate.maxPriorityFeePerGas };
    feeCache = { at: now(), fees };
    return fees;
  };

  const estimateGas = async (intent: TxIntent): Promise<bigint> => {
    try {
      return await rpc('eth_estimateGas', () =>
        pc.estimateGas({
          account: from,
          to: intent.to,
          data: intent.data,
          value: intent.value ?? 0n,
          blockTag: 'pending',
        }),
      );
    } catch (error) {
      const revert = toContractRevertError(error);
      if (revert) throw revert;
      if (isRetryable(error)) throw error;
      throw new TransactionRejectedError(
        intent.key,
        intent.label,
        `gas estimation failed (${errorText(error)})`,
        error,
      );
    }
  };

  const sign = async (record: TxRecord, fees: Fees, kind: TxAttempt['kind']): Promise<TxAttempt> => {
    const body =
      kind === 'filler'
        ? { to: from, data: '0x' as Hex, value: 0n, gas: 21_000n }
        : { to: record.to, data: record.data, value: record.value, gas: record.gas };
    const raw = await account.signTransaction({
      type: 'eip1559',
      chainId,
      nonce: record.nonce,
      ...body,
      maxFeePerGas: fees.maxFeePerGas,
      maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
    });
    return { hash: keccak256(raw), raw, ...fees, kind, signedAt: now(), broadcastAt: null };
  };

  type BroadcastOutcome = 'accepted' | 'nonce-consumed' | 'underpriced';

  /**
   * The node's refusal text, and for an account that cannot pay: its balance and what this attempt needs
   * (gas × max fee + value), so the operator knows how much to fund (the address, never the key).
   */
  const withFunds = async (
    error: unknown,
    text: string,
    record: TxRecord,
    attempt: TxAttempt,
  ): Promise<string> => {
    if (!isInsufficientFunds(error)) return text;
    const gas = attempt.kind === 'filler' ? 21_000n : record.gas;
    const value = attempt.kind === 'filler' ? 0n : record.value;
    const needed = gas * attempt.maxFeePerGas + value;
    try {
      const balance = await pc.getBalance({ address: from });
      return `insufficient funds: account ${from} holds ${formatEther(balance)} ETH, the transaction needs up to ${formatEther(needed)} ETH (gas ${gas} × max fee ${attempt.maxFeePerGas} wei + value ${value} wei)`;
    } catch {
      return `${text} (the transaction needs up to ${formatEther(needed)} ETH)`;
    }
  };

  /** Sends one stored attempt to the node (no persistence). Refusals are thrown as TransactionRejectedError. */
  const sendRaw = async (record: TxRecord, index: number): Promise<BroadcastOutcome> => {
    const attempt = record.attempts[index];
    if (!attempt) throw new Error(`no attempt ${index} for ${record.key}`);
    try {
      await rpc('eth_sendRawTransaction', () =>
        pc.request({ method: 'eth_sendRawTransaction', params: [attempt.raw] }),
      );
    } catch (error) {
      if (isRetryable(error)) throw error;
      const text = errorText(error);
      if (NONCE_LOW.test(text)) return 'nonce-consumed';
      if (!KNOWN.test(text)) {
        if (index > 0 && UNDERPRICED.test(text)) return 'underpriced';
        throw new TransactionRejectedError(
          record.key,
          record.label,
          await withFunds(error, text, record, attempt),
          error,
        );
      }
    }
    crash('after-broadcast');
    return 'accepted';
  };

  type BroadcastResult = BroadcastOutcome | TransactionRejectedError | Error;
  let batchUnsupported = false;

  /**
   * Broadcasts signed records in nonce order. Several go out as JSON-RPC batches over HTTP (one
   * round trip per 100, the endpoints tried in order); a single one, or a non-HTTP endpoint, goes
   * through the viem transport. After a transport failure nothing later is sent.
   */
  const broadcastAll = async (records: readonly TxRecord[]): Promise<BroadcastResult[]> => {
    const results: BroadcastResult[] = [];
    const httpOnly = clients.rpcUrls.every((url) => /^https?:/i.test(url));
    if (records.length < 2 || !httpOnly || batchUnsupported) {
      for (const record of records) {
        const failed = results.find((r) => r instanceof Error && !(r instanceof TransactionRejectedError));
        if (failed) {
          results.push(failed);
          continue;
        }
        try {
          results.push(await sendRaw(record, 0));
        } catch (error) {
          results.push(error instanceof Error ? error : new Error(String(error)));
        }
      }
      return results;
    }
    for (let start = 0; start < records.length; start += 100) {
      const chunk = records.slice(start, start + 100);
      let answers: { id: number; error?: { message?: string; data?: unknown } }[] | undefined;
      try {
        answers = await rpc('eth_sendRawTransaction (batch)', () =>
          postBatch(
            clients.rpcUrls,
            chunk.map((record, id) => ({
              jsonrpc: '2.0',
              id,
              method: 'eth_sendRawTransaction',
              params: [record.attempts[0]?.raw],
            })),
          ),
        );
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        while (results.length < records.length) results.push(failure);
        return results;
      }
      if (!answers) {
        batchUnsupported = true;
        return [...results, ...(await broadcastAll(records.slice(start)))];
      }
      for (const [id, record] of chunk.entries()) {
        const answer = answers.find((a) => a.id === id);
        if (!answer) {
          results.push(new RpcTransientError('eth_sendRawTransaction (batch): no answer for an entry'));
          continue;
        }
        if (!answer.error) {
          results.push('accepted');
          continue;
        }
        const text = `${answer.error.message ?? ''} ${typeof answer.error.data === 'string' ? answer.error.data : ''}`;
        if (KNOWN.test(text)) results.push('accepted');
        else if (NONCE_LOW.test(text)) results.push('nonce-consumed');
        else results.push(new TransactionRejectedError(record.key, record.label, text.trim()));
      }
      if (results.includes('accepted')) crash('after-broadcast');
    }
    return results;
  };

  const broadcastPatch = (record: TxRecord, index: number): TxRecordPatch => ({
    status: 'broadcast',
    attempts: record.attempts.map((a, i) => (i === index ? { ...a, broadcastAt: now() } : a)),
  });

  /** Sends one stored attempt and persists its broadcast time. */
  const broadcast = async (
    record: TxRecord,
    index: number,
  ): Promise<{ record: TxRecord; outcome: BroadcastOutcome }> => {
    const outcome = await sendRaw(record, index);
    if (outcome !== 'accepted') return { record, outcome };
    const updated = await persist(record.key, broadcastPatch(record, index));
    const hash = record.attempts[index]?.hash as Hex;
    emit({ type: 'broadcast', key: record.key, hash, nonce: record.nonce, attempt: index });
    return { record: updated, outcome };
  };

  /**
   * A refused transaction leaves a hole in the nonce sequence. Give the nonce back when nothing was
   * reserved after it; otherwise fill it with a 0-value self-transfer so later nonces can be mined.
   */
  const handleRefusal = async (record: TxRecord, refusal: TransactionRejectedError): Promise<TxRecord> => {
    const reason = refusal.shortMessage;
    if (await store.releaseNonce(chainId, from, record.nonce)) {
      await persist(record.key, { status: 'failed', error: reason });
      emit({ type: 'final', key: record.key, status: 'failed', hash: null, nonce: record.nonce });
      throw refusal;
    }
    const filler = await sign(record, await getFees(), 'filler');
    let updated = await persist(record.key, {
      status: 'signed',
      attempts: [...record.attempts, filler],
      error: reason,
    });
    const sent = await broadcast(updated, updated.attempts.length - 1).catch(async (error) => {
      await persist(record.key, {
        status: 'failed',
        error: `${reason}; filler refused: ${errorText(error)}`,
      });
      throw refusal;
    });
    updated = sent.record;
    return updated;
  };

  /** Drives a reserved or signed record up to an accepted broadcast (caller holds the lock). */
  const signAndBroadcast = async (input: TxRecord, fees?: Fees): Promise<TxRecord> => {
    let record = input;
    if (record.status === 'reserved') {
      const attempt = await sign(record, fees ?? (await getFees()), 'intent');
      record = await persist(record.key, { status: 'signed', attempts: [attempt] });
      crash('after-sign');
    }
    if (record.status === 'signed') {
      try {
        const sent = await broadcast(record, record.attempts.length - 1);
        record = sent.record;
      } catch (error) {
        if (error instanceof TransactionRejectedError) return handleRefusal(record, error);
        needFlush = true;
        throw error;
      }
    }
    return record;
  };

  // --- receipt look-ups asked for in the same turn go out as one JSON-RPC batch (HTTP endpoints)
  let receiptQueue: {
    hash: Hex;
    resolve: (r: TransactionReceipt | undefined) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const viemReceipt = (hash: Hex) =>
    pc.getTransactionReceipt({ hash }).catch((error) => {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    });
  const flushReceipts = async () => {
    const items = receiptQueue;
    receiptQueue = [];
    const httpOnly = clients.rpcUrls.every((url) => /^https?:/i.test(url));
    if (items.length < 2 || !httpOnly || batchUnsupported) {
      await Promise.all(
        items.map((item) =>
          rpc('eth_getTransactionReceipt', () => viemReceipt(item.hash)).then(item.resolve, item.reject),
        ),
      );
      return;
    }
    try {
      const answers = await rpc('eth_getTransactionReceipt (batch)', () =>
        postBatch(
          clients.rpcUrls,
          items.map((item, id) => ({
            jsonrpc: '2.0',
            id,
            method: 'eth_getTransactionReceipt',
            params: [item.hash],
          })),
        ),
      );
      items.forEach((item, id) => {
        const answer = answers?.find((a) => a.id === id) as { result?: unknown; error?: unknown } | undefined;
        if (!answer || answer.error) {
          // Not batched after all, or the entry failed: ask for this one alone.
          rpc('eth_getTransactionReceipt', () => viemReceipt(item.hash)).then(item.resolve, item.reject);
        } else
          item.resolve(
            answer.result
              ? formatTransactionReceipt(answer.result as Parameters<typeof formatTransactionReceipt>[0])
              : undefined,
          );
      });
    } catch (error) {
      for (const item of items) item.reject(error);
    }
  };
  const getReceipt = (hash: Hex): Promise<TransactionReceipt | undefined> =>
    new Promise((resolve, reject) => {
      if (receiptQueue.length === 0) setImmediate(flushReceipts);
      receiptQueue.push({ hash, resolve, reject });
    });

  const findReceipt = async (record: TxRecord): Promise<TransactionReceipt | undefined> => {
    const receipts = await Promise.all([...record.attempts].reverse().map((a) => getReceipt(a.hash)));
    return receipts.find((r) => r !== undefined);
  };

  // The account's mined nonce, shared by every transaction waiting in the same moment. A slightly
  // old value only delays the "replaced" verdict (the count never goes down), never fakes it.
  let latestNonce: { at: number; value: Promise<number> } | undefined;
  const minedNonce = (): Promise<number> => {
    if (latestNonce && now() - latestNonce.at < Math.min(poll, 50)) return latestNonce.value;
    const value = rpc('eth_getTransactionCount', () =>
      pc.getTransactionCount({ address: from, blockTag: 'latest' }),
    );
    value.catch(() => {
      latestNonce = undefined;
    });
    latestNonce = { at: now(), value };
    return value;
  };

  const explainRevert = async (
    record: TxRecord,
    receipt: TransactionReceipt,
  ): Promise<{ reason: string | undefined; revert?: ContractRevertError }> => {
    try {
      // The parent block's state, with the mined block's number and time: a revert that depends on the
      // time (a round or proof that expired between the preflight and the block) is named too.
      const mined = await pc.getBlock({ blockNumber: receipt.blockNumber }).catch(() => undefined);
      await pc.call({
        account: from,
        to: record.to,
        data: record.data,
        value: record.value,
        gas: record.gas,
        blockNumber: receipt.blockNumber > 0n ? receipt.blockNumber - 1n : 0n,
        ...(mined ? { blockOverrides: { number: mined.number, time: mined.timestamp } } : {}),
      });
      return { reason: undefined };
    } catch (error) {
      const revert = toContractRevertError(error);
      if (revert) return { reason: revert.shortMessage, revert };
      if (isRetryable(classifyRpcError(error, 'eth_call'))) return { reason: undefined };
      return { reason: errorText(error) };
    }
  };

  const finalize = async (record: TxRecord, receipt: TransactionReceipt): Promise<SendResult> => {
    const hash = receipt.transactionHash;
    const attempt = record.attempts.find((a) => a.hash.toLowerCase() === hash.toLowerCase());
    const mined = {
      minedHash: hash,
      blockNumber: receipt.blockNumber,
      gasUsed: receipt.gasUsed,
      effectiveGasPrice: receipt.effectiveGasPrice,
    };
    if (receipt.status === 'success' && attempt?.kind !== 'filler') {
      await persist(record.key, { status: 'mined', ...mined, error: null });
      emit({ type: 'final', key: record.key, status: 'mined', hash, nonce: record.nonce });
      return { key: record.key, hash, nonce: record.nonce, receipt, status: 'success' };
    }
    if (attempt?.kind === 'filler') {
      const reason = record.error ?? 'refused by the node';
      await persist(record.key, { status: 'failed', ...mined, error: reason });
      emit({ type: 'final', key: record.key, status: 'failed', hash, nonce: record.nonce });
      throw new TransactionRejectedError(record.key, record.label, reason);
    }
    const { reason, revert } = await explainRevert(record, receipt);
    await persist(record.key, { status: 'reverted', ...mined, error: reason ?? 'reverted (reason unknown)' });
    emit({ type: 'final', key: record.key, status: 'reverted', hash, nonce: record.nonce });
    throw new TxRevertedError(hash, record.label, reason, { receipt, revert });
  };

  const markReplaced = async (record: TxRecord): Promise<never> => {
    await persist(record.key, { status: 'replaced', error: 'nonce used by a transaction that is not ours' });
    emit({ type: 'final', key: record.key, status: 'replaced', hash: null, nonce: record.nonce });
    synced = undefined;
    throw new TransactionReplacedError(
      record.key,
      record.label,
      record.nonce,
      record.attempts.map((a) => a.hash),
    );
  };

  /** Receipt found → final; nonce consumed by someone else → replaced; else undefined. */
  const checkChain = async (record: TxRecord): Promise<SendResult | undefined> => {
    const receipt = await findReceipt(record);
    if (receipt) return finalize(record, receipt);
    const latest = await minedNonce();
    if (latest > record.nonce) {
      // The nonce is used. Ours may still be the one that used it: a node can expose the new nonce a moment
      // before the receipt (seen on anvil under load), so give the receipt a short grace period and ask
      // whether the node knows our transaction as mined before calling it replaced.
      for (let attempt = 0; attempt < REPLACED_GRACE_CHECKS; attempt++) {
        const late = await findReceipt(record);
        if (late) return finalize(record, late);
        // Always look a few times; keep looking longer while the node knows our transaction as mined.
        if (attempt >= 2 && !(await knownAsMined(record))) break;
        await sleep(Math.max(poll, 50) * (attempt + 1));
      }
      const last = await findReceipt(record);
      if (last) return finalize(record, last);
      return markReplaced(record);
    }
    return undefined;
  };

  /** True when the node reports one of our hashes with a block number (mined, receipt not served yet). */
  const knownAsMined = async (record: TxRecord): Promise<boolean> => {
    for (const attempt of record.attempts) {
      const tx = (await rpc('eth_getTransactionByHash', () =>
        pc.request({ method: 'eth_getTransactionByHash', params: [attempt.hash] }),
      )) as { blockNumber?: string | null } | null;
      if (tx?.blockNumber) return true;
    }
    return false;
  };

  const bump = async (record: TxRecord): Promise<TxRecord> => {
    const last = record.attempts[record.attempts.length - 1];
    if (!last) return record;
    const current = await getFees();
    const up = (x: bigint) => (x * (10_000n + bumpBps) + 9_999n) / 10_000n;
    let maxPriorityFeePerGas = max(up(last.maxPriorityFeePerGas), current.maxPriorityFeePerGas);
    let maxFeePerGas = max(up(last.maxFeePerGas), current.maxFeePerGas, maxPriorityFeePerGas);
    const cap = parameters.maxFeePerGasCap;
    if (cap !== undefined && maxFeePerGas > cap) {
      if (last.maxFeePerGas >= cap) {
        // At the ceiling already: keep waiting, restart the stuck clock.
        const attempts = record.attempts.map((a, i) =>
          i === record.attempts.length - 1 ? { ...a, broadcastAt: now() } : a,
        );
        return persist(record.key, { attempts });
      }
      maxFeePerGas = cap;
      maxPriorityFeePerGas = min(maxPriorityFeePerGas, cap);
    }
    const fees = { maxFeePerGas, maxPriorityFeePerGas };
    const attempt = await sign(record, fees, last.kind);
    const updated = await persist(record.key, { attempts: [...record.attempts, attempt] });
    emit({ type: 'bumped', key: record.key, hash: attempt.hash, nonce: record.nonce, ...fees });
    const sent = await broadcast(updated, updated.attempts.length - 1).catch((error) => {
      if (error instanceof TransactionRejectedError)
        return { record: updated, outcome: 'underpriced' as const };
      throw error;
    });
    if (sent.outcome === 'accepted') return sent.record;
    // Not accepted: keep the attempt on record (its hash is tracked) and try a higher fee next round.
    const attempts = sent.record.attempts.map((a, i) =>
      i === sent.record.attempts.length - 1 ? { ...a, broadcastAt: now() } : a,
    );
    return persist(record.key, { attempts });
  };

  const isDropped = async (record: TxRecord): Promise<boolean> => {
    for (const attempt of record.attempts) {
      const tx = await rpc('eth_getTransactionByHash', () =>
        pc.request({ method: 'eth_getTransactionByHash', params: [attempt.hash] }),
      );
      if (tx) return false;
    }
    return true;
  };

  /** Waits until the record is final. */
  const settle = async (input: TxRecord): Promise<SendResult> => {
    let record = input;
    const started = now();
    let lastDropCheck = started;
    while (true) {
      const done = await checkChain(record);
      if (done) return done;
      if (now() - started >= receiptTimeoutMs)
        throw new TransactionPendingError(
          record.key,
          record.label,
          record.nonce,
          now() - started,
          record.attempts.map((a) => a.hash),
        );
      const last = record.attempts[record.attempts.length - 1];
      const since = last ? now() - (last.broadcastAt ?? last.signedAt) : 0;
      if (last && since >= stuckAfterMs) {
        record = await bump(record);
      } else if (last && now() - lastDropCheck >= dropCheckMs) {
        lastDropCheck = now();
        if (await isDropped(record)) {
          const sent = await broadcast(record, record.attempts.length - 1).catch((error) => {
            if (error instanceof TransactionRejectedError) return { record, outcome: 'underpriced' as const };
            throw error;
          });
          record = sent.record;
          emit({
            type: 'rebroadcast',
            key: record.key,
            hash: last.hash,
            nonce: record.nonce,
            reason: 'dropped',
          });
        }
      }
      await sleep(poll);
    }
  };

  /** Result of a record already final in the store (a repeated send of a finished key). */
  const replay = async (record: TxRecord): Promise<SendResult> => {
    switch (record.status) {
      case 'mined': {
        const receipt = await rpc('eth_getTransactionReceipt', () =>
          pc.getTransactionReceipt({ hash: record.minedHash as Hex }),
        );
        return {
          key: record.key,
          hash: receipt.transactionHash,
          nonce: record.nonce,
          receipt,
          status: 'success',
        };
      }
      case 'reverted':
        throw new TxRevertedError(record.minedHash as Hex, record.label, record.error ?? undefined);
      case 'replaced':
        throw new TransactionReplacedError(
          record.key,
          record.label,
          record.nonce,
          record.attempts.map((a) => a.hash),
        );
      default:
        throw new TransactionRejectedError(record.key, record.label, record.error ?? 'refused');
    }
  };

  const inFlight = new Map<string, Promise<SendResult>>();

  type Prepared = { existing?: TxRecord; gas?: bigint; fees?: Fees };
  const prepare = async (intent: TxIntent): Promise<Prepared> => {
    validateIntent(intent);
    const existing = await store.get(intent.key);
    if (existing) return { existing };
    const gas = intent.gas ?? withGasMargin(await estimateGas(intent));
    const fees = await getFees();
    return { gas, fees };
  };

  /** What the locked section hands back: a record to wait for, or a record that already existed. */
  type Queued = {
    intent: TxIntent;
    prepared: Promise<Prepared>;
    resolve: (outcome: { record: TxRecord; existed: boolean }) => void;
    reject: (error: unknown) => void;
  };
  let queue: Queued[] = [];
  let pumping = false;

  /**
   * Intents queued while the locked section is busy go out together as one batch: one durable write
   * reserves their consecutive nonces, one stores their signed raw transactions, they are broadcast in
   * nonce order, and one write records the broadcasts. Order is call order.
   */
  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length) {
        const batch = queue;
        queue = [];
        await processBatch(batch);
      }
    } finally {
      pumping = false;
    }
  };

  const processBatch = async (batch: Queued[]) => {
    const gate = lock();
    const open = new Set(batch);
    const settleItem = (
      item: Queued,
      outcome: { record: TxRecord; existed: boolean } | { error: unknown },
    ) => {
      if (!open.delete(item)) return;
      if ('error' in outcome) item.reject(outcome.error);
      else item.resolve(outcome);
    };
    try {
      await gate.ready;
      const ready: { item: Queued; gas: bigint; fees: Fees }[] = [];
      for (const item of batch) {
        try {
          const p = await item.prepared;
          if (p.existing) settleItem(item, { record: p.existing, existed: true });
          else ready.push({ item, gas: p.gas as bigint, fees: p.fees as Fees });
        } catch (error) {
          settleItem(item, { error });
        }
      }
      if (!ready.length) return;
      await ensureSynced();
      await flushUnsent();
      const reserved = await store.reserveMany(
        ready.map(({ item: { intent }, gas }) => ({
          key: intent.key,
          label: intent.label,
          chainId,
          from,
          to: intent.to,
          data: intent.data,
          value: intent.value ?? 0n,
          gas,
          minedHash: null,
          blockNumber: null,
          gasUsed: null,
          effectiveGasPrice: null,
          error: null,
          createdAt: now(),
        })),
      );
      const fresh: { item: Queued; record: TxRecord; fees: Fees }[] = [];
      reserved.forEach((r, i) => {
        const entry = ready[i] as (typeof ready)[number];
        if (!r.created) settleItem(entry.item, { record: r.record, existed: true });
        else {
          emit({ type: 'reserved', key: r.record.key, label: r.record.label, nonce: r.record.nonce });
          fresh.push({ item: entry.item, record: r.record, fees: entry.fees });
        }
      });
      if (!fresh.length) return;
      crash('after-reserve');
      const signed: { key: Hex; patch: TxRecordPatch }[] = [];
      for (const f of fresh) {
        const attempt = await sign(f.record, f.fees, 'intent');
        signed.push({ key: f.record.key, patch: { status: 'signed', attempts: [attempt] } });
      }
      const signedRecords = await store.updateMany(signed, now());
      crash('after-sign');
      const accepted: { item: Queued; record: TxRecord }[] = [];
      const outcomes = await broadcastAll(signedRecords);
      for (const [i, record] of signedRecords.entries()) {
        const item = (fresh[i] as (typeof fresh)[number]).item;
        const outcome = outcomes[i] as BroadcastResult;
        if (outcome === 'accepted') accepted.push({ item, record });
        else if (outcome === 'nonce-consumed' || outcome === 'underpriced')
          settleItem(item, { record, existed: false }); // settle() finds out who used the nonce
        else if (outcome instanceof TransactionRejectedError) {
          try {
            settleItem(item, { record: await handleRefusal(record, outcome), existed: false });
          } catch (refusal) {
            settleItem(item, { error: refusal });
          }
        } else {
          // Node unreachable: this one and the rest stay signed but unsent; the next send or
          // recover() sends them in nonce order.
          needFlush = true;
          settleItem(item, { error: outcome });
        }
      }
      if (accepted.length) {
        const updated = await store.updateMany(
          accepted.map(({ record }) => ({ key: record.key, patch: broadcastPatch(record, 0) })),
          now(),
        );
        updated.forEach((record, i) => {
          emit({
            type: 'broadcast',
            key: record.key,
            hash: record.attempts[0]?.hash as Hex,
            nonce: record.nonce,
            attempt: 0,
          });
          settleItem((accepted[i] as (typeof accepted)[number]).item, { record, existed: false });
        });
      }
    } catch (error) {
      for (const item of open) settleItem(item, { error });
    } finally {
      gate.release();
      for (const item of open)
        settleItem(item, { error: new Error('transaction batch ended without an outcome') });
    }
  };

  const enqueue = (intent: TxIntent): Promise<{ record: TxRecord; existed: boolean }> =>
    new Promise((resolve, reject) => {
      const prepared = prepare(intent);
      prepared.catch(() => {}); // handled in processBatch
      queue.push({ intent, prepared, resolve, reject });
      // Next turn: intents sent in the same turn (sendMany, concurrent sends) share one batch.
      if (queue.length === 1) setImmediate(() => void pump());
    });

  /** A key already in the store: final → replay; otherwise finish it (under the lock until broadcast). */
  const resume = async (record: TxRecord): Promise<SendResult> => {
    if (isFinalTxStatus(record.status)) return replay(record);
    if (record.status === 'broadcast') return settle(record);
    const gate = lock();
    let current: TxRecord;
    try {
      await gate.ready;
      const fresh = (await store.get(record.key)) ?? record;
      if (isFinalTxStatus(fresh.status)) return replay(fresh);
      const done = await checkChain(fresh);
      if (done) return done;
      current = await signAndBroadcast(fresh);
    } finally {
      gate.release();
    }
    return settle(current);
  };

  /** Before taking a new nonce, get every earlier reserved/signed record of ours onto the node. */
  const flushUnsent = async () => {
    if (!needFlush) return;
    for (const record of await store.pending(chainId, from)) {
      if (record.status !== 'reserved' && record.status !== 'signed') continue;
      const done = await checkChain(record).catch((error) => {
        if (error instanceof TransactionReplacedError) return 'replaced' as const;
        throw error;
      });
      if (!done) await signAndBroadcast(record);
    }
    needFlush = false;
  };
  // True at start (a previous run may have left reserved/signed records) and after a failed broadcast.
  let needFlush = true;

  const track = (key: Hex, run: () => Promise<SendResult>): Promise<SendResult> => {
    const id = key.toLowerCase();
    const running = inFlight.get(id);
    if (running) return running;
    const promise = run().finally(() => inFlight.delete(id));
    inFlight.set(id, promise);
    return promise;
  };

  const send = (intent: TxIntent): Promise<SendResult> =>
    track(intent.key, async () => {
      const { record, existed } = await enqueue(intent);
      return existed ? resume(record) : settle(record);
    });

  const sendMany = async (intents: readonly TxIntent[]): Promise<SendSettled[]> => {
    const promises = intents.map((intent) => send(intent));
    const settled = await Promise.allSettled(promises);
    return settled.map((s, i) =>
      s.status === 'fulfilled'
        ? { ok: true as const, result: s.value }
        : { ok: false as const, key: (intents[i] as TxIntent).key, error: s.reason },
    );
  };

  const recover = async (): Promise<RecoverReport> => {
    await ensureSynced();
    const gate = lock();
    const waiting: { record: TxRecord; promise: Promise<SendResult> }[] = [];
    try {
      await gate.ready;
      for (const stored of await store.pending(chainId, from)) {
        if (inFlight.has(stored.key.toLowerCase())) continue;
        const run = async (): Promise<SendResult | TxRecord> => {
          const done = await checkChain(stored);
          if (done) return done;
          let record = stored;
          if (record.status === 'broadcast') {
            const sent = await broadcast(record, record.attempts.length - 1).catch((error) => {
              if (error instanceof TransactionRejectedError)
                return { record, outcome: 'underpriced' as const };
              throw error;
            });
            record = sent.record;
            emit({
              type: 'rebroadcast',
              key: record.key,
              hash: record.attempts.at(-1)?.hash as Hex,
              nonce: record.nonce,
              reason: 'recover',
            });
            if (sent.outcome === 'nonce-consumed') {
              const again = await checkChain(record);
              if (again) return again;
            }
          } else {
            record = await signAndBroadcast(record);
          }
          return record;
        };
        // Broadcast under the lock in nonce order; wait for receipts after releasing it.
        let outcome: SendResult | TxRecord;
        try {
          outcome = await run();
        } catch (error) {
          waiting.push({ record: stored, promise: Promise.reject(error) });
          continue;
        }
        if ('receipt' in outcome) waiting.push({ record: stored, promise: Promise.resolve(outcome) });
        else {
          const record = outcome;
          waiting.push({ record: stored, promise: track(record.key, () => settle(record)) });
        }
      }
    } finally {
      gate.release();
    }
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
        const final = await store.get(record.key);
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
    return { outcomes };
  };

  return { address: from, chainId, send, sendMany, recover };
}

/** POSTs a JSON-RPC batch to the first URL that answers; transport failures move to the next URL. */
async function postBatch(
  urls: readonly string[],
  body: unknown[],
): Promise<{ id: number; result?: unknown; error?: { message?: string; data?: unknown } }[] | undefined> {
  let lastError: unknown;
  for (const url of urls) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
      const answer = (await response.json()) as unknown;
      // The node answered but does not take batches: the caller sends one by one instead.
      if (!Array.isArray(answer)) return undefined;
      return answer as { id: number; result?: unknown; error?: { message?: string; data?: unknown } }[];
    } catch (error) {
      lastError = error;
    }
  }
  throw new RpcTransientError('eth_sendRawTransaction (batch)', lastError);
}

function validateIntent(intent: TxIntent): void {
  if (!/^0x[0-9a-fA-F]+$/.test(intent.key))
    throw new TypeError(
      `Transaction intent key must be hex (given ${String(intent.key)}); use a 32-byte idempotency key.`,
    );
  if (!/^0x[0-9a-fA-F]{40}$/.test(intent.to))
    throw new TypeError(
      `Transaction intent ${intent.label}: 'to' must be an address (given ${String(intent.to)}).`,
    );
}

function errorText(error: unknown): string {
  if (error instanceof BaseError) return [error.shortMessage, error.details].filter(Boolean).join(': ');
  return error instanceof Error ? error.message : String(error);
}

/** Largest of bigints (Math.max does not take bigints). */
function max(first: bigint, ...rest: bigint[]): bigint {
  let largest = first;
  for (const x of rest) if (x > largest) largest = x;
  return largest;
}
const min = (a: bigint, b: bigint) => (a < b ? a : b);
