import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { currentEpoch } from '../src/agent/index.js';
import {
  defaultSuiteOptions,
  deployPlan,
  deploySuite,
  feedAccumulatorAbi,
  medianOracleAbi,
  phasedAggregatorProxyAbi,
  readManifest,
} from '../src/chain/index.js';
import { readFeedWindow } from '../src/oracle/index.js';
import { type ChainPosition, oracleWindowVerdict, readRoundPublication } from '../src/provenance/index.js';
import { latestRounds } from '../src/zk/index.js';
import {
  externalFeedDevnet,
  publishPrice,
  standaloneMedianOracle,
  suiteRoles,
} from './externalFeedFixture.js';

// A Chainlink feed is read through its proxy (EACAggregatorProxy), which emits no AnswerUpdated: its
// round ids are `phaseId << 64 | aggregatorRoundId` and the phase's aggregator logs the round under its
// own id. PhasedAggregatorProxy is the devnet double; its phase aggregators are stand-alone MedianOracles.

const env = externalFeedDevnet('provenant-proxyfeed-');
const roles = suiteRoles;
const phase = (p: bigint, round: bigint) => (p << 64n) | round;

const tempDir = () => env.tempDir();

/** A PhasedAggregatorProxy owned by the deployer, its first phase on `aggregator`. */
async function deployProxy(name: string, aggregator: Address): Promise<Address> {
  const plan = await deployPlan(env.clients, tempDir(), [
    { name, contract: 'PhasedAggregatorProxy', args: () => [env.clients.account.address, aggregator] },
  ]);
  return plan.outcomes[0]!.address;
}

/** A stand-alone MedianOracle (5 reporters, 5-of-5, 8 decimals): a phase aggregator. */
const aggregator = (name: string) =>
  standaloneMedianOracle(env.clients, tempDir(), name, { description: 'WTI / USD (phase aggregator)' });

const publish = (feed: Address, price: number) => publishPrice(env.clients, feed, price);

