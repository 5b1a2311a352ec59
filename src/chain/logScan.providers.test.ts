// Real provider wordings (from public issue threads) and a provider's Retry-After, on viem-shaped errors.
import { InvalidParamsRpcError, RpcRequestError } from 'viem';
import { describe, expect, test } from 'vitest';
import { isLogRangeError, isRateLimitError, LogScanRateLimitedError, scanLogs } from './logScan.js';

const URL_WITH_KEY = 'https://broken-icy-mountain.quiknode.pro/SECRET-TOKEN/';
const body = { method: 'eth_getLogs', params: [{ fromBlock: '0x0', toBlock: '0x2' }] };
const rpc = (code: number, message: string, status?: number) =>
  new RpcRequestError({ body, error: { code, message }, url: URL_WITH_KEY, ...(status ? { status } : {}) });

// QuickNode refuses a wide eth_getLogs with -32614 over HTTP 413 (OffchainLabs/arbitrum-sdk#609), or with
// -32602 "… limited to a 10,000 blocks range" (ethers-io/ethers.js#3612); its lower plans cap the range lower.
const quickNodeRange = (limit: string) =>
  [
    ['QuickNode -32614 (HTTP 413)', () => rpc(-32614, `eth_getLogs is limited to a ${limit} range`, 413)],
    [
      'QuickNode -32602',
      () =>
        new InvalidParamsRpcError(
          rpc(-32602, `eth_getLogs and eth_newFilter are limited to a ${limit} blocks range`),
        ),
    ],
  ] as const;
// QuickNode's per-second and per-month request limits (viem's buildRequest names -32007 as QuickNode's
// rate-limit code; BobTheBuidler/dank_mids#642, #684).
const quickNodeRate = [
  [
    'QuickNode -32007',
    () =>
      rpc(
        -32007,
        '15/second request limit reached - reduce calls per second or upgrade your account at quicknode.com',
      ),
  ],
  [
    'QuickNode -32009',
    () => rpc(-32009, '1000000/month request limit reached - upgrade your account at quicknode.com'),
  ],
] as const;

describe('QuickNode wordings', () => {
  test.each(quickNodeRange('10,000'))('%s is a range error (the window is halved)', (_, make) => {
    expect(isRateLimitError(make())).toBe(false);
    expect(isLogRangeError(make())).toBe(true);
  });

  test.each(quickNodeRate)('%s is a rate limit (waited out, then LogScanRateLimitedError)', (_, make) => {
    expect(isRateLimitError(make())).toBe(true);
    expect(isLogRangeError(make())).toBe(false);
  });

  test('a scan on a QuickNode plan that caps eth_getLogs at 5 blocks halves down to it and reads every block', async () => {
    const seen: bigint[] = [];
    const out = await scanLogs(
      { getBlockNumber: async () => 40n },
      { fromBlock: 0n, window: 10_000n, backoff: async () => {} },
      async (from, to) => {
        if (to - from + 1n > 5n) throw quickNodeRange('5')[0][1]();
        seen.push(to - from + 1n);
        return [to - from + 1n];
      },
    );
    expect(out.reduce((a, b) => a + b, 0n)).toBe(41n);
    expect(seen.every((n) => n <= 5n)).toBe(true);
  });

  test('a QuickNode rate limit that does not lift ends in LogScanRateLimitedError, without the token', async () => {
    const error = await scanLogs(
      { getBlockNumber: async () => 9n },
      { backoff: async () => {} },
      async () => {
        throw quickNodeRate[0][1]();
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogScanRateLimitedError);
    expect((error as Error).message).toContain('request limit reached');
    expect((error as Error).message).not.toContain('SECRET-TOKEN');
  });
});

// viem's transport sleeps a provider's Retry-After before each of its own retries (src/chain/clients.ts:
// retryCount 2); a scan that retried the window 4 more times slept it 10 times (Retry-After: 1 measured:
// 15 requests, 17.6 s for one window; Retry-After: 60 would be ~10 min).
const limited = (retryAfter: string) =>
  new RpcRequestError({
    body,
    error: { code: -32005, message: 'project ID request rate exceeded' },
    url: URL_WITH_KEY,
    status: 429,
    headers: new Headers({ 'Retry-After': retryAfter }),
  });

describe('a provider Retry-After', () => {
  test('longer than the scan sits out: the scan fails at once, saying how long the provider asks to wait', async () => {
    let calls = 0;
    const waits: number[] = [];
    const error = await scanLogs(
      { getBlockNumber: async () => 9n },
      { backoff: async (a) => void waits.push(a) },
      async () => {
        calls++;
        throw limited('3600');
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogScanRateLimitedError);
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
    expect((error as Error).message).toContain('asks to wait 3600 s');
    expect((error as Error).message).not.toContain('SECRET-TOKEN');
  });

  test('a short one is retried as any rate limit', async () => {
    let calls = 0;
    const out = await scanLogs({ getBlockNumber: async () => 9n }, { backoff: async () => {} }, async () => {
      if (calls++ < 2) throw limited('1');
      return [1];
    });
    expect(out).toEqual([1]);
    expect(calls).toBe(3);
  });
});
