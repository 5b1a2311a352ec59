// Why: signing happens in-process; an attempt is the record's transaction (or a 0-value filler) at given fees.
import { type Hex, keccak256 } from 'viem';
import type { TxAttempt, TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import type { Fees } from './fees.js';

/** Signs an attempt for the record's nonce; a `filler` is a 0-value self-transfer that only uses the nonce. */
export async function sign(
  ctx: ManagerContext,
  record: TxRecord,
  fees: Fees,
  kind: TxAttempt['kind'],
): Promise<TxAttempt> {
  const body =
    kind === 'filler'
      ? { to: ctx.from, data: '0x' as Hex, value: 0n, gas: 21_000n }
      : { to: record.to, data: record.data, value: record.value, gas: record.gas };
  const raw = await ctx.account.signTransaction({
    type: 'eip1559',
    chainId: ctx.chainId,
    nonce: record.nonce,
    ...body,
    maxFeePerGas: fees.maxFeePerGas,
    maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
  });
  return { hash: keccak256(raw), raw, ...fees, kind, signedAt: ctx.now(), broadcastAt: null };
}
