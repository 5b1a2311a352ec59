// Why: receipt look-ups asked for in the same turn go out as one JSON-RPC batch (HTTP endpoints), one by one otherwise.
import {
  formatTransactionReceipt,
  type Hex,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from 'viem';
import type { TxRecord } from '../types.js';
import type { ManagerFlags } from './flags.js';
import { allHttp, postBatch } from './postBatch.js';
import type { ManagerSettings } from './settings.js';

export type ReceiptReader = {
  /** The receipt of `hash`, or undefined while it is not mined. */
  getReceipt: (hash: Hex) => Promise<TransactionReceipt | undefined>;
  /** The receipt of whichever attempt of the record was mined (latest attempt first), or undefined. */
  findReceipt: (record: TxRecord) => Promise<TransactionReceipt | undefined>;
};

export function createReceiptReader(settings: ManagerSettings, flags: ManagerFlags): ReceiptReader {
  const { pc, clients, rpc } = settings;
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
    const httpOnly = allHttp(clients.rpcUrls);
    if (items.length < 2 || !httpOnly || flags.batchUnsupported) {
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
          'eth_getTransactionReceipt (batch)',
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

  return { getReceipt, findReceipt };
}
