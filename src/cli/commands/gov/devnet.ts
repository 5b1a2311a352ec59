// Why: `--advance` and `--pass` move chain time, which only a devnet allows; that check and the time travel
// are one job, shared by propose, vote and queue.
import { createTestClient, http } from 'viem';
import type { ProvenantClients } from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';

/** The signer's clients with an anvil test client, for `--advance` (the embedded devnet or any anvil endpoint). */
export async function devnetClients(clients: ProvenantClients): Promise<ProvenantClients> {
  if (clients.testClient) return clients;
  const url = clients.rpcUrls[0];
  const version = url
    ? await clients.publicClient.request({ method: 'web3_clientVersion' } as never).catch(() => '')
    : '';
  if (!url || !String(version).toLowerCase().startsWith('anvil')) {
    throw new NonRetryableError('--advance and --pass only work on a devnet (anvil): they move chain time.', {
      details: `The node answered '${String(version) || 'nothing'}' to web3_clientVersion. On a real network, wait for the delay to pass and run the next step then (\`provenant gov status <id>\` shows when).`,
      docsPath: 'docs/governance.md',
    });
  }
  const testClient = createTestClient({ chain: clients.chain, transport: http(url), mode: 'anvil' });
  return { ...clients, testClient };
}

/** Devnet: mines one block at `timestamp` unless the chain is already there. */
export async function advanceTo(clients: ProvenantClients, timestamp: bigint): Promise<bigint> {
  const test = (await devnetClients(clients)).testClient!;
  const now = (await clients.publicClient.getBlock()).timestamp;
  if (now >= timestamp) return now;
  await test.setNextBlockTimestamp({ timestamp });
  await test.mine({ blocks: 1 });
  return timestamp;
}
