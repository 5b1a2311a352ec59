import { describe, expect, test } from 'vitest';
import { historicalStateUnavailable } from './verifyDeps.js';

describe('historicalStateUnavailable', () => {
  test("recognises nodes' no-state answers, also as the cause of a library error", () => {
    // anvil restarted from a state dump (the exact text it returns for an eth_call at an old block):
    expect(
      historicalStateUnavailable(new Error('BlockOutOfRangeError: block height is 5 but requested was 2')),
    ).toBe(true);
    expect(historicalStateUnavailable(new Error('missing trie node 1a2b… (path )'))).toBe(true);
    expect(historicalStateUnavailable(new Error('outer', { cause: new Error('header not found') }))).toBe(
      true,
    );
  });

  test('a revert or a network failure is not "no state" (those stay failures or retries)', () => {
    expect(historicalStateUnavailable(new Error('execution reverted: PolicyUnknown(…)'))).toBe(false);
    expect(historicalStateUnavailable(new Error('fetch failed: ECONNREFUSED'))).toBe(false);
    expect(historicalStateUnavailable(undefined)).toBe(false);
  });
});
