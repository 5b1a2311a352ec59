import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, isAddressEqual } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { type DemoResult, runDemo, StackFeedMismatchError } from '../src/agent/index.js';
import {
  feedAccumulatorAbi,
  medianOracleAbi,
  phasedAggregatorProxyAbi,
  readManifest,
  syntheticVaultAbi,
} from '../src/chain/index.js';
import { runCli } from './cliHarness.js';

// The whole demo on a Chainlink-style proxy WTI feed: a PhasedAggregatorProxy (round ids
// `1 << 64 | n`, no AnswerUpdated of its own) over a stand-alone MedianOracle the demo's reporters
// publish into. The suite, the agent and the verifiers read the proxy only.

const PHASE_1 = 1n << 64n;

describe('demo end to end on a Chainlink-style proxy WTI feed (2020-02-03 → 2020-02-28)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-proxy-demo-'));
  let result: DemoResult | undefined;
  afterAll(async () => {
    result?.journal.close();
    await result?.stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('art mint + evolve and zk synth mints run on proxy round ids; verify --all, verify --synth and audit verify pass', async () => {
    const demo = (end: string) =>
      runDemo({
        stateDir: dir,
        start: '2020-02-03',
        end,
        persist: true,
        wtiFeed: 'chainlink-proxy',
        agent: { art: { size: 64, evolveEveryEpochs: 5, maxTokens: 3 } },
      });
    // Half the month, then the devnet is stopped and the demo resumed from its state file: the external
    // feed is reused (not deployed or seeded again) and no day is published twice.
    const half = await demo('2020-02-14');
    expect(half.completed).toBe(true);
    const before = { proxy: half.stack.addresses.feeds.WTI, aggregator: half.stack.wtiPublishTarget };
    half.journal.close();
    await half.stack.close();
    result = await demo('2020-02-28');
    const { stack, journal } = result;
    expect(result.completed).toBe(true);
    expect(result.epochsRun).toBe(result.replay.filter((e) => e.date > '2020-02-14').length);
    const read = stack.agent.publicClient;
    const proxy = stack.addresses.feeds.WTI;
    const aggregator = stack.wtiPublishTarget;
    expect({ proxy, aggregator }).toEqual(before);

    // The suite reads the proxy (recorded as an external feed); rounds are published into its aggregator.
    expect(isAddressEqual(proxy, aggregator)).toBe(false);
    expect(readManifest(dir, stack.devnet.chainId).feeds?.WTI).toMatchObject({
      address: proxy,
      source: 'external',
    });
    expect(
      await read.readContract({
        address: proxy,
        abi: phasedAggregatorProxyAbi,
        functionName: 'phaseAggregators',
        args: [1],
      }),
    ).toBe(aggregator);
    expect(
      await read.readContract({
        address: stack.addresses.vault,
        abi: syntheticVaultAbi,
        functionName: 'FEED',
      }),
    ).toBe(proxy);
    // Every replay day's WTI is a proxy round; the relayer absorbed them all, under proxy ids.
    const [latest] = await read.readContract({
      address: proxy,
      abi: phasedAggregatorProxyAbi,
      functionName: 'latestRoundData',
    });
    expect(latest).toBe(PHASE_1 | BigInt(result.replay.length));
    // Brent and gold have every replay day's round too (the first day's WTI went out before the suite).
    const rounds = (feed: Address) =>
      read.readContract({ address: feed, abi: medianOracleAbi, functionName: 'latestRound' });
    expect(await rounds(stack.addresses.feeds.BRENT)).toBe(
      BigInt(result.replay.filter((e) => e.brent !== undefined).length),
    );
    expect(await rounds(stack.addresses.feeds.XAU)).toBe(
      BigInt(result.replay.filter((e) => e.gold !== undefined).length),
    );
    const accumulator = stack.addresses.zkAccumulator as Address;
    const acc = (functionName: 'START_ROUND' | 'lastAbsorbed' | 'FEED') =>
      read.readContract({ address: accumulator, abi: feedAccumulatorAbi, functionName });
    expect(await acc('FEED')).toBe(proxy);
    expect(await acc('START_ROUND')).toBe(PHASE_1 | 1n);
    expect(await acc('lastAbsorbed')).toBe(latest);

    // The agent acted: at least one artwork minted and evolved, several proven (zk) synth mints.
    const confirmed = journal.intents.list({ status: 'confirmed' });
    const kinds = (kind: string) => confirmed.filter((i) => i.kind === kind);
    expect(kinds('art-mint').length).toBeGreaterThanOrEqual(1);
    expect(kinds('art-evolve').length).toBeGreaterThanOrEqual(1);
    const proven = await read.getContractEvents({
      address: stack.addresses.vault,
      abi: syntheticVaultAbi,
      eventName: 'MintedWithProof',
      fromBlock: 0n,
    });
    expect(proven.length).toBeGreaterThanOrEqual(3);

    // The NFT manifests name the proxy and its round ids (phase 1: >= 2^64).
    const art = [...kinds('art-mint'), ...kinds('art-evolve')];
    for (const intent of art) {
      const { manifestCid } = (intent.payload as { decision: { manifestCid: string } }).decision;
      const manifest = JSON.parse(new TextDecoder().decode(await stack.content.get(manifestCid))) as {
        inputs: { oracle: { feed: string; rounds: { roundId: string }[] } };
      };
      expect(manifest.inputs.oracle.feed).toBe(proxy.toLowerCase());
      const ids = manifest.inputs.oracle.rounds.map((r) => BigInt(r.roundId));
      expect(ids.length).toBeGreaterThanOrEqual(2);
      for (const id of ids) expect(id >= PHASE_1 && id <= latest).toBe(true);
    }

    // `verify --all`: every version verified, each with its oracle window checked (not skipped).
    const verify = await runCli(stack, ['verify', '--all'], 0);
    const summary = /verify --all: ([1-9]\d*) token\(s\), (\d+) version\(s\), (\d+) verified/.exec(verify);
    expect(summary, verify).not.toBeNull();
    const [, , versions, verified] = summary!;
    expect(verified).toBe(versions);
    expect(Number(versions)).toBe(art.length);
    const windowLines = verify.split('\n').filter((l) => /^. oracle-window\b/.test(l));
    expect(windowLines).toHaveLength(art.length);
    for (const line of windowLines) expect(line, verify).toMatch(/^✓ oracle-window/);

    // `verify --synth`: every synth decision verified, the proven ones among them.
    const synth = JSON.parse(await runCli(stack, ['verify', '--synth', '--all', '--json'], 0)) as {
      ok: boolean;
      proofKind?: string;
      checks: { name: string; status: string }[];
    }[];
    expect(synth.length).toBeGreaterThanOrEqual(proven.length);
    expect(synth.filter((r) => !r.ok)).toEqual([]);
    expect(synth.filter((r) => r.proofKind === 'groth16').length).toBeGreaterThanOrEqual(proven.length);
    for (const report of synth)
      expect(report.checks.find((c) => c.name === 'oracle-window')?.status).toBe('pass');

    journal.close();
    const audit = await runCli(stack, ['audit', 'verify'], 0);
    expect(audit).toMatch(/^✓ audit verify: \d+ entries, hash chain intact/);

    // Resuming this state with the suite's own MedianOracle (the default) is refused, naming the fix:
    // the suite stays on the proxy, so publishing into a new oracle would feed nothing the agent reads.
    await stack.close();
    result = undefined;
    const mismatch = await runDemo({
      stateDir: dir,
      start: '2020-02-03',
      end: '2020-03-06',
      persist: true,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(mismatch).toBeInstanceOf(StackFeedMismatchError);
    expect((mismatch as Error).message).toMatch(
      /deployed with WTI feed 'chainlink-proxy', not 'median-oracle'/,
    );
    expect((mismatch as StackFeedMismatchError).details).toMatch(/--wti-feed chainlink-proxy.*--fresh/);
  }, 240_000);
});
