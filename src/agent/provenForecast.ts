import type { Address, Hex, PublicClient } from 'viem';
import { forecastProofGateAbi, scanLogs } from '../chain/index.js';
import type { ProvenForecastRef } from './strategies/art.js';

/** Blocks scanned again on the next call (a log node lagging the head node by up to this many). */
const LOG_RESCAN_BLOCKS = 4n;

/**
 * Follows a `ForecastProofGate`'s `ForecastProven` events for one model and returns the latest recorded
 * forecast. Scans incrementally (each call reads only the blocks since the last one), so an agent can
 * ask every epoch (re-reading the last `LOG_RESCAN_BLOCKS`). The scale is the forecaster file's `scaleBits` (the gate stores raw fixed-point).
 */
export function latestProvenForecast(parameters: {
  client: PublicClient;
  gate: Address;
  modelId: Hex;
  scaleBits: number;
  /** The gate's deployment block (default 0); later calls read only the new blocks. */
  fromBlock?: bigint | undefined;
}): () => Promise<ProvenForecastRef | undefined> {
  let nextBlock = parameters.fromBlock ?? 0n;
  let latest: ProvenForecastRef | undefined;
  return async () => {
    const head = await parameters.client.getBlockNumber({ cacheTime: 0 }); // a proof submitted just before counts
    if (head < nextBlock) return latest;
    const events = await scanLogs(parameters.client, { fromBlock: nextBlock, toBlock: head }, (from, to) =>
      parameters.client.getContractEvents({
        address: parameters.gate,
        abi: forecastProofGateAbi,
        eventName: 'ForecastProven',
        args: { modelId: parameters.modelId },
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    );
    // The next call scans the last blocks again: with several RPC endpoints (or a load-balanced one) the
    // node answering eth_getLogs can lag the one that gave the head, and logs of those blocks would be
    // missed for good. The newest event of a suffix of the blocks scanned is never older than `latest`.
    const rescanFrom = head + 1n - LOG_RESCAN_BLOCKS;
    nextBlock = rescanFrom > (parameters.fromBlock ?? 0n) ? rescanFrom : (parameters.fromBlock ?? 0n);
    const last = events.at(-1);
    if (last) {
      const { proofId, modelId, firstRoundId, lastRoundId, forecast } = last.args;
      latest = {
        gate: parameters.gate,
        modelId,
        proofId,
        roundIds: Array.from(
          { length: Number(lastRoundId - firstRoundId) + 1 },
          (_, k) => firstRoundId + BigInt(k),
        ),
        outputs: [forecast[0] ?? 0n, forecast[1] ?? 0n],
        scaleBits: parameters.scaleBits,
      };
    }
    return latest;
  };
}
