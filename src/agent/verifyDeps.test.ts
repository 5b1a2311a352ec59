import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, type Hex, http } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { medianOracleAbi } from '../chain/index.js';
import { buildReplay, openStack, publishMarketDay, type Stack } from './index.js';
import { agentVerifyDependencies, historicalStateUnavailable } from './verifyDeps.js';

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

describe('agentVerifyDependencies (real anvil)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-verifydeps-'));
  let stack: Stack | undefined;
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('behavior: an oracle round is read once per run (verify --all asks for the same rounds per version); a failed read is asked again', async () => {
    const replay = buildReplay({ start: '2020-03-02', end: '2020-03-03', warmupDays: 0 });
    stack = await openStack({
      stateDir: dir,
      statePath: null,
      trainEnd: '2020-02-28',
      forecasterKind: 'ridge',
      genesisTimestamp: replay[0]!.timestamp - 86_400n,
    });
    for (const { timestamp, wti, brent } of replay)
      await publishMarketDay(
        stack,
        { accounts: stack.reporterAccounts, spreadPpm: 500 },
        { timestamp, wti, brent },
      );
    const calls: string[] = [];
    const client = createPublicClient({
      transport: http(stack.devnet.rpcUrl, {
        onFetchRequest: async (request) => {
          const body = (await request.clone().json()) as { method: string } | { method: string }[];
          for (const { method } of Array.isArray(body) ? body : [body]) calls.push(method);
        },
      }),
    });
    const deps = agentVerifyDependencies({
      client,
      addresses: stack.addresses,
      stateDir: dir,
      content: stack.content,
    });
    const feed = stack.addresses.feeds.WTI!;
    const first = await deps.readRound(feed, 1n);
    expect(first.roundId).toBe(1n);
    expect(first.answer).toBeGreaterThan(0n);
    // The same round again, under another spelling of the feed: no second request.
    expect(await deps.readRound(feed.toUpperCase().replace('0X', '0x') as Hex, 1n)).toEqual(first);
    expect(calls.filter((m) => m === 'eth_call')).toHaveLength(1);
    // A round the oracle never had reverts, each time it is asked (not remembered as a failure).
    await expect(deps.readRound(feed, 99n)).rejects.toThrow();
    await expect(deps.readRound(feed, 99n)).rejects.toThrow();
    expect(calls.filter((m) => m === 'eth_call')).toHaveLength(3);
  }, 120_000);

  test('publishMarketDay relays Brent with the second key in parallel with WTI, and a day published again relays only what it lacks', async () => {
    const s = stack!;
    const { BRENT, WTI } = s.addresses.feeds as Record<'BRENT' | 'WTI', Hex>;
    const latest = async (feed: Hex) =>
      BigInt(
        await s.relayer.publicClient.readContract({
          address: feed,
          abi: medianOracleAbi,
          functionName: 'latestRound',
        }),
      );
    const relayedBy = async (feed: Hex) => {
      const logs = await s.relayer.publicClient.getContractEvents({
        address: feed,
        abi: medianOracleAbi,
        eventName: 'RoundAccepted',
        fromBlock: 0n,
      });
      return (await s.relayer.publicClient.getTransaction({ hash: logs.at(-1)!.transactionHash })).from;
    };
    expect((await relayedBy(BRENT)).toLowerCase()).toBe(s.feedRelayer.account.address.toLowerCase());
    expect((await relayedBy(WTI)).toLowerCase()).toBe(s.relayer.account.address.toLowerCase());
    const [wtiBefore, brentBefore] = [await latest(WTI), await latest(BRENT)];
    // The last day again (as after a run killed once Brent had landed): Brent has the day, so only WTI goes out.
    const day = buildReplay({ start: '2020-03-02', end: '2020-03-03', warmupDays: 0 }).at(-1)!;
    await publishMarketDay(s, { accounts: s.reporterAccounts, spreadPpm: 500 }, day);
    expect(await latest(WTI)).toBe(wtiBefore + 1n);
    expect(await latest(BRENT)).toBe(brentBefore);
  }, 120_000);
});
