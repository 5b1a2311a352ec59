// Why: a gas estimate that fails is sorted into a contract revert, a transient RPC failure, or a refusal.
import { isRetryable } from '../../../errors/index.js';
import { toContractRevertError } from '../../revert.js';
import { TransactionRejectedError } from '../errors.js';
import type { TxIntent } from '../types.js';
import type { ManagerContext } from './context.js';
import { errorText } from './nodeMessages.js';

export async function estimateGas(ctx: ManagerContext, intent: TxIntent): Promise<bigint> {
  try {
    return await ctx.rpc('eth_estimateGas', () =>
      ctx.pc.estimateGas({
        account: ctx.from,
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
}
