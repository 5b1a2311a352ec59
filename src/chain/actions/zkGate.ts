import type { Address, Hex, PublicClient } from 'viem';
import { forecastProofGateAbi } from '../generated/contracts.js';

/** A statement's record in `ForecastProofGate` (`provenAt` is 0 when it was never recorded). */
export type ProvenForecastRecord = {
  output0: bigint;
  output1: bigint;
  lastRoundId: bigint;
  provenAt: bigint;
};

/**
 * `ForecastProofGate.provenForecast(modelId, proofId)`: what the gate recorded for a statement. Read by the
 * agent (to mint a statement someone else submitted) and by `verify` (the forecast a render names).
 */
export async function readProvenForecast(
  client: Pick<PublicClient, 'readContract'>,
  gate: Address,
  modelId: Hex,
  proofId: Hex,
): Promise<ProvenForecastRecord> {
  const r = await client.readContract({
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'provenForecast',
    args: [modelId, proofId],
  });
  return {
    output0: BigInt(r.output0),
    output1: BigInt(r.output1),
    lastRoundId: BigInt(r.lastRoundId),
    provenAt: BigInt(r.provenAt),
  };
}
