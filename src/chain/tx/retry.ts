import {
  BaseError,
  HttpRequestError,
  LimitExceededRpcError,
  ResourceUnavailableRpcError,
  SocketClosedError,
  TimeoutError,
  WebSocketRequestError,
} from 'viem';
import { isRetryable } from '../../errors/index.js';
import { RpcUnavailableError } from '../errors.js';
import { RpcTransientError } from './errors.js';

/** True for viem errors that mean "the node did not answer" rather than "the node said no". */
export function isTransientRpcError(error: unknown): boolean {
  if (!(error instanceof BaseError)) {
    // fetch failures that escaped viem (ECONNREFUSED, socket hang up)
    const code = (error as { code?: string; cause?: { code?: string } } | null)?.cause?.code;
    return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT';
  }
  return Boolean(
    error.walk(
      (e) =>
        e instanceof HttpRequestError ||
        e instanceof TimeoutError ||
        e instanceof SocketClosedError ||
        e instanceof WebSocketRequestError ||
        e instanceof LimitExceededRpcError ||
        e instanceof ResourceUnavailableRpcError,
    ),
  );
}

/** Wraps a transport failure as a RetryableError; returns other errors unchanged. */
export function classifyRpcError(error: unknown, what: string): unknown {
  if (isRetryable(error)) return error;
  return isTransientRpcError(error) ? new RpcTransientError(what, error) : error;
}

export type RetryOptions = {
  /** Attempts after the first (default 4). */
  retries?: number | undefined;
  /** First delay (default 200 ms); doubles each time up to maxDelayMs (default 5 s). */
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  /** The URLs named in the final RpcUnavailableError. */
  rpcUrls?: readonly string[] | undefined;
  onRetry?: ((info: { what: string; attempt: number; delayMs: number; error: unknown }) => void) | undefined;
};

/**
 * Runs `fn`, retrying with exponential backoff only while the error is retryable (transport
 * failures are wrapped as RetryableError first). A revert or a refusal is thrown at once. When the
 * retries run out on a transport failure, throws RpcUnavailableError naming the URLs.
 */
export async function withRetry<T>(
  what: string,
  fn: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 4;
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 5_000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (raw) {
      const error = classifyRpcError(raw, what);
      if (!isRetryable(error)) throw error;
      if (attempt >= retries) {
        if (error instanceof RpcTransientError) throw new RpcUnavailableError(options.rpcUrls ?? [], error);
        throw error;
      }
      const delayMs = Math.min(max, base * 2 ** attempt);
      options.onRetry?.({ what, attempt: attempt + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
