// Why: the account's nonce on the node is read in two ways (pending, to seed the store; mined, to spot replacement), each cached.
import type { ManagerSettings } from './settings.js';

export type NonceTracker = {
  /** Seeds the store's next nonce from the node's pending count, once (again after `forgetSync`). */
  ensureSynced: () => Promise<void>;
  /** The next `ensureSynced` reads the node again (after a nonce was used by someone else). */
  forgetSync: () => void;
  /** The account's mined nonce, shared by every transaction waiting in the same moment. */
  minedNonce: () => Promise<number>;
};

export function createNonceTracker(settings: ManagerSettings): NonceTracker {
  const { pc, from, store, chainId, rpc, poll, now } = settings;
  let synced: Promise<void> | undefined;
  const ensureSynced = () => {
    synced ??= (async () => {
      const pending = await rpc('eth_getTransactionCount', () =>
        pc.getTransactionCount({ address: from, blockTag: 'pending' }),
      );
      await store.syncNonce(chainId, from, pending);
    })().catch((error) => {
      synced = undefined;
      throw error;
    });
    return synced;
  };
  const forgetSync = () => {
    synced = undefined;
  };

  // A slightly old value only delays the "replaced" verdict (the count never goes down), never fakes it.
  let latestNonce: { at: number; value: Promise<number> } | undefined;
  const minedNonce = (): Promise<number> => {
    if (latestNonce && now() - latestNonce.at < Math.min(poll, 50)) return latestNonce.value;
    const value = rpc('eth_getTransactionCount', () =>
      pc.getTransactionCount({ address: from, blockTag: 'latest' }),
    );
    value.catch(() => {
      latestNonce = undefined;
    });
    latestNonce = { at: now(), value };
    return value;
  };

  return { ensureSynced, forgetSync, minedNonce };
}
