// Why: one signed attempt goes to the node, and the node's answer becomes an outcome or a typed refusal.
import { formatEther } from 'viem';
import { isRetryable } from '../../../errors/index.js';
import { TransactionRejectedError } from '../errors.js';
import { isInsufficientFunds } from '../funds.js';
import type { TxAttempt, TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import { errorText, KNOWN, NONCE_LOW, UNDERPRICED } from './nodeMessages.js';

export type BroadcastOutcome = 'accepted' | 'nonce-consumed' | 'underpriced';

/**
 * The node's refusal text, and for an account that cannot pay: its balance and what this attempt needs
 * (gas × max fee + value), so the operator knows how much to fund (the address, never the key).
 */
async function refusalText(
  ctx: ManagerContext,
  error: unknown,
  text: string,
  record: TxRecord,
  attempt: TxAttempt,
): Promise<string> {
  if (!isInsufficientFunds(error)) return text;
  const gas = attempt.kind === 'filler' ? 21_000n : record.gas;
  const value = attempt.kind === 'filler' ? 0n : record.value;
  const needed = gas * attempt.maxFeePerGas + value;
  try {
    const balance = await ctx.pc.getBalance({ address: ctx.from });
    return `insufficient funds: account ${ctx.from} holds ${formatEther(balance)} ETH, the transaction needs up to ${formatEther(needed)} ETH (gas ${gas} × max fee ${attempt.maxFeePerGas} wei + value ${value} wei)`;
  } catch {
    return `${text} (the transaction needs up to ${formatEther(needed)} ETH)`;
  }
}

/** Sends one stored attempt to the node (no persistence). Refusals are thrown as TransactionRejectedError. */
export async function sendRaw(
  ctx: ManagerContext,
  record: TxRecord,
  index: number,
): Promise<BroadcastOutcome> {
  const attempt = record.attempts[index];
  if (!attempt) throw new Error(`no attempt ${index} for ${record.key}`);
  try {
    await ctx.rpc('eth_sendRawTransaction', () =>
      ctx.pc.request({ method: 'eth_sendRawTransaction', params: [attempt.raw] }),
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
        await refusalText(ctx, error, text, record, attempt),
        error,
      );
    }
  }
  ctx.crash('after-broadcast');
  return 'accepted';
}