/** The proxy owner switches to `next`: the proxy's next phase starts on it. */
async function upgrade(proxy: Address, next: Address): Promise<void> {
  const hash = await env.clients.walletClient.writeContract({
    address: proxy,
    abi: phasedAggregatorProxyAbi,
    functionName: 'setAggregator',
    args: [next],
  });
  expect((await env.clients.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
}

/** Where the aggregator itself logged round `roundId` (AnswerUpdated). */
async function answerUpdatedAt(feed: Address, roundId: bigint): Promise<ChainPosition> {
  const [log] = await env.clients.publicClient.getContractEvents({
    address: feed,
    abi: medianOracleAbi,
    eventName: 'AnswerUpdated',
    args: { roundId },
    fromBlock: 0n,
  });
  expect(log).toBeDefined();
  return { blockNumber: log!.blockNumber, logIndex: log!.logIndex };
}

/**
 * The public client, reading the block number uncached: viem caches it for up to 4 s, and these tests
 * look for logs mined a moment ago (a log scan stops at the block number it reads).
 */
const uncached = () => {
  const pc = env.clients.publicClient;
  return {
    getBlockNumber: () => pc.getBlockNumber({ cacheTime: 0 }),
    getContractEvents: pc.getContractEvents,
    readContract: pc.readContract,
  };
};

/** A decision logged now: after every log of the latest block. */
const now = async (): Promise<ChainPosition> => ({
  blockNumber: await env.clients.publicClient.getBlockNumber({ cacheTime: 0 }),
  logIndex: 1_000,
});

describe('the agent epoch on a Chainlink-style proxy feed', () => {
  test('behavior: each new proxy round is the next epoch, also across an aggregator upgrade (ids above 2^53 stay exact)', async () => {
    const read = uncached() as unknown as Parameters<typeof currentEpoch>[0];
    const first = await aggregator('EpochPhaseOne');
    const second = await aggregator('EpochPhaseTwo');
    const proxy = await deployProxy('EpochProxy', first);
    await publish(first, 70);
    const e1 = await currentEpoch(read, proxy);
    await publish(first, 70.5);
    const e2 = await currentEpoch(read, proxy);
    // phase 1 #1 and #2: one epoch apart (Number() of the raw ids would make them equal).
    expect(e2 - e1).toBe(1);
    expect(e1).toBe(2 ** 32);
    await upgrade(proxy, second);
    await publish(second, 71);
    const e3 = await currentEpoch(read, proxy);
    expect(e3).toBeGreaterThan(e2);
    expect(e3).toBe(2 * 2 ** 32);
    await publish(second, 71.5);
    expect((await currentEpoch(read, proxy)) - e3).toBe(1);
  });
});

describe('oracle-window on a Chainlink-style proxy feed', () => {
  test('default: proxy rounds are found in the logs of their phase aggregator, across two phases', async () => {
    const client = uncached();
    const first = await aggregator('PhaseOne');
    const second = await aggregator('PhaseTwo');
    const proxy = await deployProxy('Proxy', first);
    await publish(first, 71.23);

    // The suite reads WTI from the proxy; the accumulator starts at the proxy's latest id, phase 1.
    const stateDir = tempDir();
    const suite = await deploySuite(
      env.clients,
      stateDir,
      defaultSuiteOptions(roles(), { externalFeeds: { WTI: proxy } }),
    );
    expect(readManifest(stateDir, env.devnet.chainId).feeds?.WTI).toMatchObject({
      address: proxy,
      source: 'external',
    });
    expect(
      await env.clients.publicClient.readContract({
        address: suite.addresses['FeedAccumulator.WTI'] as Address,
        abi: feedAccumulatorAbi,
        functionName: 'START_ROUND',
      }),
    ).toBe(phase(1n, 1n));

    await publish(first, 71.5);
    const roundPublication = (feed: Hex, roundId: bigint) => readRoundPublication(client, feed, roundId);
    expect(await readRoundPublication(client, proxy, phase(1n, 2n))).toEqual(
      await answerUpdatedAt(first, 2n),
    );
    expect(await readRoundPublication(client, proxy, phase(1n, 3n))).toBeUndefined();
    // The proxy itself logs no AnswerUpdated: round 2 under its own id is not found there.
    expect(await readRoundPublication(client, proxy, 2n)).toBeUndefined();

    // A decision logged now naming rounds 1..2 of phase 1 passes; once round 3 is out, naming 1..2 fails.
    const window = (roundIds: bigint[], at: ChainPosition) =>
      oracleWindowVerdict({ feed: proxy, roundIds, at, logName: 'Minted', roundPublication });
    const fresh = await window([phase(1n, 1n), phase(1n, 2n)], await now());
    expect(fresh).toMatchObject({ name: 'oracle-window', status: 'pass' });
    expect(fresh.actual).toContain(`round ${phase(1n, 3n)} not published`);
    await publish(first, 71.75);
    const stale = await window([phase(1n, 1n), phase(1n, 2n)], await now());
    expect(stale.status).toBe('fail');
    expect(stale.detail).toBe(
      `round ${phase(1n, 3n)} was already published: the window does not end at the latest round`,
    );
    expect((await window([phase(1n, 2n), phase(1n, 3n)], await now())).status).toBe('pass');

    // The owner switches aggregators: phase 2 starts; its rounds are logged by the second aggregator.
    await upgrade(proxy, second);
    await publish(second, 72);
    const [latest] = await env.clients.publicClient.readContract({
      address: proxy,
      abi: phasedAggregatorProxyAbi,
      functionName: 'latestRoundData',
    });
    expect(latest).toBe(phase(2n, 1n));
    expect(await readRoundPublication(client, proxy, phase(2n, 1n))).toEqual(
      await answerUpdatedAt(second, 1n),
    );
    // Phase 1's rounds are still found in the first aggregator's logs; phase 3 has not started.
    expect(await readRoundPublication(client, proxy, phase(1n, 3n))).toEqual(
      await answerUpdatedAt(first, 3n),
    );
    expect(await readRoundPublication(client, proxy, phase(3n, 1n))).toBeUndefined();
    // Phase 1's last round is no longer the latest once phase 2 published its first round, although
    // phase 1 has no round 4: a window ending at it fails after the switch, and passes before it.
    const phase1Last = await window([phase(1n, 2n), phase(1n, 3n)], await now());
    expect(phase1Last.status).toBe('fail');
    expect(phase1Last.detail).toMatch(
      new RegExp(`round ${phase(2n, 1n)} \\(the first of the next phase\\) was already published`),
    );
    const beforeSwitch = await answerUpdatedAt(first, 3n);
    expect(
      (
        await window([phase(1n, 2n), phase(1n, 3n)], {
          ...beforeSwitch,
          logIndex: beforeSwitch.logIndex! + 1,
        })
      ).status,
    ).toBe('pass');
    expect(await window([phase(2n, 1n)], await now())).toMatchObject({ status: 'pass' });
    await publish(second, 72.5);
    expect((await window([phase(2n, 1n)], await now())).status).toBe('fail');
    // A decision logged before round 2 of phase 2 existed still verifies afterwards.
    const beforeRound2 = await answerUpdatedAt(second, 1n);
    expect(
      await window([phase(2n, 1n)], { ...beforeRound2, logIndex: beforeRound2.logIndex! + 1 }),
    ).toMatchObject({
      status: 'pass',
    });
  }, 240_000);

  test('behavior: readFeedWindow reads a proxy window across one upgrade, from the old phase last rounds', async () => {
    const first = await aggregator('WindowPhaseOne');
    const second = await aggregator('WindowPhaseTwo');
    const proxy = await deployProxy('WindowProxy', first);
    for (const price of [70, 70.5, 71]) await publish(first, price);
    const pc = env.clients.publicClient;
    const ids = (rounds: { roundId: bigint }[]) => rounds.map((r) => r.roundId);
    // Five asked, three exist in phase 1: the window is the three (it used to read `1 << 64 | 0`, which reverts).
    expect(ids(await readFeedWindow(pc, proxy, 5))).toEqual([phase(1n, 1n), phase(1n, 2n), phase(1n, 3n)]);
    const beforeSwitch = await pc.getBlockNumber({ cacheTime: 0 });
    await upgrade(proxy, second);
    await publish(second, 72);
    await publish(second, 72.5);
    // After the upgrade: phase 2's rounds preceded by phase 1's last ones (its aggregator's latest round,
    // read through the proxy's phaseAggregators(1)), never `2 << 64 | 0`.
    const after = await readFeedWindow(pc, proxy, 5);
    expect(ids(after)).toEqual([phase(1n, 1n), phase(1n, 2n), phase(1n, 3n), phase(2n, 1n), phase(2n, 2n)]);
    expect(after.map((r) => r.answer)).toEqual([
      7_000_000_000n,
      7_050_000_000n,
      7_100_000_000n,
      7_200_000_000n,
      7_250_000_000n,
    ]);
    // The zk prover's window (`latestRounds`) needs the accumulator's bridge to reach back across the
    // upgrade (the gate's rule): without an accumulator it stays within the phase.
    expect((await latestRounds(env.clients, proxy, 2)).roundIds).toEqual([phase(2n, 1n), phase(2n, 2n)]);
    await expect(latestRounds(env.clients, proxy, 3)).rejects.toThrow(
      /has 2 round\(s\) in its current phase; the proof needs the latest 3, and no accumulator was given/,
    );
    // Pinned to a block before the switch, the window is phase 1's, as it was then.
    expect(ids(await readFeedWindow(pc, proxy, 2, { blockNumber: beforeSwitch }))).toEqual([
      phase(1n, 2n),
      phase(1n, 3n),
    ]);
  }, 120_000);

  test("behavior: a phase's aggregator is read once per feed and phase; a MedianOracle's rounds cost no call", async () => {
    const first = await aggregator('CountOne');
    const proxy = await deployProxy('CountProxy', first);
    const medianOracle = await aggregator('Plain');
    await publish(first, 70);
    await publish(first, 70.5);
    await publish(medianOracle, 70);
    const calls: string[] = [];
    const pc = env.clients.publicClient;
    const counting = {
      ...uncached(),
      readContract: ((args: { functionName: string; args?: readonly unknown[] }) => {
        calls.push(`${args.functionName}(${String(args.args?.[0])})`);
        return pc.readContract(args as Parameters<typeof pc.readContract>[0]);
      }) as typeof pc.readContract,
    };
    expect(await readRoundPublication(counting, proxy, phase(1n, 1n))).toEqual(
      await answerUpdatedAt(first, 1n),
    );
    expect(await readRoundPublication(counting, proxy, phase(1n, 2n))).toEqual(
      await answerUpdatedAt(first, 2n),
    );
    expect(await readRoundPublication(counting, proxy, phase(1n, 3n))).toBeUndefined();
    expect(calls).toEqual(['phaseAggregators(1)']);
    // A phase not started is asked again (it may start later); it is no publication meanwhile.
    expect(await readRoundPublication(counting, proxy, phase(2n, 1n))).toBeUndefined();
    expect(await readRoundPublication(counting, proxy, phase(2n, 1n))).toBeUndefined();
    expect(calls).toEqual(['phaseAggregators(1)', 'phaseAggregators(2)', 'phaseAggregators(2)']);

    calls.length = 0;
    expect(await readRoundPublication(counting, medianOracle, 1n)).toEqual(
      await answerUpdatedAt(medianOracle, 1n),
    );
    expect(await readRoundPublication(counting, medianOracle, 2n)).toBeUndefined();
    expect(calls).toEqual([]);
    // A proxy-shaped id on a feed that is no proxy: the call reverts, the feed's own logs are scanned.
    expect(await readRoundPublication(counting, medianOracle, phase(1n, 1n))).toBeUndefined();
    expect(calls).toEqual(['phaseAggregators(1)']);
  }, 120_000);
});
