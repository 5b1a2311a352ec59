// Why: a mined receipt, or a nonce someone else used, becomes the record's final status and the caller's result or typed error.
import type { TransactionReceipt } from 'viem';
import { isRetryable } from '../../../errors/index.js';
import { type ContractRevertError, toContractRevertError } from '../../revert.js';
import { TransactionRejectedError, TransactionReplacedError, TxRevertedError } from '../errors.js';
import { classifyRpcError } from '../retry.js';
import type { TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import { errorText } from './nodeMessages.js';
import type { SendResult } from './types.js';

/** Replays the call on the parent block's state to find out why a mined transaction reverted. */
async function explainRevert(
  ctx: ManagerContext,
  record: TxRecord,
  receipt: TransactionReceipt,
): Promise<{ reason: string | undefined; revert?: ContractRevertError }> {
  try {
    // The parent block's state, with the mined block's number and time: a revert that depends on the
    // time (a round or proof that expired between the preflight and the block) is named too.
    const mined = await ctx.pc.getBlock({ blockNumber: receipt.blockNumber }).catch(() => undefined);
    await ctx.pc.call({
      account: ctx.from,
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
}

/** Mined: success → the result; a mined filler → refused; a revert → TxRevertedError with its reason. */
export async function finalize(
  ctx: ManagerContext,
  record: TxRecord,
  receipt: TransactionReceipt,
): Promise<SendResult> {
  const hash = receipt.transactionHash;
  const attempt = record.attempts.find((a) => a.hash.toLowerCase() === hash.toLowerCase());
  const mined = {
    minedHash: hash,
    blockNumber: receipt.blockNumber,
    gasUsed: receipt.gasUsed,
    effectiveGasPrice: receipt.effectiveGasPrice,
  };
  if (receipt.status === 'success' && attempt?.kind !== 'filler') {
    await ctx.persist(record.key, { status: 'mined', ...mined, error: null });
    ctx.emit({ type: 'final', key: record.key, status: 'mined', hash, nonce: record.nonce });
    return { key: record.key, hash, nonce: record.nonce, receipt, status: 'success' };
  }
  if (attempt?.kind === 'filler') {
    const reason = record.error ?? 'refused by the node';
    await ctx.persist(record.key, { status: 'failed', ...mined, error: reason });
    ctx.emit({ type: 'final', key: record.key, status: 'failed', hash, nonce: record.nonce });
    throw new TransactionRejectedError(record.key, record.label, reason);
  }
  const { reason, revert } = await explainRevert(ctx, record, receipt);
  await ctx.persist(record.key, {
    status: 'reverted',
    ...mined,
    error: reason ?? 'reverted (reason unknown)',
  });
  ctx.emit({ type: 'final', key: record.key, status: 'reverted', hash, nonce: record.nonce });
  throw new TxRevertedError(hash, record.label, reason, { receipt, revert });
}

/** The nonce was used by a transaction that is not ours: record it, resync the nonce, throw. */
export async function markReplaced(ctx: ManagerContext, record: TxRecord): Promise<never> {
  await ctx.persist(record.key, {
    status: 'replaced',
    error: 'nonce used by a transaction that is not ours',
  });
  ctx.emit({ type: 'final', key: record.key, status: 'replaced', hash: null, nonce: record.nonce });
  ctx.nonces.forgetSync();
  throw new TransactionReplacedError(
    record.key,
    record.label,
    record.nonce,
    record.attempts.map((a) => a.hash),
  );
}
