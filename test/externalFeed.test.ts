import type { Address } from 'viem';
import { describe, expect, test } from 'vitest';
import type { Stack } from '../src/agent/index.js';
import {
  type ContractRevertError,
  DEVNET_ROLES,
  defaultSuiteOptions,
  deploySuite,
  devnetAccount,
  devnetReporter,
  ExternalFeedError,
  feedAccumulatorAbi,
  feedAddress,
  InvalidOracleQuorumError,
  isRelayedFeed,
  medianOracleAbi,
  parseExternalFeeds,
  readManifest,
  suiteSteps,
  syntheticVaultAbi,
} from '../src/chain/index.js';
import {
  collectReports,
  FeedNotRelayableError,
  publishNextRound,
  submitRound,
  toAnswer,
} from '../src/oracle/index.js';
import { runCli } from './cliHarness.js';
import {
  externalFeedDevnet,
  publishPrice,
  reporterAccounts,
  standaloneMedianOracle,
  suiteRoles,
} from './externalFeedFixture.js';

// Issue 3: "a deployment can point at a real Chainlink feed instead". The external feed here is a
// MedianOracle deployed on its own (outside the suite, its own admin), standing in for a Chainlink feed:
// the suite reads it only through AggregatorV3Interface.

const env = externalFeedDevnet('provenant-extfeed-');
const roles = suiteRoles;
const tempDir = () => env.tempDir();
/** A stand-alone MedianOracle (5 reporters, 5-of-5) owned by the deployer, not part of any suite. */
const standaloneFeed = (name: string, decimals: number) =>
  standaloneMedianOracle(env.clients, tempDir(), name, { decimals });

describe('oracle quorum (Byzantine bound)', () => {
  test('default: 5 reporters deploy 5-of-5; a lower override is raised, a higher one kept', () => {
    expect(defaultSuiteOptions(roles()).quorum).toBe(5);
    expect(defaultSuiteOptions(roles(), { quorum: 3 }).quorum).toBe(5);
    const six = { ...roles(), reporters: [...roles().reporters, devnetReporter(5).address] };
    expect(defaultSuiteOptions(six).quorum).toBe(5);
    expect(defaultSuiteOptions(six, { quorum: 6 }).quorum).toBe(6);
  });

  test('behavior: a hand-built plan with quorum 3 of 5 is refused before anything is sent', () => {
    const options = { ...defaultSuiteOptions(roles()), quorum: 3 };
    expect(() => suiteSteps(options)).toThrow(InvalidOracleQuorumError);
    expect(() => suiteSteps(options)).toThrow('Oracle quorum 3 is outside [5, 5] for 5 reporters.');
  });
});

describe('parseExternalFeeds', () => {
  const keys = ['WTI', 'BRENT', 'XAU'];
  test('default: KEY=address pairs, key case-insensitive, address checksummed', () => {
    expect(parseExternalFeeds(['wti=0x5fbdb2315678afecb367f032d93f642f64180aa3'], keys)).toEqual({
      WTI: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    });
  });
  test('behavior: unknown key, bad address and a repeated key are named', () => {
    expect(() => parseExternalFeeds(['GAS=0x5fbdb2315678afecb367f032d93f642f64180aa3'], keys)).toThrow(
      'External feed GAS=0x5fbdb2315678afecb367f032d93f642f64180aa3 cannot be used: the suite has no feed GAS (its feeds: WTI, BRENT, XAU).',
    );
    expect(() => parseExternalFeeds(['WTI=0x12'], keys)).toThrow(
      "External feed WTI=0x12 cannot be used: '0x12' is not a 0x-prefixed 20-byte address (form: WTI=0x…).",
    );
    const a = 'WTI=0x5fbdb2315678afecb367f032d93f642f64180aa3';
    expect(() => parseExternalFeeds([a, a], keys)).toThrow('WTI is given twice');
  });
});

