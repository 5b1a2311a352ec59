import type { Address, Hex } from 'viem';
import type { PreparedCall } from '../../chain/index.js';
import type { PolicyState, Refusal } from '../../policy/index.js';
import type { ApprovalWait } from '../approvalWaits.js';
import type { Inference, Observation } from '../market.js';
import type { AgentOptions } from '../options.js';

export type IntentKind = 'synth-mint' | 'synth-repay' | 'set-fee' | 'art-mint' | 'art-evolve';

/** What a strategy wants done this epoch. Nothing is sent until preflight (and approval) pass. */
export type Intent = {
  /** Idempotency key, also carried on-chain (the contracts refuse a duplicate). */
  key: Hex;
  strategy: string;
  kind: IntentKind;
  call: PreparedCall;
  /** Dollar size, compared with the approval threshold. */
  sizeUsd: number;
  /** One line for people. */
  summary: string;
  /** Decision inputs and outputs, journaled with the intent. */
  decision: Record<string, unknown>;
  /**
   * Provenance manifest of the asset this creates, when there is one, with the on-chain commitment the
   * action records (art: the sha2-256 digest of the version's metadata, which names the manifest; a
   * mint's token id; synth: the intent key).
   */
  manifest?: { cid: string; commitment: Hex; bytes: Uint8Array } | undefined;
  /** After a refusal by a cap or step rule, a smaller intent that fits (or undefined). */
  resize?: ((refusal: Refusal, policies: readonly PolicyState[]) => Intent | undefined) | undefined;
};

/** Everything a strategy may read to decide. Strategies never send. */
export type EpochContext = {
  epoch: number;
  observation: Observation;
  inference: Inference;
  options: AgentOptions;
  agent: Address;
  policies: readonly PolicyState[];
  chainId: number;
  /**
   * The agent's own position in the sWTI vault and its free synth balance, read this epoch, with the
   * position's `mintNonce` (the nonce its next `mint`/`mintWithProof` must name; a landed one moves it on).
   */
  portfolio: { collateral: bigint; debt: bigint; synthBalance: bigint; mintNonce: bigint };
  /**
   * Approval mode: decisions in flight (waiting for `agent approve`, or approved and not settled). The agent
   * drops any intent of the same kind on the same contract; a strategy may return early instead (the synth
   * strategy does, before a zk proof). Absent: nothing waits.
   */
  waiting?: readonly ApprovalWait[] | undefined;
};

/** A strategy is one small module with one job: given the epoch, say what it wants. */
export type Strategy = {
  name: string;
  decide(context: EpochContext): Promise<Intent[]>;
};
