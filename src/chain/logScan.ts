import type { PublicClient } from 'viem';
import { redactCauseChain, redactUrlsIn } from '../config/index.js';
import { RetryableError } from '../errors/index.js';

/** Default window of one `eth_getLogs` request: the limit most hosted RPC providers enforce. */
export const DEFAULT_LOG_WINDOW = 10_000n;

/** How many times one window refused for the provider's rate limit is asked again before giving up. */
export const DEFAULT_RATE_LIMIT_RETRIES = 4;

export type LogScanRange = {
  /** First block to read; the contract's deployment block when known (`deploymentBlock`), else 0. */
  fromBlock?: bigint | undefined;
  /** Last block to read; default: the latest block. */
  toBlock?: bigint | undefined;
  /** Blocks per request (default 10,000); halved automatically when the node refuses a window. */
  window?: bigint | undefined;
  /**
   * A window refused for the provider's request rate limit is read again (same blocks, same size) up to
   * this many times (default 4) before the scan throws `LogScanRateLimitedError`.
   */
  rateLimitRetries?: number | undefined;
  /**
   * Waits before rate-limit retry `attempt` (1, 2, …). Default: 500 ms × 2^(attempt − 1) (0.5, 1, 2,
   * 4 s: 7.5 s in all with the default retries). Injectable so tests do not wait.
   */
  backoff?: ((attempt: number) => Promise<void>) | undefined;
};

/**
 * The longest wait a provider may ask for (its `Retry-After` header) that a scan sits out: viem's transport
 * already slept that long before each of its own retries, so a longer one fails the scan at once
 * (`LogScanRateLimitedError`) instead of sleeping it again on every rate-limit retry of the scan.
 */
export const MAX_RETRY_AFTER_SECONDS = 8;

const defaultBackoff = (attempt: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));

/** The error and its causes (viem wraps the node's answer: LimitExceededRpcError → RpcRequestError). */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth++) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  if (chain.length === 0 && error !== undefined && error !== null) chain.push(error);
  return chain;
}

/** Every message, short message and details of the error's cause chain, lower case. */
function errorText(error: unknown): string {
  return causeChain(error)
    .flatMap((e) =>
      typeof e === 'object'
        ? [
            (e as { shortMessage?: unknown }).shortMessage,
            (e as { details?: unknown }).details,
            (e as { message?: unknown }).message,
          ]
        : [e],
    )
    .filter((t): t is string => typeof t === 'string' && t.length > 0)
    .join(' ')
    .toLowerCase();
}

/**
 * True for the errors a provider gives when the account sends requests too fast, whatever the request:
 * HTTP status 429 (viem's `HttpRequestError`/`RpcRequestError` `.status`), a JSON-RPC error with code 429
 * (Alchemy answers `{"code":429,"message":"Your app has exceeded its compute units per second
 * capacity…"}`), or the wording of a rate limit ("rate limit", "too many requests", Infura's -32005
 * "project ID request rate exceeded", QuickNode's "credits limited to 6000/sec" and -32007/-32009 "15/second
 * request limit reached - reduce calls per second …"). A smaller window does not help these: the same window
 * is asked again after a pause.
 */
export function isRateLimitError(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (typeof e !== 'object') continue;
    if ((e as { status?: unknown }).status === 429 || (e as { code?: unknown }).code === 429) return true;
  }
  return /rate[- ]?limit|too many requests|exceed(s|ed)?\b.*\b(rate|capacity|per second|throughput)|rate exceeded|limited to \d+ ?\/ ?s(ec(ond)?)?\b|\b(status:?|http) 429\b|\brequest limit reached\b|calls per second/.test(
    errorText(error),
  );
}

/** The provider's `Retry-After` (seconds) from the error's cause chain (viem keeps the response headers). */
function retryAfterSeconds(error: unknown): number | undefined {
  for (const e of causeChain(error)) {
    const headers = (e as { headers?: { get?: unknown } }).headers;
    if (typeof headers?.get !== 'function') continue;
    const value = (headers as Headers).get('retry-after')?.trim();
    if (!value) continue;
    if (/^\d+$/.test(value)) return Number(value);
    const ms = Date.parse(value) - Date.now();
    if (Number.isFinite(ms)) return Math.max(0, Math.ceil(ms / 1000));
  }
  return undefined;
}

