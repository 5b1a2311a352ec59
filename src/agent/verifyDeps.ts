import { type Address, type Hex, keccak256, type PublicClient } from 'viem';
import { modelRegistryAbi } from '../chain/index.js';
import {
  ContentCorruptedError,
  ContentNotFoundError,
  ContentStore,
  chainVerifyDependencies,
  type VerifyDependencies,
} from '../provenance/index.js';
import type { AgentAddresses } from './addresses.js';
import { modelFileLoader } from './models.js';
import { policySnapshotOf, readArtPolicy } from './strategies/artCalls.js';

/**
 * True for a node's "I have no state at that block" answer: anvil restarted from a state dump says
 * `BlockOutOfRangeError`, geth-style full nodes `missing trie node` / `header not found`, others
 * `historical state … is not available`. Such a read proves nothing either way.
 */
export function historicalStateUnavailable(error: unknown): boolean {
  const text: string[] = [];
  for (let e: unknown = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++)
    text.push(String((e as Error).message ?? e), String((e as { details?: unknown }).details ?? ''));
  return /BlockOutOfRange|missing trie node|header not found|historical state|state (?:is )?not available|unknown block/i.test(
    text.join('\n'),
  );
}

/**
 * Everything `verify` needs to check the art of one deployment, wired once for the CLI, the demo's
 * summary, the benches and the tests: the NFT and registry, the content store and model files under
 * `stateDir`, the deployment's oracle feeds (`oracle-feed`), and the guard's policy re-read at the block
 * a manifest's snapshot names (`policy-snapshot`; on a node without that block's state, e.g. a devnet
 * restarted from its state file, the check is an informational skip).
 */
export function agentVerifyDependencies(p: {
  client: PublicClient;
  addresses: Pick<AgentAddresses, 'nft' | 'registry' | 'feeds' | 'fromBlock'>;
  stateDir: string;
  content?: ContentStore;
  loadModelFile?: VerifyDependencies['loadModelFile'];
}): VerifyDependencies {
  const content = p.content ?? new ContentStore(p.stateDir);
  const deps = chainVerifyDependencies({
    client: p.client,
    nft: p.addresses.nft,
    registry: p.addresses.registry,
    content,
    fromBlock: p.addresses.fromBlock,
    loadModelFile:
      p.loadModelFile ?? registryBackedModelLoader(p.stateDir, p.client, p.addresses.registry, content),
    oracleFeeds: Object.values(p.addresses.feeds),
    policySnapshot: async (query) => {
      try {
        return policySnapshotOf(await readArtPolicy(p.client, query));
      } catch (error) {
        if (historicalStateUnavailable(error)) return undefined;
        throw error;
      }
    },
  });
  return { ...deps, readRound: rememberedRounds(deps.readRound) };
}

/**
 * `readRound` read once per feed and round for the run: a published round does not change, and the
 * versions `verify --all` checks name overlapping windows (each art manifest names its 21 newest rounds,
 * so consecutive versions share all but one). A failed read is not remembered: the next version asks again.
 */
function rememberedRounds(readRound: VerifyDependencies['readRound']): VerifyDependencies['readRound'] {
  const rounds = new Map<string, ReturnType<VerifyDependencies['readRound']>>();
  return (feed, roundId) => {
    const key = `${feed.toLowerCase()}:${roundId}`;
    let read = rounds.get(key);
    if (!read) {
      read = readRound(feed, roundId);
      rounds.set(key, read);
      read.catch(() => rounds.delete(key));
    }
    return read;
  };
}

/**
 * The model files `verify` and `verify --synth` re-run: `<stateDir>/models` (or the shipped ones), else the
 * file the registry's metadataURI names in the content store (`modelFileFromRegistryUri`).
 */
export function registryBackedModelLoader(
  stateDir: string,
  client: PublicClient,
  registry: Address,
  content: ContentStore,
): (id: Hex) => Promise<Uint8Array> {
  return modelFileLoader(stateDir, {
    where: "the content store under the model's registered metadataURI",
    load: (id) => modelFileFromRegistryUri(client, registry, content, id),
  });
}

/**
 * The model file the registry's `metadataURI` names (`ipfs://<cid>`) from the content store, when it is there
 * and hashes to `id`; undefined otherwise (another URI scheme, not stored, damaged or another file). A failed
 * chain read propagates (an unreachable node is not "no file"), and so does a failed fetch through the
 * store's gateway (`ContentStore` with a remote): its error names the gateway, the block and the fix.
 */
async function modelFileFromRegistryUri(
  client: PublicClient,
  registry: Address,
  content: ContentStore,
  id: Hex,
): Promise<Uint8Array | undefined> {
  const model = await client.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'getModel',
    args: [id],
  });
  const uri = model.metadataURI;
  if (!uri.startsWith('ipfs://')) return undefined;
  try {
    const bytes = await content.get(uri.slice('ipfs://'.length));
    return keccak256(bytes) === id ? bytes : undefined;
  } catch (error) {
    if (content.remote && !(error instanceof ContentNotFoundError || error instanceof ContentCorruptedError))
      throw error;
    return undefined;
  }
}