describe('deploySuite with an external WTI feed on anvil', () => {
  test('behavior: a feed that is no contract, has other decimals, or no round yet is refused by name', async () => {
    const options = (feed: Address) => defaultSuiteOptions(roles(), { externalFeeds: { WTI: feed } });
    const eoa = devnetAccount(DEVNET_ROLES.user0).address;
    await expect(deploySuite(env.clients, tempDir(), options(eoa))).rejects.toThrow(
      `External feed WTI=${eoa} cannot be used: there is no contract at this address on this chain.`,
    );
    const sixDecimals = await standaloneFeed('Six', 6);
    await expect(deploySuite(env.clients, tempDir(), options(sixDecimals))).rejects.toThrow(
      "it reports 6 decimals, the suite's feeds use 8.",
    );
    const empty = await standaloneFeed('Empty', 8);
    const refused = await deploySuite(env.clients, tempDir(), options(empty)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ExternalFeedError);
    expect((refused as Error).message.split('\n')[0]).toMatch(
      /it does not answer latestRoundData\(\) \(it reverts with OracleNoRounds\); a feed with no round yet cannot be used\.$/,
    );
  }, 60_000);

  test('default: the vault, accumulator and gate read the external feed; its reporters are not the relayer', async () => {
    const external = await standaloneFeed('External', 8);
    // The feed's own operators publish a round (here: the devnet reporters, relayed by the deployer).
    const now = (await env.clients.publicClient.getBlock()).timestamp;
    const round = await publishNextRound(
      env.clients,
      { accounts: reporterAccounts },
      { feed: external, answer: toAnswer(71.23, 8), observedAt: now },
    );
    expect(round).toMatchObject({ roundId: 1n, median: 7_123_000_000n });
    const second = await publishNextRound(
      env.clients,
      { accounts: reporterAccounts },
      { feed: external, answer: toAnswer(71.23, 8), observedAt: now },
    );
    expect(second.roundId).toBe(2n);

    const stateDir = tempDir();
    const result = await deploySuite(
      env.clients,
      stateDir,
      defaultSuiteOptions(roles(), { externalFeeds: { WTI: external } }),
    );
    const a = result.addresses;
    expect(a['MedianOracle.WTI']).toBeUndefined();
    expect(a['Feed.WTI']).toBe(external);
    expect(a['Feed.BRENT']).toBe(a['MedianOracle.BRENT']);
    const read = env.clients.publicClient.readContract;
    const vault = a['SyntheticVault.sWTI'] as Address;
    expect(await read({ address: vault, abi: syntheticVaultAbi, functionName: 'FEED' })).toBe(external);
    // 71.23 USD with 8 decimals -> 18-decimal price
    expect(await read({ address: vault, abi: syntheticVaultAbi, functionName: 'priceWad' })).toBe(
      71_230_000_000_000_000_000n,
    );
    // The gold vault still reads its own MedianOracle (5-of-5).
    expect(
      await read({ address: a['MedianOracle.XAU'] as Address, abi: medianOracleAbi, functionName: 'quorum' }),
    ).toBe(5n);

    // The manifest says which feeds Provenant's reporters publish to.
    const manifest = readManifest(stateDir, env.devnet.chainId);
    expect(manifest.contracts['MedianOracle.WTI']).toBeUndefined();
    expect(manifest.feeds?.WTI).toMatchObject({ address: external, source: 'external', decimals: 8 });
    expect(manifest.feeds?.BRENT).toMatchObject({ source: 'median-oracle', decimals: 8 });
    expect(feedAddress(manifest, 'WTI')).toBe(external);
    expect(isRelayedFeed(manifest, 'WTI')).toBe(false);
    expect(isRelayedFeed(manifest, 'BRENT')).toBe(true);

    // The zk accumulator follows the external feed from its latest round at deployment (a Chainlink
    // proxy has no round 1: its ids are phase << 64 | n), not from round 1.
    const accumulator = a['FeedAccumulator.WTI'] as Address;
    expect(await read({ address: accumulator, abi: feedAccumulatorAbi, functionName: 'START_ROUND' })).toBe(
      2n,
    );
    // The feed moves on before the operator re-runs deploy: the accumulator (and its gate) are still reused.
    await publishNextRound(
      env.clients,
      { accounts: reporterAccounts },
      { feed: external, answer: toAnswer(71.23, 8), observedAt: now },
    );

    // A second deploy reuses everything and keeps the external feed.
    const again = await deploySuite(
      env.clients,
      stateDir,
      defaultSuiteOptions(roles(), { externalFeeds: { WTI: external } }),
    );
    expect(again.outcomes.every((o) => o.outcome === 'reused')).toBe(true);
    expect(readManifest(stateDir, env.devnet.chainId).feeds?.WTI?.source).toBe('external');

    // The relayer refuses what is not a MedianOracle it can serve, before signing anything.
    const notAFeed = await publishNextRound(
      env.clients,
      { accounts: reporterAccounts },
      { feed: vault, answer: 1n, observedAt: now },
    ).catch((e: unknown) => e);
    expect(notAFeed).toBeInstanceOf(FeedNotRelayableError);
    expect((notAFeed as Error).message).toMatch(
      new RegExp(
        `^Cannot publish a round to feed ${vault}: it does not answer MedianOracle's latestRound\\(\\)/quorum\\(\\)`,
      ),
    );
    const tooFew = await publishNextRound(
      env.clients,
      { accounts: reporterAccounts.slice(0, 3) },
      { feed: a['MedianOracle.BRENT'] as Address, answer: 1n, observedAt: now },
    ).catch((e: unknown) => e);
    expect((tooFew as Error).message.split('\n')[0]).toBe(
      `Cannot publish a round to feed ${a['MedianOracle.BRENT']}: its quorum is 5 reports and this reporter set has 3 keys.`,
    );
  }, 180_000);
});

