// Why: the public entry point wires the shared context to the send, sendMany and recover flows.
import type { TxIntent } from '../types.js';
import { createBatcher } from './batcher.js';
import { createManagerContext } from './context.js';
import { recover } from './recover.js';
import { resume } from './resume.js';
import { settle } from './settle.js';
import { track } from './track.js';
import type { CreateTxManagerParameters, SendResult, SendSettled, TxManager } from './types.js';

/**
 * The transaction manager: durable nonce reservation, local signing, pipelined broadcast, receipts
 * always checked, backoff on transient RPC failures only, fee bumps for stuck transactions, dropped
 * and replaced detection, and crash recovery. Every step is persisted in the store before the side
 * effect it enables: reserve nonce → sign → persist raw → broadcast → persist → receipt → persist.
 */
export function createTxManager(parameters: CreateTxManagerParameters): TxManager {
  const ctx = createManagerContext(parameters);
  const enqueue = createBatcher(ctx);

  const send = (intent: TxIntent): Promise<SendResult> =>
    track(ctx, intent.key, async () => {
      const { record, existed } = await enqueue(intent);
      return existed ? resume(ctx, record) : settle(ctx, record);
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

  return { address: ctx.from, chainId: ctx.chainId, send, sendMany, recover: () => recover(ctx) };
}
