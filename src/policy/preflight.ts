import type { Address, Hex, PublicClient } from 'viem';
import { toContractRevertError } from '../chain/index.js';
import { type ExplainContext, explainRefusal, type Refusal } from './explain.js';

export type PreflightCall = { from: Address; to: Address; data: Hex; value?: bigint };

export type PreflightResult = { ok: true; gas: bigint } | { ok: false; refusal: Refusal };

export type PreflightOptions = {
  /**
   * Also simulate the call as if mined this many seconds after the latest block (eth_call with a block
   * time override), and refuse when that reverts. A transaction is mined a little after its preflight:
   * without this look-ahead, a rule that expires in between (a proof's or a round's maximum age) passes
   * the preflight and reverts on-chain, paying gas. Default 0 (off).
   */
  lookAheadSeconds?: number;
};

/**
 * Simulates the agent's call (eth_call + gas estimate from the agent's address at the latest block,
 * and optionally again `lookAheadSeconds` later). A revert becomes a Refusal that names the rule, the
 * value and the limit; nothing is sent. Errors that are not reverts (a dead endpoint) are rethrown:
 * preflight never guesses.
 */
export async function preflight(
  client: PublicClient,
  call: PreflightCall,
  context: ExplainContext = {},
  options: PreflightOptions = {},
): Promise<PreflightResult> {
  let gas: bigint;
  try {
    gas = await client.estimateGas({
      account: call.from,
      to: call.to,
      data: call.data,
      value: call.value,
    });
  } catch (error) {
    const revert = toContractRevertError(error);
    if (!revert) throw error;
    return { ok: false, refusal: explainRefusal(revert, context) };
  }
  const ahead = options.lookAheadSeconds ?? 0;
  if (ahead > 0) {
    const { timestamp } = await client.getBlock({ blockTag: 'latest' });
    try {
      await client.call({
        account: call.from,
        to: call.to,
        data: call.data,
        value: call.value,
        blockOverrides: { time: timestamp + BigInt(ahead) },
      });
    } catch (error) {
      const revert = toContractRevertError(error);
      if (!revert) throw error;
      const refusal = explainRefusal(revert, context);
      return {
        ok: false,
        refusal: {
          ...refusal,
          sentence: `${refusal.sentence.replace(/\.$/, '')}, if mined ${ahead} s from now.`,
        },
      };
    }
  }
  return { ok: true, gas };
}
