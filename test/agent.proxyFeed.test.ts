import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, isAddressEqual } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import {
  buildReplay,
  type DemoResult,
  DemoUpgradeError,
  deployNextWtiAggregator,
  runDemo,
  StackFeedMismatchError,
} from '../src/agent/index.js';
import {
  feedAccumulatorAbi,
  forecastProofGateAbi,
  medianOracleAbi,
  phasedAggregatorProxyAbi,
  readManifest,
  syntheticVaultAbi,
} from '../src/chain/index.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';
import { runCli } from './cliHarness.js';

// The whole demo on a Chainlink-style proxy WTI feed: a PhasedAggregatorProxy (round ids
// `1 << 64 | n`, no AnswerUpdated of its own) over a stand-alone MedianOracle the demo's reporters
// publish into. The suite, the agent and the verifiers read the proxy only. Half-way the proxy's aggregator
// is upgraded, as Chainlink replaces a feed's aggregator: the ids restart at `2 << 64 | 1`, the zk
// accumulator bridges the phases (recording phase 1's last round), and the agent goes on from the new
// phase's first round with windows across the upgrade: no epoch waits.

const PHASE_1 = 1n << 64n;
const PHASE_2 = 2n << 64n;

describe('demo end to end on a Chainlink-style proxy WTI feed, upgraded mid-run (2019-10-01 → 2019-11-22)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-proxy-demo-'));
  let result: DemoResult | undefined;
  afterAll(async () => {
    result?.journal.close();
    await result?.stack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('art mint + evolve and zk synth mints run on proxy round ids across an aggregator upgrade; verify --all, verify --synth and audit verify pass', async () => {
    const demo = (end: string) =>
      runDemo({
        stateDir: dir,
        start: '2019-10-01',
        end,
        persist: true,
        wtiFeed: 'chainlink-proxy',
        upgradeWtiAggregatorOn: '2019-10-03',
        agent: { art: { size: 64, evolveEveryEpochs: 5, maxTokens: 3 } },
      });
    // Two acting days on phase 1; the devnet is stopped and the demo resumed from its state file: the external
    // feed is reused (not deployed or seeded again) and no day is published twice. On 2019-10-03 the proxy
    // is upgraded to a new aggregator (phase 2), which gets that day's round first.
    const half = await demo('2019-10-02');
    expect(half.completed).toBe(true);
    const phase1Rounds = BigInt(half.replay.length);
    const first = { proxy: half.stack.addresses.feeds.WTI, aggregator: half.stack.wtiPublishTarget };
    // The upgrade is started by hand and "killed" half-way: the next phase's aggregator is deployed and has
    // 2019-10-03's round (published a few seconds after that day's close, as on a loaded machine), but the
    // proxy was never switched. The resumed demo must finish the upgrade without publishing the day twice.
    const day = buildReplay({ start: '2019-10-01', end: '2019-10-03', warmupDays: 70 }).at(-1)!;
    expect(day.date).toBe('2019-10-03');
    const pending = await deployNextWtiAggregator(half.stack);
    expect(pending.phaseId).toBe(2);
    await half.stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: day.timestamp + 3n });
    await half.stack.deployer.testClient!.mine({ blocks: 1 });
    await publishNextRound(
      half.stack.relayer,
      { accounts: half.stack.reporterAccounts, spreadPpm: 500 },
      { feed: pending.aggregator, answer: toAnswer(day.wti, 8), observedAt: day.timestamp },
    );
    half.journal.close();
    await half.stack.close();
    result = await demo('2019-11-22');
    const { stack, journal } = result;
    expect(result.completed).toBe(true);
    expect(result.epochsRun).toBe(result.replay.filter((e) => e.date > '2019-10-02').length);
    const read = stack.agent.publicClient;
    const proxy = stack.addresses.feeds.WTI;
    const aggregator = stack.wtiPublishTarget;
    expect(proxy).toBe(first.proxy);
    expect(isAddressEqual(aggregator, first.aggregator)).toBe(false);
    expect(aggregator).toBe(pending.aggregator);
    expect(
      await read.readContract({ address: proxy, abi: phasedAggregatorProxyAbi, functionName: 'aggregator' }),
    ).toBe(aggregator);

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
    ).toBe(first.aggregator);
    expect(
      await read.readContract({
        address: stack.addresses.vault,
        abi: syntheticVaultAbi,
        functionName: 'FEED',
      }),
    ).toBe(proxy);
    // Every replay day's WTI is a proxy round: phase 1's, then phase 2's from round 1; the relayer absorbed
    // them all, under proxy ids, bridging the phases once.
    const [latest] = await read.readContract({
      address: proxy,
      abi: phasedAggregatorProxyAbi,
      functionName: 'latestRoundData',
    });
    expect(latest).toBe(PHASE_2 | (BigInt(result.replay.length) - phase1Rounds));
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
    const bridges = await read.getContractEvents({
      address: accumulator,
      abi: feedAccumulatorAbi,
      eventName: 'PhaseBridged',
      fromBlock: 0n,
    });
    expect(bridges.map((b) => [b.args.lastOfPhase, b.args.firstOfNextPhase])).toEqual([
      [PHASE_1 | phase1Rounds, PHASE_2 | 1n],
    ]);
    expect(
      await read.readContract({
        address: accumulator,
        abi: feedAccumulatorAbi,
        functionName: 'bridgedFrom',
        args: [PHASE_2],
      }),
    ).toBe(PHASE_1 | phase1Rounds);

    // No epoch waited for the new phase: its windows reach back across the upgrade into phase 1.
    const epochs = journal.entries({ kind: 'epoch' }).map((e) => e.payload as { skipped?: string });
    expect(epochs.filter((e) => e.skipped !== undefined).map((e) => e.skipped)).toEqual([]);
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
    // Proven on both sides of the upgrade and across it: a statement on one of phase 2's first 20 rounds
    // names its window's first round in phase 1 (the gate's firstRoundOf, through the accumulator's bridge).
    const statements = await read.getContractEvents({
      address: stack.addresses.zkGate as Address,
      abi: forecastProofGateAbi,
      eventName: 'ForecastProven',
      fromBlock: 0n,
    });
    const phaseOf = (id: bigint) => id >> 64n;
    const local = (id: bigint) => id & ((1n << 64n) - 1n);
    expect(statements.filter((e) => phaseOf(e.args.lastRoundId!) === 1n).length).toBeGreaterThanOrEqual(1);
    expect(statements.filter((e) => phaseOf(e.args.lastRoundId!) === 2n).length).toBeGreaterThanOrEqual(1);
    const crossing = statements.filter((e) => phaseOf(e.args.firstRoundId!) !== phaseOf(e.args.lastRoundId!));
    expect(crossing.length).toBeGreaterThanOrEqual(1);
    for (const e of statements) {
      const [first, last] = [e.args.firstRoundId!, e.args.lastRoundId!];
      if (phaseOf(first) === phaseOf(last)) expect(last - first).toBe(20n);
      else {
        expect([phaseOf(first), phaseOf(last)]).toEqual([1n, 2n]);
        expect(local(last)).toBeLessThan(21n);
        // The old phase's last 21 - n rounds: first .. phase 1's last round.
        expect(first).toBe(PHASE_1 | (phase1Rounds - (21n - local(last)) + 1n));
      }
    }
    // The first proof after the upgrade came on phase 2's first rounds, not 20 rounds later.
    const firstAfter = statements.find((e) => phaseOf(e.args.lastRoundId!) === 2n)!;
    expect(local(firstAfter.args.lastRoundId!)).toBeLessThan(21n);

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
    const synthJson = JSON.parse(await runCli(stack, ['verify', '--synth', '--all', '--json'], 0)) as {
      ok: boolean;
      reports: {
        ok: boolean;
        proofKind?: string;
        checks: { name: string; status: string; actual?: string }[];
      }[];
    };
    expect(synthJson.ok).toBe(true);
    const synth = synthJson.reports;
    expect(synth.length).toBeGreaterThanOrEqual(proven.length);
    expect(synth.filter((r) => !r.ok)).toEqual([]);
    expect(synth.filter((r) => r.proofKind === 'groth16').length).toBeGreaterThanOrEqual(proven.length);
    for (const report of synth)
      expect(report.checks.find((c) => c.name === 'oracle-window')?.status).toBe('pass');
    // Among them the decisions right after the upgrade, whose windows cross it.
    const crossed = synth.filter((r) =>
      r.checks.find((c) => c.name === 'oracle-window')?.actual?.includes('but for one aggregator upgrade'),
    );
    expect(crossed.length).toBeGreaterThanOrEqual(1);

    journal.close();
    const audit = await runCli(stack, ['audit', 'verify'], 0);
    expect(audit).toMatch(/^✓ audit verify: \d+ entries, hash chain intact/);

    // Resuming this state with the suite's own MedianOracle (the default) is refused, naming the fix:
    // the suite stays on the proxy, so publishing into a new oracle would feed nothing the agent reads.
    await stack.close();
    result = undefined;
    const mismatch = await runDemo({
      stateDir: dir,
      start: '2019-10-01',
      end: '2019-11-29',
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

describe('demo: the aggregator upgrade day is checked before anything starts', () => {
  const refused = (upgradeWtiAggregatorOn: string, wtiFeed?: 'chainlink-proxy') =>
    runDemo({
      stateDir: join(tmpdir(), 'provenant-never-created'),
      start: '2019-10-01',
      end: '2019-10-11',
      upgradeWtiAggregatorOn,
      ...(wtiFeed ? { wtiFeed } : {}),
    }).then(
      () => undefined,
      (error: unknown) => error as Error,
    );

  test('a weekend day names the next trading day; a day on the default feed names --wti-feed', async () => {
    const weekend = await refused('2019-10-05', 'chainlink-proxy');
    expect(weekend).toBeInstanceOf(DemoUpgradeError);
    expect(weekend?.message).toMatch(/2019-10-05 is not a replay day after the first/);
    expect((weekend as DemoUpgradeError).details).toMatch(/e\.g\. 2019-10-07/);
    const noProxy = await refused('2019-10-07');
    expect(noProxy).toBeInstanceOf(DemoUpgradeError);
    expect((noProxy as DemoUpgradeError).details).toMatch(/--wti-feed chainlink-proxy/);
  });
});
