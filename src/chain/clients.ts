import {
  type Account,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { ChainIdMismatchError, RpcUnavailableError } from './errors.js';

export type ProvenantClients = {
  chain: Chain;
  rpcUrls: readonly string[];
  publicClient: PublicClient<Transport, Chain>;
  walletClient: WalletClient<Transport, Chain, Account>;
  /** Only on a devnet (anvil): time travel and mining. */
  testClient: TestClient<'anvil', Transport, Chain> | undefined;
  account: Account;
};

export type CreateClientsParameters = {
  rpcUrls: readonly string[];
  account: Account;
  /** When set, the node must report this chain id. */
  expectedChainId?: number | undefined;
  /** True on the embedded devnet: enables the anvil test client. */
  devnet?: boolean | undefined;
  /** Per-request timeout (ms) before failing over to the next URL. */
  timeoutMs?: number | undefined;
};

/**
 * viem clients over one or more RPC URLs. Several URLs fail over in order (viem `fallback`), with
 * a short per-request timeout so a dead endpoint costs seconds, not minutes.
 */
export async function createClients(parameters: CreateClientsParameters): Promise<ProvenantClients> {
  const { rpcUrls } = parameters;
  const timeout = parameters.timeoutMs ?? 10_000;
  const transport =
    rpcUrls.length === 1
      ? http(rpcUrls[0], { timeout, retryCount: 2, retryDelay: 200, batch: false })
      : fallback(
          rpcUrls.map((url) => http(url, { timeout, retryCount: 1, retryDelay: 200 })),
          { rank: false, retryCount: 1 },
        );
  let chainId: number;
  try {
    const probe = createPublicClient({ transport });
    chainId = await probe.getChainId();
  } catch (error) {
    throw new RpcUnavailableError(rpcUrls, error);
  }
  if (parameters.expectedChainId !== undefined && parameters.expectedChainId !== chainId) {
    throw new ChainIdMismatchError(parameters.expectedChainId, chainId, rpcUrls[0] ?? '');
  }
  const chain = defineChain({
    id: chainId,
    name: parameters.devnet ? 'Provenant devnet' : `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [...rpcUrls] } },
  });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 });
  const walletClient = createWalletClient({
    chain,
    transport,
    account: parameters.account,
    pollingInterval: 100,
  });
  const testClient = parameters.devnet ? createTestClient({ chain, transport, mode: 'anvil' }) : undefined;
  return { chain, rpcUrls, publicClient, walletClient, testClient, account: parameters.account };
}
