import type { Address, Hex, PublicClient } from 'viem';
import { toContractRevertError } from '../chain/index.js';
import { type ExplainContext, explainRefusal, type Refusal } from './explain.js';

export type PreflightCall = { from: Address; to: Address; data: Hex; value?: bigint };

export type PreflightResult = { ok: true; gas: bigint } | { ok: false; refusal: Refusal };

/**
 * Simulates the agent's call (eth_call + gas estimate from the agent's address at the latest block).
 * A revert becomes a Refusal that names the rule, the value and the limit; nothing is sent. Errors
 * that are not reverts (a dead endpoint) are rethrown: preflight never guesses.
 */
export async function preflight(
  client: PublicClient,
  call: PreflightCall,
  context: ExplainContext = {},
): Promise<PreflightResult> {
  try {
    const gas = await client.estimateGas({
      account: call.from,
      to: call.to,
      data: call.data,
      value: call.value,
    });
    return { ok: true, gas };
  } catch (error) {
    const revert = toContractRevertError(error);
    if (!revert) throw error;
    return { ok: false, refusal: explainRefusal(revert, context) };
  }
}
