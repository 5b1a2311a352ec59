// Why: several raw transactions or receipt look-ups go to an HTTP node as one JSON-RPC batch, with failover across URLs.
import { RpcTransientError } from '../errors.js';

export type BatchAnswer = { id: number; result?: unknown; error?: { message?: string; data?: unknown } };

/** True when every endpoint is HTTP(S), so JSON-RPC batches can be POSTed to it. */
export const allHttp = (urls: readonly string[]): boolean => urls.every((url) => /^https?:/i.test(url));

/**
 * POSTs a JSON-RPC batch to the first URL that answers; transport failures move to the next URL. `what`
 * names the batch in the error when none answers (`eth_getTransactionReceipt (batch)`, …).
 */
export async function postBatch(
  what: string,
  urls: readonly string[],
  body: unknown[],
): Promise<BatchAnswer[] | undefined> {
  let lastError: unknown;
  for (const url of urls) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status} from ${url}`);
      const answer = (await response.json()) as unknown;
      // The node answered but does not take batches: the caller sends one by one instead.
      if (!Array.isArray(answer)) return undefined;
      return answer as BatchAnswer[];
    } catch (error) {
      lastError = error;
    }
  }
  throw new RpcTransientError(what, lastError);
}
