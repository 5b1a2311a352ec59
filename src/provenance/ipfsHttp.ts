import { NonRetryableError, RetryableError } from '../errors/index.js';
import { addBytes, CHUNK_SIZE, type CidProfile, DEFAULT_CID_PROFILE } from './cid.js';

/** An IPFS node's RPC API (kubo `/api/v0`), e.g. `http://127.0.0.1:5001`. Optional everywhere. */
export type IpfsHttpOptions = {
  apiUrl: string;
  /** Sent as `Authorization` (pinning services that expose the kubo API need one). */
  authorization?: string;
  timeoutMs?: number;
  pin?: boolean;
  profile?: CidProfile;
  fetch?: typeof globalThis.fetch;
};

export class IpfsUnavailableError extends RetryableError {
  override name = 'IpfsUnavailableError';
  constructor(apiUrl: string, reason: string, cause?: unknown) {
    super(`IPFS node at ${apiUrl} did not accept the upload: ${reason}`, {
      details:
        'The content is safe in the local content store; retry later, check that the node runs (`ipfs daemon`) and that the API address is right, or leave the IPFS endpoint unset to work locally only.',
      cause,
    });
  }
}

export class IpfsRejectedError extends NonRetryableError {
  override name = 'IpfsRejectedError';
  constructor(apiUrl: string, reason: string) {
    super(`IPFS node at ${apiUrl} rejected the upload: ${reason}`, {
      details:
        'Check the API URL (it must be the RPC API, usually port 5001, not a gateway) and the credentials.',
    });
  }
}

/** The query string of `/api/v0/add` that reproduces a CID profile on kubo. */
export function addQuery(profile: CidProfile, pin: boolean): string {
  const params = new URLSearchParams({
    'cid-version': profile === 'kubo-cidv1' ? '1' : '0',
    'raw-leaves': profile === 'kubo-cidv1' ? 'true' : 'false',
    chunker: `size-${CHUNK_SIZE}`,
    pin: pin ? 'true' : 'false',
  });
  return params.toString();
}

/**
 * Uploads bytes with `POST /api/v0/add` and checks that the node computed the same CID as we do.
 * Network failures, timeouts and 5xx answers are `IpfsUnavailableError` (retryable); other refusals
 * and CID mismatches are non-retryable.
 */
export async function pushToIpfs(bytes: Uint8Array, options: IpfsHttpOptions): Promise<string> {
  const profile = options.profile ?? DEFAULT_CID_PROFILE;
  const expected = (await addBytes(bytes, profile)).cid.toString();
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const url = `${apiUrl}/api/v0/add?${addQuery(profile, options.pin ?? true)}`;
  const form = new FormData();
  form.append('file', new Blob([bytes]), 'content');
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      method: 'POST',
      body: form,
      headers: options.authorization ? { authorization: options.authorization } : {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs ?? 30_000} ms`
        : `${(error as Error).message}${(error as { cause?: { code?: string } }).cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''}`;
    throw new IpfsUnavailableError(apiUrl, reason, error);
  }
  const text = await response.text();
  if (response.status >= 500 || response.status === 429) {
    throw new IpfsUnavailableError(apiUrl, `HTTP ${response.status} ${text.slice(0, 200)}`);
  }
  if (!response.ok) throw new IpfsRejectedError(apiUrl, `HTTP ${response.status} ${text.slice(0, 200)}`);
  // kubo streams one JSON object per line; the last names the root.
  const lines = text.trim().split('\n').filter(Boolean);
  let hash: string | undefined;
  try {
    hash = (JSON.parse(lines[lines.length - 1] ?? '{}') as { Hash?: string }).Hash;
  } catch {
    throw new IpfsRejectedError(apiUrl, `answer is not JSON: ${text.slice(0, 200)}`);
  }
  if (!hash) throw new IpfsRejectedError(apiUrl, `answer has no Hash: ${text.slice(0, 200)}`);
  if (hash !== expected) {
    throw new IpfsRejectedError(
      apiUrl,
      `node computed ${hash} but the local CID is ${expected}; the node ignored the CID settings (${addQuery(profile, true)})`,
    );
  }
  return hash;
}
