// Why: every step is a plain function of (ctx, …); the context gathers the settings and the shared, stateful parts once.
import { createFeeSource, type Fees } from './fees.js';
import { createFlags, type ManagerFlags } from './flags.js';
import { createGroupCommit, type Persist } from './groupCommit.js';
import { createLock, type Gate } from './lock.js';
import { createNonceTracker, type NonceTracker } from './nonces.js';
import { createReceiptReader, type ReceiptReader } from './receipts.js';
import { createSettings, type ManagerSettings } from './settings.js';
import type { CreateTxManagerParameters, SendResult } from './types.js';

export type ManagerContext = ManagerSettings & {
  flags: ManagerFlags;
  /** Serialises the reserve → sign → broadcast section. */
  lock: () => Gate;
  persist: Persist;
  nonces: NonceTracker;
  getFees: () => Promise<Fees>;
  receipts: ReceiptReader;
  /** Sends under way, by lower-case key. */
  inFlight: Map<string, Promise<SendResult>>;
};

export function createManagerContext(parameters: CreateTxManagerParameters): ManagerContext {
  const settings = createSettings(parameters);
  const flags = createFlags();
  return {
    ...settings,
    flags,
    lock: createLock(),
    persist: createGroupCommit(settings.store, settings.now),
    nonces: createNonceTracker(settings),
    getFees: createFeeSource(settings),
    receipts: createReceiptReader(settings, flags),
    inFlight: new Map<string, Promise<SendResult>>(),
  };
}
