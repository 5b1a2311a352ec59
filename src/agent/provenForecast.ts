import type { Address, Hex, PublicClient } from 'viem';
import {
  aggregatorRoundOf,
  firstRoundOfPhase,
  forecastProofGateAbi,
  phaseOf,
  scanLogs,
} from '../chain/index.js';
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
  // The gate's window length, read once and only for a window across an aggregator upgrade (the event
  // names its first and last rounds; which of them lie in the old phase depends on N_ANSWERS).
  // A failed read is not kept: the next call reads again instead of failing for good on one RPC error.
  let answers: Promise<bigint> | undefined;
  const windowLength = () => {
    answers ??= parameters.client
      .readContract({ address: parameters.gate, abi: forecastProofGateAbi, functionName: 'N_ANSWERS' })
      .catch((error: unknown) => {
        answers = undefined;
        throw error;
      });
    return answers;
  };
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
    const last = events.at(-1);
    // Before `nextBlock` moves on: when the window length cannot be read, the next call scans these blocks
    // again rather than losing a log older than the rescanned suffix.
    if (last) {
      const { proofId, modelId, firstRoundId, lastRoundId, forecast } = last.args;
      latest = {
        gate: parameters.gate,
        modelId,
        proofId,
        roundIds:
          phaseOf(firstRoundId) === phaseOf(lastRoundId)
            ? windowRoundIds(firstRoundId, lastRoundId, Number(lastRoundId - firstRoundId) + 1)
            : windowRoundIds(firstRoundId, lastRoundId, Number(await windowLength())),
        outputs: [forecast[0] ?? 0n, forecast[1] ?? 0n],
        scaleBits: parameters.scaleBits,
      };
    }
    // The next call scans the last blocks again: with several RPC endpoints (or a load-balanced one) the
    // node answering eth_getLogs can lag the one that gave the head, and logs of those blocks would be
    // missed for good. The newest event of a suffix of the blocks scanned is never older than `latest`.
    const rescanFrom = head + 1n - LOG_RESCAN_BLOCKS;
    nextBlock = rescanFrom > (parameters.fromBlock ?? 0n) ? rescanFrom : (parameters.fromBlock ?? 0n);
    return latest;
  };
}

/**
 * The round ids of a `count`-round window from `firstRoundId` to `lastRoundId`, oldest first, as
 * `ForecastProofGate`'s `ForecastProven` names it: consecutive ids when both lie in one phase; otherwise the
 * window crosses one aggregator upgrade (the gate's `firstRoundOf`) and holds `firstRoundId` up to the old
 * phase's last round (`count - n` rounds) and rounds 1..n of `lastRoundId`'s phase (`phase << 64 | n`).
 * RangeError when the ids cannot be such a window.
 */
export function windowRoundIds(firstRoundId: bigint, lastRoundId: bigint, count: number): bigint[] {
  const total = BigInt(count);
  if (phaseOf(firstRoundId) === phaseOf(lastRoundId)) {
    if (count < 1 || lastRoundId - firstRoundId + 1n !== total)
      throw new RangeError(
        `rounds ${firstRoundId}..${lastRoundId} are ${lastRoundId - firstRoundId + 1n} round(s) of one phase, not a window of ${count}`,
      );
    return Array.from({ length: count }, (_, k) => firstRoundId + BigInt(k));
  }
  const n = aggregatorRoundOf(lastRoundId);
  const older = total - n;
  if (
    phaseOf(firstRoundId) > phaseOf(lastRoundId) ||
    n < 1n ||
    older < 1n ||
    aggregatorRoundOf(firstRoundId) < 1n
  )
    throw new RangeError(
      `rounds ${firstRoundId}..${lastRoundId} cannot be a window of ${count} across one aggregator upgrade`,
    );
  const newer = firstRoundOfPhase(lastRoundId);
  return [
    ...Array.from({ length: Number(older) }, (_, k) => firstRoundId + BigInt(k)),
    ...Array.from({ length: Number(n) }, (_, k) => newer + BigInt(k)),
  ];
}
