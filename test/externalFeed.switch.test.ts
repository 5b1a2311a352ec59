/**
 * Fifth review, F7: `deploySuite` (src/chain/suite.ts) starts an external feed's FeedAccumulator at the START_ROUND
 * of the accumulator the deployment already has (`existingAccumulatorStart`), whatever feed that one
 * follows. Re-running `deploy` with ANOTHER external WTI feed (e.g. a new Chainlink proxy) redeploys the
 * accumulator (its feed argument changed) but with the OLD feed's start round: the new feed's latest
 * round is not the start, so the zk path waits for (or, across Chainlink phases, never reaches) a round
 * id that belongs to the old feed. Expected: the start round is reused only for the same feed.
 * (Before the fix START_ROUND was 5, the old feed's, instead of 2.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  createClients,
  DEVNET_ROLES,
  type Devnet,
  defaultSuiteOptions,
  deployPlan,
  deploySuite,
  devnetAccount,
  devnetReporter,
  feedAccumulatorAbi,
  type ProvenantClients,
  startDevnet,
} from '../src/chain/index.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';

const reporterAccounts = Array.from({ length: 5 }, (_, i) => devnetReporter(i));
const roles = () => ({
  deployer: devnetAccount(DEVNET_ROLES.deployer).address,
  agent: devnetAccount(DEVNET_ROLES.agent).address,
  guardian: devnetAccount(DEVNET_ROLES.guardian).address,
  reporters: reporterAccounts.map((a) => a.address),
});

let devnet: Devnet;
let clients: ProvenantClients;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-acc-switch-'));
  dirs.push(dir);
  return dir;
};

/** A stand-alone MedianOracle standing in for a Chainlink feed, with `rounds` rounds published. */
async function externalFeed(name: string, rounds: number): Promise<Address> {
  const plan = await deployPlan(clients, tempDir(), [
    {
      name,
      contract: 'MedianOracle',
      args: () => [
        clients.account.address,
        8,
        'WTI / USD (external)',
        1n,
        10n ** 12n,
        7 * 24 * 3600,
        roles().reporters,
        5n,
      ],
    },
  ]);
  const feed = plan.outcomes[0]!.address;
  const now = (await clients.publicClient.getBlock()).timestamp;
  for (let i = 0; i < rounds; i += 1)
    await publishNextRound(
      clients,
      { accounts: reporterAccounts },
      { feed, answer: toAnswer(70 + i, 8), observedAt: now },
    );
  return feed;
}

beforeAll(async () => {
  devnet = await startDevnet();
  clients = await createClients({
    rpcUrls: [devnet.rpcUrl],
    account: devnetAccount(DEVNET_ROLES.deployer),
    devnet: true,
  });
}, 60_000);

afterAll(async () => {
  await devnet?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test('re-running deploy with another external feed starts its accumulator at THAT feed’s latest round', async () => {
  const stateDir = tempDir();
  const first = await externalFeed('ExternalA', 5);
  const a = (
    await deploySuite(clients, stateDir, defaultSuiteOptions(roles(), { externalFeeds: { WTI: first } }))
  ).addresses;
  const read = clients.publicClient.readContract;
  const startOf = (accumulator: Address) =>
    read({ address: accumulator, abi: feedAccumulatorAbi, functionName: 'START_ROUND' });
  expect(await startOf(a['FeedAccumulator.WTI'] as Address)).toBe(5n);

  // The operator switches WTI to another feed (latest round 2) and re-runs deploy.
  const second = await externalFeed('ExternalB', 2);
  const b = (
    await deploySuite(clients, stateDir, defaultSuiteOptions(roles(), { externalFeeds: { WTI: second } }))
  ).addresses;
  const accumulator = b['FeedAccumulator.WTI'] as Address;
  expect(accumulator).not.toBe(a['FeedAccumulator.WTI']);
  expect(await read({ address: accumulator, abi: feedAccumulatorAbi, functionName: 'FEED' })).toBe(second);
  // Currently 5n: the old feed's start round, a round the new feed has not published.
  expect(await startOf(accumulator)).toBe(2n);
}, 180_000);
