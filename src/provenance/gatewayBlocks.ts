import type { CID } from 'multiformats/cid';
import { concatBytes } from 'viem';
import { NonRetryableError, RetryableError } from '../errors/index.js';
import { type BlockSource, BlockTooLargeError, MAX_BLOCK_BYTES } from './dagImport.js';

/** A trustless gateway (https://specs.ipfs.tech/http-gateways/trustless-gateway/) as a block source. */
export type GatewayBlockSourceOptions = {
  /** The gateway's base URL, e.g. `https://trustless-gateway.link`; `/ipfs/<cid>?format=raw` is appended. */
  gatewayUrl: string;
  /** Milliseconds to wait for one block (default 30,000). */
  timeoutMs?: number;
  /** Default `MAX_BLOCK_BYTES` (2 MiB). */
  maxBlockBytes?: number;
  /**
   * How messages name the gateway: pass `redactUrl(gatewayUrl)` (src/config; provenance may not import
   * config). Default: the URL's origin (scheme, host, port), never its user info, path or query.
   */
  shownAs?: string;
  fetch?: typeof globalThis.fetch;
};

const GATEWAY_REMEDY =
  'Try another gateway (--ipfs-gateway <url>, or ipfs.gatewayUrl in the config), or get a CAR from whoever holds the content (`provenant content export`) and load it with `provenant content import <file.car>`.';

/** The gateway could not be reached, timed out, or answered 5xx/429: trying again (or another gateway) may work. */
export class GatewayUnavailableError extends RetryableError {
  override name = 'GatewayUnavailableError';
  readonly cid: string;
  constructor(gateway: string, cid: string, reason: string, cause?: unknown) {
    super(`IPFS gateway ${gateway} did not serve block ${cid}: ${reason}`, {
      details: `Nothing from the file was stored. Check the gateway URL and that it is reachable, retry later, or: ${GATEWAY_REMEDY}`,
      docsPath: 'docs/provenance.md#content',
      cause,
    });
    this.cid = cid;
  }
}

/** The gateway refused the request (4xx other than not-found) or answered something that is not a raw block. */
export class GatewayRefusedError extends NonRetryableError {
  override name = 'GatewayRefusedError';
  readonly cid: string;
  constructor(gateway: string, cid: string, reason: string) {
    super(`IPFS gateway ${gateway} refused block ${cid}: ${reason}`, {
      details: `The URL must be a gateway that serves raw blocks (GET /ipfs/<cid>?format=raw, the trustless gateway API), not a node's RPC API. ${GATEWAY_REMEDY}`,
      docsPath: 'docs/provenance.md#content',
    });
    this.cid = cid;
  }
}

/**
 * Blocks from a trustless gateway: `GET <gateway>/ipfs/<cid>?format=raw` with
 * `Accept: application/vnd.ipld.raw`, one request per block, a timeout per request and a size limit read
 * as the body streams in (a longer body is cut off, not buffered). 404/410 are "not there" (undefined);
 * the bytes are unverified here: `readDagFile` hashes every block against its CID. Messages name the
 * gateway redacted (`shownAs`): scheme and host only.
 */
export function gatewayBlockSource(options: GatewayBlockSourceOptions): BlockSource {
  let protocol = '';
  try {
    protocol = new URL(options.gatewayUrl).protocol;
  } catch {}
  // The text is not echoed: a value that is not a URL may be a token pasted in the wrong place.
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new NonRetryableError('The IPFS gateway is not an http(s) URL.', {
      details:
        "Pass the base URL of a trustless gateway, e.g. https://trustless-gateway.link or http://127.0.0.1:8080 (a kubo node's gateway port).",
      docsPath: 'docs/provenance.md#content',
    });
  // User info in the URL becomes a Basic Authorization header (fetch refuses URLs with credentials).
  const parsed = new URL(options.gatewayUrl);
  const headers: Record<string, string> = { accept: 'application/vnd.ipld.raw' };
  if (parsed.username || parsed.password) {
    const pair = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  const blockUrl = (cid: string) => {
    // A path prefix and query parameters of the base (e.g. an access token) are kept.
    const url = new URL(parsed);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/ipfs/${cid}`;
    url.searchParams.set('format', 'raw');
    return url.toString();
  };
  const shown = options.shownAs ?? originOf(options.gatewayUrl);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBytes = options.maxBlockBytes ?? MAX_BLOCK_BYTES;
  const doFetch = options.fetch ?? globalThis.fetch;
  return {
    describe: `the IPFS gateway ${shown}`,
    remedy: GATEWAY_REMEDY,
    async get(cid: CID, getOptions: { signal?: AbortSignal } = {}) {
      const text = cid.toString();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = getOptions.signal ? AbortSignal.any([getOptions.signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await doFetch(blockUrl(text), { headers, signal });
      } catch (error) {
        throw new GatewayUnavailableError(shown, text, failureReason(error, timeout, timeoutMs), undefined);
      }
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel();
        return undefined;
      }
      if (response.status >= 500 || response.status === 429) {
        await response.body?.cancel();
        throw new GatewayUnavailableError(shown, text, `HTTP ${response.status}`);
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new GatewayRefusedError(shown, text, `HTTP ${response.status}`);
      }
      const type = response.headers.get('content-type') ?? '';
      // A gateway that ignores ?format=raw answers the deserialised file (text/html, image/png…): refuse
      // it by type rather than by a confusing hash mismatch.
      if (type && !/^application\/(vnd\.ipld\.raw|octet-stream)\b/i.test(type)) {
        await response.body?.cancel();
        throw new GatewayRefusedError(
          shown,
          text,
          `answered Content-Type ${type.slice(0, 80)}, not application/vnd.ipld.raw`,
        );
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxBytes) {
        await response.body?.cancel();
        throw new BlockTooLargeError(text, declared, `the IPFS gateway ${shown}`, maxBytes);
      }
      try {
        return await readCapped(response, maxBytes, text, shown);
      } catch (error) {
        if (error instanceof BlockTooLargeError) throw error;
        throw new GatewayUnavailableError(shown, text, failureReason(error, timeout, timeoutMs), undefined);
      }
    },
  };
}

/** The body, at most `maxBytes` (a longer one is cancelled and refused). */
async function readCapped(
  response: Response,
  maxBytes: number,
  cid: string,
  shown: string,
): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw new BlockTooLargeError(cid, total, `the IPFS gateway ${shown}`, maxBytes);
    }
    parts.push(value);
  }
  return concatBytes(parts);
}

/**
 * Why a request failed, without the URL (undici's messages can carry it): a timeout, an abort, or the
 * system error code (ECONNREFUSED, ENOTFOUND…).
 */
function failureReason(error: unknown, timeout: AbortSignal, timeoutMs: number): string {
  if (timeout.aborted) return `no answer within ${timeoutMs} ms`;
  const e = error as { name?: string; cause?: { code?: string; name?: string } };
  if (e?.name === 'AbortError') return 'aborted';
  const code = e?.cause?.code;
  if (code) return `connection failed (${code})`;
  // e.g. undici's "bad port" for a port fetch never connects to; any URL in it is cut out.
  const text = String(
    (e?.cause as { message?: unknown } | undefined)?.message ?? e?.cause?.name ?? e?.name ?? 'Error',
  );
  return `connection failed (${text.replace(/[a-z][a-z0-9+.-]*:\/\/\S+/gi, '<url>').slice(0, 120)})`;
}

/** `scheme://host[:port]` of a URL (no user info, path or query), or `<not a URL>`. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '<not a URL>';
  }
}
