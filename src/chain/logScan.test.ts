import { HttpRequestError, InvalidParamsRpcError, LimitExceededRpcError, RpcRequestError } from 'viem';
import { describe, expect, test } from 'vitest';
import { isRetryable } from '../errors/index.js';
import {
  DEFAULT_RATE_LIMIT_RETRIES,
  deploymentBlock,
  isLogRangeError,
  isRateLimitError,
  LogScanRateLimitedError,
  scanLogs,
} from './logScan.js';

const head = (n: bigint) => ({ getBlockNumber: async () => n });

describe('scanLogs: reads a block range in windows a provider accepts', () => {
  test('windows are contiguous, cover the range once and keep block order', async () => {
    const windows: [bigint, bigint][] = [];
    const out = await scanLogs(head(25n), { fromBlock: 3n, window: 10n }, async (from, to) => {
      windows.push([from, to]);
      return [from, to];
    });
    expect(windows).toEqual([
      [3n, 12n],
      [13n, 22n],
      [23n, 25n],
    ]);
    expect(out).toEqual([3n, 12n, 13n, 22n, 23n, 25n]);
  });

  test('a refused window is halved and the same blocks are read again (Alchemy/Infura wording)', async () => {
    const limit = 3n;
    const seen: [bigint, bigint][] = [];
    const messages = [
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range',
      'query returned more than 10000 results',
    ];
    let call = 0;
    const out = await scanLogs(head(9n), { fromBlock: 0n, window: 8n }, async (from, to) => {
      if (to - from + 1n > limit) throw new Error(messages[call++ % messages.length]);
      seen.push([from, to]);
      return [to - from + 1n];
    });
    // 8 → 4 → 2 blocks per request; every block read exactly once.
    expect(out.reduce((a, b) => a + b, 0n)).toBe(10n);
    expect(seen.every(([f, t]) => t - f + 1n <= limit)).toBe(true);
    expect(seen[0]).toEqual([0n, 1n]);
  });

  test('other errors propagate, and so does a range error at a one-block window', async () => {
    await expect(
      scanLogs(head(5n), {}, async () => {
        throw new Error('connection refused');
      }),
    ).rejects.toThrow('connection refused');
    await expect(
      scanLogs(head(5n), { window: 1n }, async () => {
        throw new Error('block range is too large');
      }),
    ).rejects.toThrow('block range is too large');
  });

  test('range-error wording and deployment blocks', () => {
    expect(isLogRangeError(new Error('eth_getLogs block range too large, max 10000'))).toBe(true);
    expect(isLogRangeError({ details: 'exceed maximum block range: 5000' })).toBe(true);
    expect(isLogRangeError(new Error('execution reverted'))).toBe(false);
    expect(deploymentBlock({ blockNumber: '1234' })).toBe(1234n);
    expect(deploymentBlock(undefined)).toBe(0n);
    expect(deploymentBlock({ blockNumber: 'x' })).toBe(0n);
  });
});

// The errors as viem raises them for an `eth_getLogs` a provider refuses (src/viem/utils/buildRequest.ts wraps
// a JSON-RPC error by its code; the http transport keeps the HTTP status and the provider's message).
const URL_WITH_KEY = 'https://mainnet.example-rpc.io/v3/SECRET-API-KEY-429';
const body = { method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: '0x2' }] };
const rpc = (code: number, message: string, status?: number) =>
  new RpcRequestError({ body, error: { code, message }, url: URL_WITH_KEY, ...(status ? { status } : {}) });
const rateLimits: [string, () => Error][] = [
  // HTTP 429 with a non-JSON body: viem's HttpRequestError, details = the status text.
  [
    'HTTP 429',
    () => new HttpRequestError({ body, status: 429, details: 'Too Many Requests', url: URL_WITH_KEY }),
  ],
  // Infura: HTTP 429 with a -32005 body (viem: LimitExceededRpcError over RpcRequestError).
  ['Infura -32005', () => new LimitExceededRpcError(rpc(-32005, 'project ID request rate exceeded', 429))],
  // Alchemy: a JSON-RPC error with code 429 (viem keeps the RpcRequestError: no class for 429).
  [
    'Alchemy code 429',
    () =>
      rpc(
        429,
        'Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message.',
      ),
  ],
  // QuickNode: -32012 with a per-second credit limit.
  ['QuickNode -32012', () => rpc(-32012, 'credits limited to 6000/sec')],
  // The wording the review met: "… exceeded, request rate limited" (a -32005 without an HTTP status).
  [
    'daily limit, rate limited',
    () => new LimitExceededRpcError(rpc(-32005, 'daily request count exceeded, request rate limited')),
  ],
];
const rangeErrors: [string, () => Error][] = [
  [
    'Infura -32005 results',
    () => new LimitExceededRpcError(rpc(-32005, 'query returned more than 10000 results')),
  ],
  [
    'Infura -32602 range',
    () => new InvalidParamsRpcError(rpc(-32602, 'range 1000000 exceeds limit of 10000')),
  ],
  ['bare -32005 limit exceeded', () => new LimitExceededRpcError(rpc(-32005, 'limit exceeded'))],
  [
    'Alchemy response size',
    () =>
      rpc(
        -32602,
        'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size',
      ),
  ],
];