/**
 * True for the errors a node gives when one `eth_getLogs` request spans too many blocks or returns
 * too many logs (Infura, Alchemy, QuickNode's -32614 "eth_getLogs is limited to a 10,000 range", geth and
 * reth word these differently); these are answered by retrying with a smaller window, every other error
 * propagates. A rate limit is not one
 * (`isRateLimitError`), even when worded "… exceeded": a smaller window would only send more requests.
 * A bare -32005 "limit exceeded" (no rate wording, no 429) is taken as a range error.
 */
export function isLogRangeError(error: unknown): boolean {
  if (isRateLimitError(error)) return false;
  return /block range|range (is )?too (large|wide|big)|exceed(s|ed)? .*(range|limit|results)|too many (results|logs|blocks)|query returned more than|response size|limit exceeded|log response size|limited to an? [\d,]+ (blocks? )?range/.test(
    errorText(error),
  );
}

/**
 * The provider kept refusing a log scan for its request rate limit. Retryable: later, or with a
 * provider (plan) that allows more requests, the same scan succeeds.
 */
export class LogScanRateLimitedError extends RetryableError {
  override name = 'LogScanRateLimitedError';
  constructor(p: {
    fromBlock: bigint;
    toBlock: bigint;
    attempts: number;
    cause: unknown;
    retryAfterSeconds?: number | undefined;
  }) {
    const said = providerWords(p.cause);
    const wait =
      p.retryAfterSeconds === undefined
        ? ''
        : ` It asks to wait ${p.retryAfterSeconds} s before the next request.`;
    super(
      `The RPC provider's request rate limit refused a log scan (eth_getLogs, blocks ${p.fromBlock}–${p.toBlock}) ${p.attempts} time${p.attempts === 1 ? '' : 's in a row'}.`,
      {
        details: `The provider answered${said ? ` "${said}"` : ' HTTP 429 (too many requests)'}: its rate limit, not the size of the request (a smaller block window would only send more requests).${wait} Retry later, or use an RPC endpoint with higher limits (another provider, a paid plan or your own node) with --rpc-url.`,
        cause: redactCauseChain(p.cause),
        docsPath: 'docs/chain.md#endpoints',
      },
    );
  }
}

/** What the provider said (viem's `details`, else the message's first line), URLs redacted, short. */
function providerWords(error: unknown): string {
  const details = (error as { details?: unknown })?.details;
  const text =
    typeof details === 'string' && details
      ? details
      : String((error as { message?: unknown })?.message ?? '').split('\n')[0]!;
  const redacted = redactUrlsIn(text).trim();
  return redacted.length > 200 ? `${redacted.slice(0, 200)}…` : redacted;
}

/**
 * Reads logs over `[fromBlock, toBlock]` in windows, so a scan from a contract's deployment block works
 * on providers that cap the block range of one request. `fetch` reads one window (e.g. a viem
 * `getContractEvents` call with these bounds); results come back in block order. When the node refuses
 * a window as too large, the window is halved and the same blocks are read again; a one-block window
 * that is still refused is an error. When the provider refuses a window for its rate limit, the same
 * window is read again after a backoff, at most `rateLimitRetries` times, then `LogScanRateLimitedError`
 * (retryable) is thrown. Every other error propagates.
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
  const retries = range.rateLimitRetries ?? DEFAULT_RATE_LIMIT_RETRIES;
  const backoff = range.backoff ?? defaultBackoff;
  const out: T[] = [];
  let from = range.fromBlock ?? 0n;
  let rateLimited = 0;
  while (from <= last) {
    const to = from + window - 1n < last ? from + window - 1n : last;
    try {
      out.push(...(await fetch(from, to)));
      from = to + 1n;
      rateLimited = 0;
    } catch (error) {
      if (isRateLimitError(error)) {
        rateLimited++;
        // A long Retry-After: viem slept it before each of its own retries already; the scan does not repeat that.
        const asked = retryAfterSeconds(error);
        if (rateLimited > retries || (asked !== undefined && asked > MAX_RETRY_AFTER_SECONDS))
          throw new LogScanRateLimitedError({
            fromBlock: from,
            toBlock: to,
            attempts: rateLimited,
            cause: error,
            retryAfterSeconds: asked,
          });
        await backoff(rateLimited);
        continue;
      }
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
