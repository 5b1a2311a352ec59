// Why: the slow work for a new intent (checks, gas estimate, fees) happens before the lock, so batches are not held up.
import { withGasMargin } from '../../gasMargin.js';
import type { TxIntent, TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import { estimateGas } from './estimateGas.js';
import type { Fees } from './fees.js';

/** A key already in the store (`existing`), or the gas and fees to reserve and sign it with. */
export type Prepared = { existing?: TxRecord; gas?: bigint; fees?: Fees };

export async function prepare(ctx: ManagerContext, intent: TxIntent): Promise<Prepared> {
  validateIntent(intent);
  const existing = await ctx.store.get(intent.key);
  if (existing) return { existing };
  const gas = intent.gas ?? withGasMargin(await estimateGas(ctx, intent));
  const fees = await ctx.getFees();
  return { gas, fees };
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
