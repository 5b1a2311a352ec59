import { describe, expect, test } from 'vitest';
import { deploymentBlock, isLogRangeError, scanLogs } from './logScan.js';

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