describe('provenant deploy --feed', () => {
  test('default: the CLI deploys with WTI read from the given feed and says so', async () => {
    const external = await standaloneFeed('ExternalCli', 8);
    const now = (await env.clients.publicClient.getBlock()).timestamp;
    await publishNextRound(
      env.clients,
      { accounts: reporterAccounts },
      { feed: external, answer: toAnswer(64.5, 8), observedAt: now },
    );
    const stateDir = tempDir();
    const r = roles();
    const out = await runCli(
      { devnet: env.devnet, stateDir } as unknown as Stack,
      [
        'deploy',
        '--agent',
        r.agent,
        '--guardian',
        r.guardian,
        '--reporters',
        ...r.reporters,
        '--feed',
        `wti=${external.toLowerCase()}`,
      ],
      DEVNET_ROLES.deployer,
    );
    expect(out).toContain(
      `Feed WTI: external AggregatorV3 at ${external} (read only; no reporters publish to it)`,
    );
    const manifest = readManifest(stateDir, env.devnet.chainId);
    expect(manifest.feeds?.WTI).toMatchObject({ address: external, source: 'external' });
    const vault = manifest.contracts['SyntheticVault.sWTI']!.address;
    expect(
      await env.clients.publicClient.readContract({
        address: vault,
        abi: syntheticVaultAbi,
        functionName: 'priceWad',
      }),
    ).toBe(64_500_000_000_000_000_000n);
    expect(
      await env.clients.publicClient.readContract({
        address: manifest.feeds!.XAU!.address,
        abi: medianOracleAbi,
        functionName: 'quorum',
      }),
    ).toBe(5n);
  }, 180_000);
});

