// Why: a key is worked on once at a time; a second send (or recover) of a key under way shares the first one's outcome.
import type { Hex } from 'viem';
import type { ManagerContext } from './context.js';
import type { SendResult } from './types.js';

export function track(ctx: ManagerContext, key: Hex, run: () => Promise<SendResult>): Promise<SendResult> {
  const id = key.toLowerCase();
  const running = ctx.inFlight.get(id);
  if (running) return running;
  const promise = run().finally(() => ctx.inFlight.delete(id));
  ctx.inFlight.set(id, promise);
  return promise;
}
