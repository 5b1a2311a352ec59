// Why: records left reserved or signed (a crash, an unreachable node) must reach the node before a later nonce is used.
import { TransactionReplacedError } from '../errors.js';
import { checkChain } from './checkChain.js';
import type { ManagerContext } from './context.js';
import { signAndBroadcast } from './signAndBroadcast.js';

/** Before taking a new nonce, get every earlier reserved/signed record of ours onto the node. */
export async function flushUnsent(ctx: ManagerContext): Promise<void> {
  if (!ctx.flags.needFlush) return;
  for (const record of await ctx.store.pending(ctx.chainId, ctx.from)) {
    if (record.status !== 'reserved' && record.status !== 'signed') continue;
    const done = await checkChain(ctx, record).catch((error) => {
      if (error instanceof TransactionReplacedError) return 'replaced' as const;
      throw error;
    });
    if (!done) await signAndBroadcast(ctx, record);
  }
  ctx.flags.needFlush = false;
}
