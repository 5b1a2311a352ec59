import type { PublicClient } from 'viem';

/** Default window of one `eth_getLogs` request: the limit most hosted RPC providers enforce. */
export const DEFAULT_LOG_WINDOW = 10_000n;

export type LogScanRange = {
  /** First block to read; the contract's deployment block when known (`deploymentBlock`), else 0. */
  fromBlock?: bigint | undefined;
  /** Last block to read; default: the latest block. */
  toBlock?: bigint | undefined;
  /** Blocks per request (default 10,000); halved automatically when the node refuses a window. */
  window?: bigint | undefined;
};

/**
 * True for the errors a node gives when one `eth_getLogs` request spans too many blocks or returns
 * too many logs (Infura, Alchemy, QuickNode, geth and reth word these differently); these are
 * answered by retrying with a smaller window, every other error propagates.
 */
export function isLogRangeError(error: unknown): boolean {
  const text = [
    (error as { shortMessage?: string })?.shortMessage,
    (error as { details?: string })?.details,
    (error as Error)?.message,
  ]
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
  return /block range|range (is )?too (large|wide|big)|exceed(s|ed)? .*(range|limit|results)|too many (results|logs|blocks)|query returned more than|response size|limit exceeded|log response size/.test(
    text,
  );
}

/**
 * Reads logs over `[fromBlock, toBlock]` in windows, so a scan from a contract's deployment block works
 * on providers that cap the block range of one request. `fetch` reads one window (e.g. a viem
 * `getContractEvents` call with these bounds); results come back in block order. When the node refuses
 * a window as too large, the window is halved and the same blocks are read again; a one-block window
 * that is still refused is an error.
 */
export async function scanLogs<T>(
  client: Pick<PublicClient, 'getBlockNumber'>,
  range: LogScanRange,
  fetch: (fromBlock: bigint, toBlock: bigint) => Promise<readonly T[]>,
): Promise<T[]> {
  // Uncached: viem caches the block number for the polling interval, and a scan just after a transaction
  // (in the same process) would stop short of the block that holds its logs.
  const last = range.toBlock ?? (await client.getBlockNumber({ cacheTime: 0 }));
  let window = range.window ?? DEFAULT_LOG_WINDOW;
  if (window < 1n) window = 1n;
  const out: T[] = [];
  let from = range.fromBlock ?? 0n;
  while (from <= last) {
    const to = from + window - 1n < last ? from + window - 1n : last;
    try {
      out.push(...(await fetch(from, to)));
      from = to + 1n;
    } catch (error) {
      if (!isLogRangeError(error) || window === 1n) throw error;
      window = window / 2n;
    }
  }
  return out;
}

/** The block a contract of the deployment manifest was deployed in (0 when unknown). */
export function deploymentBlock(contract: { blockNumber?: string } | undefined): bigint {
  try {
    return contract?.blockNumber ? BigInt(contract.blockNumber) : 0n;
  } catch {
    return 0n;
  }
}
