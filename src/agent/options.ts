import { z } from 'zod';
import { NonRetryableError } from '../errors/index.js';

/**
 * The `agent` section of the config file, validated here (the agent owns its options).
 * Documented in docs/agent.md.
 */
export const agentOptionsSchema = z
  .object({
    /** Forecaster that sizes positions: 'ridge' (the default: not worse than the random walk in the backtest) or 'mlp'. */
    forecaster: z.enum(['ridge', 'mlp']).default('ridge'),
    /** Annualised volatility the synth position targets. */
    targetVol: z.number().positive().max(5).default(0.2),
    /** Largest position, as a fraction of the agent's collateral value (before the collateral ratio). */
    maxPositionFraction: z.number().positive().max(1).default(0.3),
    /** 'always-long': size from forecast volatility alone; 'long-only': zero while the forecast mean is negative. */
    sizingMode: z.enum(['always-long', 'long-only']).default('always-long'),
    /** Trade only when the position is off its target by more than this fraction. */
    rebalanceBand: z.number().min(0).max(1).default(0.1),
    /** Collateral ratio (bps) the agent keeps its own position at; must exceed liquidation + margin. */
    targetCollateralRatioBps: z.number().int().min(11_000).default(30_000),
    /** Collateral the devnet demo funds the agent with (whole tUSD). */
    capitalUsd: z.number().positive().default(1_000_000),
    /** Pool fee (bps) as base + slope × annualised forecast volatility. */
    fee: z
      .object({ baseBps: z.number().min(0).default(5), volSlopeBps: z.number().min(0).default(60) })
      .strict()
      .default({ baseBps: 5, volSlopeBps: 60 }),
    /** Artwork: mint at regime changes, evolve the latest token every N epochs. */
    art: z
      .object({
        size: z.number().int().min(16).max(1024).default(512),
        evolveEveryEpochs: z.number().int().positive().default(20),
        maxTokens: z.number().int().min(0).default(12),
      })
      .strict()
      .default({ size: 512, evolveEveryEpochs: 20, maxTokens: 12 }),
    /** Halt after this many consecutive refusals of the same strategy. */
    maxConsecutiveRefusals: z.number().int().positive().default(5),
    /** Halt when the agent's equity falls this far (fraction) below its high-water mark. */
    maxDrawdown: z.number().positive().max(1).default(0.5),
    /** Intents whose size (USD) exceeds this wait for `provenant agent approve <id>`; null disables approval mode. */
    approvalThresholdUsd: z.number().positive().nullable().default(null),
    /**
     * A pending approval request expires when this many epochs (new WTI rounds) have passed since the epoch
     * that asked for it, unanswered: the agent journals the expiry, closes the intent and decides anew on
     * the current market. null keeps a request open until a person answers (not recommended). An approved
     * request is sent by the next epoch if that epoch is at or before its deadline, else it expires too (the
     * agent did not run in time). docs/agent.md#approval-mode
     */
    approvalExpiryEpochs: z
      .number({ error: 'expected a whole number of epochs (WTI rounds), e.g. 3, or null for never' })
      .int({ error: 'expected a whole number of epochs (WTI rounds), e.g. 3' })
      .min(1, {
        error:
          'must be at least 1: a request expires after this many new WTI rounds unanswered (0 would expire it before anyone could answer); use null to keep requests open until a person answers',
      })
      .max(10_000, {
        error:
          'must be at most 10000 epochs (WTI rounds); use null to keep requests open until a person answers',
      })
      .nullable()
      .default(3),
    /** Skip the client-side preflight (the chain still refuses what the guard does not allow). */
    preflight: z.boolean().default(true),
    /**
     * The preflight also simulates each call this many seconds after the latest block, so a rule that
     * expires before the transaction is mined (a round's or a proof's maximum age) refuses it up front
     * instead of reverting on-chain. 0 turns the look-ahead off.
     */
    preflightLookAheadSeconds: z.number().int().min(0).max(3600).default(60),
    /**
     * Mint synths through the zero-knowledge path (a Groth16 proof of the forecast, checked on-chain) when
     * the deployment has a proof gate. The demo turns it on. A zk intent is bound to the latest oracle
     * round, so in approval mode an intent approved after a newer round arrives is refused as stale.
     */
    zk: z.boolean().default(false),
    /**
     * Every this many epochs the agent also anchors the journal head it signed on-chain (JournalAnchor
     * `anchor(seq, head)`), so a rewrite by someone holding the agent's key is caught by `audit verify`.
     * 0 or null turns it off; a deployment without the contract never anchors.
     */
    journalAnchorEveryEpochs: z.number().int().min(0).max(100_000).nullable().default(24),
    /** Oracle rounds of history the agent reads each epoch. */
    historyRounds: z.number().int().min(70).max(400).default(90),
  })
  .strict();

export type AgentOptions = z.infer<typeof agentOptionsSchema>;

export class InvalidAgentOptionsError extends NonRetryableError {
  override name = 'InvalidAgentOptionsError';
  constructor(problems: string[]) {
    super('Invalid `agent` section in the config file.', {
      metaMessages: problems.map((p) => `- ${p}`),
      docsPath: 'docs/agent.md#options',
    });
  }
}

export function parseAgentOptions(input: unknown): AgentOptions {
  const result = agentOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new InvalidAgentOptionsError(
      result.error.issues.map((i) => `agent.${i.path.map(String).join('.')}: ${i.message}`),
    );
  }
  return result.data;
}
