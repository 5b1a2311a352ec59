import type { ChainConfig, OracleConfig } from './schema.js';

/** What the transaction manager takes from the config (spread into `createTxManager`). */
export type TxManagerSettings = {
  /** A transaction with no receipt this long after its last broadcast is re-signed with bumped fees. */
  stuckAfterMs: number;
};

/** `chain.receiptTimeoutSeconds` → the transaction manager's `stuckAfterMs` (default 60 s, its own default). */
export function txManagerSettings(chain: Pick<ChainConfig, 'receiptTimeoutSeconds'>): TxManagerSettings {
  return { stuckAfterMs: Math.round(chain.receiptTimeoutSeconds * 1000) };
}

/** The agent's limits on the rounds it acts on (the oracle module's `FeedRules` without display decimals). */
export type FeedLimits = { maxAgeSeconds: number; maxDeviationBps: number };

/** `oracle.maxAgeSeconds` / `oracle.maxDeviationBps` → the agent's feed reader limits (defaults 4 days / 2500 bps). */
export function feedRulesOf(oracle: Pick<OracleConfig, 'maxAgeSeconds' | 'maxDeviationBps'>): FeedLimits {
  return { maxAgeSeconds: oracle.maxAgeSeconds, maxDeviationBps: oracle.maxDeviationBps };
}