describe('report encoding: each report names its reporter', () => {
  test("behavior: round 1's reports replayed as round 2 are OracleInvalidSignature(0), a tampered one names its index", async () => {
    const feed = await standaloneFeed('Replay', 8);
    const now = (await env.clients.publicClient.getBlock()).timestamp;
    const reports = await collectReports(
      { accounts: reporterAccounts },
      { feed, chainId: env.devnet.chainId, roundId: 1n, answer: 7_000_000_000n, observedAt: now },
    );
    expect(reports.map((r) => r.reporter)).toEqual(roles().reporters);
    await submitRound(env.clients, { feed, roundId: 1n, reports });
    const replay = await submitRound(env.clients, { feed, roundId: 2n, reports }).catch((e: unknown) => e);
    expect((replay as ContractRevertError).errorName).toBe('OracleInvalidSignature');
    expect((replay as ContractRevertError).args).toEqual({ index: 0n });
    const fresh = await collectReports(
      { accounts: reporterAccounts },
      { feed, chainId: env.devnet.chainId, roundId: 2n, answer: 7_000_000_000n, observedAt: now },
    );
    const tampered = fresh.map((r, i) => (i === 3 ? { ...r, answer: r.answer + 1n } : r));
    const refused = await submitRound(env.clients, { feed, roundId: 2n, reports: tampered }).catch(
      (e: unknown) => e,
    );
    expect((refused as ContractRevertError).errorName).toBe('OracleInvalidSignature');
    expect((refused as ContractRevertError).args).toEqual({ index: 3n });
    // Four of five reports: below the 5-of-5 quorum.
    const short = await submitRound(env.clients, { feed, roundId: 2n, reports: fresh.slice(0, 4) }).catch(
      (e: unknown) => e,
    );
    expect((short as ContractRevertError).errorName).toBe('OracleQuorumNotMet');
    expect((short as ContractRevertError).args).toEqual({ reports: 4n, quorum: 5n });
  }, 60_000);
});

describe('accumulator start round after a feed switch', () => {
  /** A stand-alone feed with `rounds` rounds published (answers 70, 71, ...). */
  async function feedWithRounds(name: string, rounds: number): Promise<Address> {
    const feed = await standaloneFeed(name, 8);
    for (let i = 0; i < rounds; i += 1) await publishPrice(env.clients, feed, 70 + i);
    return feed;
  }

  /**
   * Fifth review, F7: `deploySuite` (src/chain/suite.ts) starts an external feed's FeedAccumulator at the START_ROUND
   * of the accumulator the deployment already has (`existingAccumulatorStart`), whatever feed that one
   * follows. Re-running `deploy` with ANOTHER external WTI feed (e.g. a new Chainlink proxy) redeploys the
   * accumulator (its feed argument changed) but with the OLD feed's start round: the new feed's latest
   * round is not the start, so the zk path waits for (or, across Chainlink phases, never reaches) a round
   * id that belongs to the old feed. Expected: the start round is reused only for the same feed.
   * (Before the fix START_ROUND was 5, the old feed's, instead of 2.)
   */
  test('re-running deploy with another external feed starts its accumulator at THAT feed’s latest round', async () => {
    const stateDir = tempDir();
    const first = await feedWithRounds('ExternalA', 5);
    const a = (
      await deploySuite(
        env.clients,
        stateDir,
        defaultSuiteOptions(roles(), { externalFeeds: { WTI: first } }),
      )
    ).addresses;
    const read = env.clients.publicClient.readContract;
    const startOf = (accumulator: Address) =>
      read({ address: accumulator, abi: feedAccumulatorAbi, functionName: 'START_ROUND' });
    expect(await startOf(a['FeedAccumulator.WTI'] as Address)).toBe(5n);

    // The operator switches WTI to another feed (latest round 2) and re-runs deploy.
    const second = await feedWithRounds('ExternalB', 2);
    const b = (
      await deploySuite(
        env.clients,
        stateDir,
        defaultSuiteOptions(roles(), { externalFeeds: { WTI: second } }),
      )
    ).addresses;
    const accumulator = b['FeedAccumulator.WTI'] as Address;
    expect(accumulator).not.toBe(a['FeedAccumulator.WTI']);
    expect(await read({ address: accumulator, abi: feedAccumulatorAbi, functionName: 'FEED' })).toBe(second);
    // Not 5n (the old feed's start round, a round the new feed has not published).
    expect(await startOf(accumulator)).toBe(2n);
  }, 180_000);
});
