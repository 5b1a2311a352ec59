// Why: fee estimates are asked of the node at most once per cache period, however many transactions need them.
import type { ManagerSettings } from './settings.js';

export type Fees = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint };

/** Returns `getFees`: the node's EIP-1559 fee estimate, reused for `feeCacheMs`. */
export function createFeeSource(settings: ManagerSettings): () => Promise<Fees> {
  const { pc, clients, rpc, feeCacheMs, now } = settings;
  let feeCache: { at: number; fees: Fees } | undefined;
  return async (): Promise<Fees> => {
    if (feeCache && now() - feeCache.at < feeCacheMs) return feeCache.fees;
    const estimate = await rpc('fee estimate', () => pc.estimateFeesPerGas({ chain: clients.chain }));
    const fees = { maxFeePerGas: estimate.maxFeePerGas, maxPriorityFeePerGas: estimate.maxPriorityFeePerGas };
    feeCache = { at: now(), fees };
    return fees;
  };
}
