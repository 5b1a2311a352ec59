// Why: a repeated send of a key that is already final answers from the store, never sending again.
import type { Hex } from 'viem';
import { TransactionRejectedError, TransactionReplacedError, TxRevertedError } from '../errors.js';
import type { TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import type { SendResult } from './types.js';

/** Result of a record already final in the store (a repeated send of a finished key). */
export async function replay(ctx: ManagerContext, record: TxRecord): Promise<SendResult> {
  switch (record.status) {
    case 'mined': {
      const receipt = await ctx.rpc('eth_getTransactionReceipt', () =>
        ctx.pc.getTransactionReceipt({ hash: record.minedHash as Hex }),
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
}