describe('scanLogs: a provider rate limit is waited out, not answered by smaller windows', () => {
  test.each(rateLimits)('%s is a rate limit, not a range error', (_, make) => {
    expect(isRateLimitError(make())).toBe(true);
    expect(isLogRangeError(make())).toBe(false);
  });

  test.each(rangeErrors)('%s is a range error, not a rate limit', (_, make) => {
    expect(isRateLimitError(make())).toBe(false);
    expect(isLogRangeError(make())).toBe(true);
  });

  test.each(rateLimits)(
    '%s: the same window is read again after a backoff, then the scan goes on',
    async (_, make) => {
      const windows: [bigint, bigint][] = [];
      const waits: number[] = [];
      let failures = 2;
      const out = await scanLogs(
        head(19n),
        { fromBlock: 0n, window: 10n, backoff: async (attempt) => void waits.push(attempt) },
        async (from, to) => {
          windows.push([from, to]);
          if (failures-- > 0) throw make();
          return [to - from + 1n];
        },
      );
      expect(windows).toEqual([
        [0n, 9n],
        [0n, 9n],
        [0n, 9n],
        [10n, 19n],
      ]);
      expect(waits).toEqual([1, 2]);
      expect(out).toEqual([10n, 10n]);
    },
  );

  test('a rate limit that does not lift: bounded retries, then a retryable error naming the limit', async () => {
    const windows: [bigint, bigint][] = [];
    const waits: number[] = [];
    const error = await scanLogs(
      head(100n),
      { fromBlock: 40n, window: 20n, backoff: async (attempt) => void waits.push(attempt) },
      async (from, to) => {
        windows.push([from, to]);
        throw new LimitExceededRpcError(rpc(-32005, 'project ID request rate exceeded', 429));
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogScanRateLimitedError);
    expect(isRetryable(error)).toBe(true);
    // One first try and DEFAULT_RATE_LIMIT_RETRIES retries, all of the same, unshrunk window.
    expect(windows).toHaveLength(DEFAULT_RATE_LIMIT_RETRIES + 1);
    expect(new Set(windows.map(([f, t]) => `${f}-${t}`))).toEqual(new Set(['40-59']));
    expect(waits).toEqual([1, 2, 3, 4]);
    const message = (error as Error).message;
    expect(message).toContain('rate limit');
    expect(message).toContain('blocks 40–59');
    expect(message).toContain('project ID request rate exceeded');
    expect(message).toContain('higher limits');
    expect(message).toContain('Retry later');
    // Hosted endpoints carry their API key in the path: never in the message, nor in the cause chain.
    expect(message).not.toContain('SECRET-API-KEY');
    expect(JSON.stringify(String((error as { cause?: Error }).cause?.message))).not.toContain(
      'SECRET-API-KEY',
    );
  });

  test('rateLimitRetries bounds the retries; a success resets the count', async () => {
    let call = 0;
    // Fails every other request: never twice in a row, so one retry per window is enough.
    const out = await scanLogs(
      head(29n),
      { fromBlock: 0n, window: 10n, rateLimitRetries: 1, backoff: async () => {} },
      async (from) => {
        if (call++ % 2 === 0) throw new HttpRequestError({ body, status: 429, url: URL_WITH_KEY });
        return [from];
      },
    );
    expect(out).toEqual([0n, 10n, 20n]);
    await expect(
      scanLogs(head(9n), { rateLimitRetries: 0, backoff: async () => {} }, async () => {
        throw new HttpRequestError({ body, status: 429, url: URL_WITH_KEY });
      }),
    ).rejects.toBeInstanceOf(LogScanRateLimitedError);
  });

  test('a range error (viem shape) still halves the window', async () => {
    const windows: bigint[] = [];
    await scanLogs(head(7n), { fromBlock: 0n, window: 8n, backoff: async () => {} }, async (from, to) => {
      windows.push(to - from + 1n);
      if (to - from + 1n > 2n)
        throw new LimitExceededRpcError(rpc(-32005, 'query returned more than 10000 results'));
      return [];
    });
    expect(windows).toEqual([8n, 4n, 2n, 2n, 2n, 2n]);
  });
});
