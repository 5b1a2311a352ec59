import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, beforeAll } from 'vitest';
import {
  createClients,
  DEVNET_ROLES,
  type Devnet,
  deployPlan,
  devnetAccount,
  devnetReporter,
  type ProvenantClients,
  startDevnet,
} from '../src/chain/index.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';

/** Shared by the external-feed tests: one devnet per file, the suite's roles, stand-alone oracles. */

export const reporterAccounts = Array.from({ length: 5 }, (_, i) => devnetReporter(i));

export const suiteRoles = () => ({
  deployer: devnetAccount(DEVNET_ROLES.deployer).address,
  agent: devnetAccount(DEVNET_ROLES.agent).address,
  guardian: devnetAccount(DEVNET_ROLES.guardian).address,
  reporters: reporterAccounts.map((a) => a.address),
});

/**
 * Starts a devnet before the file's tests (deployer clients) and stops it after, removing the temp dirs
 * `tempDir()` handed out. `devnet` and `clients` are read inside tests (`beforeAll` sets them).
 */
export function externalFeedDevnet(prefix: string) {
  const dirs: string[] = [];
  const state = {
    devnet: undefined as unknown as Devnet,
    clients: undefined as unknown as ProvenantClients,
    tempDir(): string {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
  beforeAll(async () => {
    state.devnet = await startDevnet();
    state.clients = await createClients({
      rpcUrls: [state.devnet.rpcUrl],
      account: devnetAccount(DEVNET_ROLES.deployer),
      devnet: true,
    });
  }, 60_000);
  afterAll(async () => {
    await state.devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return state;
}

/**
 * A stand-alone MedianOracle (the 5 devnet reporters, 5-of-5, owned by the deployer, outside any suite):
 * what stands in for a Chainlink feed or a proxy's phase aggregator.
 */
export async function standaloneMedianOracle(
  clients: ProvenantClients,
  stateDir: string,
  name: string,
  options: { decimals?: number; description?: string } = {},
): Promise<Address> {
  const plan = await deployPlan(clients, stateDir, [
    {
      name,
      contract: 'MedianOracle',
      args: () => [
        clients.account.address,
        options.decimals ?? 8,
        options.description ?? 'WTI / USD (external)',
        1n,
        10n ** 12n,
        7 * 24 * 3600,
        suiteRoles().reporters,
        5n,
      ],
    },
  ]);
  return plan.outcomes[0]!.address;
}

/** The devnet reporters publish `price` (8 decimals) as the feed's next round, observed now. */
export async function publishPrice(clients: ProvenantClients, feed: Address, price: number) {
  const now = (await clients.publicClient.getBlock()).timestamp;
  return publishNextRound(
    clients,
    { accounts: reporterAccounts },
    { feed, answer: toAnswer(price, 8), observedAt: now },
  );
}
