// Why: reads turn a revert or missing file into a ✗ line while a down RPC still propagates, everywhere alike.
import { sha256 } from 'viem';
import { isRetryable } from '../../errors/index.js';

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) if (a[i] !== b[i]) return `first difference at byte ${i} of ${a.length}`;
  return `lengths differ: ${a.length} vs ${b.length}`;
}

/** Bytes as a report shows them: their length and sha2-256 (the digest inside their raw CID). */
export function describeBytes(bytes: Uint8Array): string {
  return `${bytes.length} bytes, sha256 ${sha256(bytes)}`;
}

/** Loads content, turning non-retryable failures into a message; retryable ones propagate. */
export async function tryLoad(
  load: () => Promise<Uint8Array>,
): Promise<{ bytes: Uint8Array } | { error: string }> {
  const r = await tryRead(load);
  return 'error' in r ? r : { bytes: r.value };
}

/** The first line of an error's message. */
const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? String(error);

/**
 * Runs a read, turning non-retryable failures (a revert, a missing file) into a message for a ✗ line;
 * retryable ones (RPC or network down) propagate.
 */
export async function tryRead<T>(read: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (isRetryable(error)) throw error;
    return { error: firstLine(error) };
  }
}

export const sameAddress = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** Unix seconds as an ISO 8601 UTC time (`2019-12-03T20:00:00Z`); the text as is when it is not a representable time. */
export function utcOf(seconds: string): string {
  const ms = Number(seconds) * 1000;
  return /^\d+$/.test(seconds) && ms <= 8.64e15 ? new Date(ms).toISOString().replace('.000Z', 'Z') : seconds;
}

/** How many independent chain reads one check runs at a time (a public RPC endpoint throttles more). */
export const READ_CONCURRENCY = 4;

/**
 * `read` of every item, at most `limit` at a time, the results in the items' order. The first rejection
 * rejects the whole (as `Promise.all`): no read starts after it, and the reads already started settle first.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  read: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await read(items[i]!, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  const settled = await Promise.allSettled(workers);
  const rejected = settled.find((s) => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
