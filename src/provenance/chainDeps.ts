import { dirname } from 'node:path';
import { type Address, type PublicClient, toHex } from 'viem';
import {
  aggregatorRoundOf,
  aggregatorV3InterfaceAbi,
  isContractRevert,
  medianOracleAbi,
  modelRegistryAbi,
  phasedAggregatorProxyAbi,
  phaseOf,
  provenanceNFTAbi,
  readManifest,
  readProvenForecast,
  scanLogs,
  toContractRevertError,
} from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';
import { rawCidFromDigest } from './metadataLink.js';
import type { ContentStore } from './store.js';
import type {
  ChainContext,
  ChainPosition,
  Hex,
  ModelApprovalEvent,
  TokenRecord,
  TokenVersionRecord,
  VerifyDependencies,
} from './verify.js';

export type ChainVerifyParameters = {
  client: PublicClient;
  nft: Address;
  registry: Address;
  content: ContentStore;
  loadModelFile: (modelId: Hex) => Promise<Uint8Array>;
  /**
   * Where the log scans (the NFT's and the registry's approval events) start: the suite's earliest
   * deployment block, not later than the registry's (default 0); read in provider-sized windows.
   */
  fromBlock?: bigint | undefined;
  /**
   * The deployment's oracle feeds (`oracle-feed` requires a manifest's feed to be one of them), e.g.
   * `Object.values(addresses.feeds)`. Default: the feeds of the deployment manifest in the state dir
   * the content store belongs to (`<stateDir>/deployments`, for the client's chain id).
   */
  oracleFeeds?: readonly Address[] | undefined;
  /**
   * Reads the guard's art policy snapshot at a block (the agent's `readArtPolicy` + `policySnapshotOf`),
   * so `policy-snapshot` is re-derived; without it that check is an informational skip.
   */
  policySnapshot?: VerifyDependencies['policySnapshot'];
};

/** The feeds of the deployment manifest of `stateDir` for `chainId`: external feeds and MedianOracles. */
export function deploymentFeeds(stateDir: string, chainId: number): Address[] {
  const manifest = readManifest(stateDir, chainId);
  const feeds = new Set<string>();
  for (const feed of Object.values(manifest.feeds ?? {})) feeds.add(feed.address.toLowerCase());
  for (const [name, contract] of Object.entries(manifest.contracts))
    if (name.startsWith('MedianOracle.')) feeds.add(contract.address.toLowerCase());
  return [...feeds] as Address[];
}

type RoundPublicationClient = Pick<PublicClient, 'getBlockNumber' | 'getContractEvents' | 'readContract'>;

/**
 * The aggregator of each (feed, phase) found so far, per client: a phase's aggregator never changes
 * once set. Only found aggregators are kept: a phase not started yet may start later in a long-running
 * process, and a failed read (a dead endpoint) is retried.
 */
const phaseAggregatorCache = new WeakMap<object, Map<string, Promise<Address | null>>>();

/**
 * The aggregator of `phase` on proxy `feed` (`phaseAggregators(phase)`, read with the devnet double's
 * ABI: the same signature as Chainlink's EACAggregatorProxy); null when the phase has no aggregator
 * (zero address) or the feed does not answer the call (no proxy).
 */
function phaseAggregator(client: RoundPublicationClient, feed: Hex, phase: number): Promise<Address | null> {
  let perClient = phaseAggregatorCache.get(client);
  if (!perClient) {
    perClient = new Map();
    phaseAggregatorCache.set(client, perClient);
  }
  const key = `${feed.toLowerCase()}:${phase}`;
  let hit = perClient.get(key);
  if (!hit) {
    hit = client
      .readContract({
        address: feed,
        abi: phasedAggregatorProxyAbi,
        functionName: 'phaseAggregators',
        args: [phase],
      })
      .then(
        (aggregator) => (BigInt(aggregator) === 0n ? null : aggregator),
        (error: unknown) => {
          // A feed without phaseAggregators (a MedianOracle) reverts: it is no proxy. Anything else
          // (a transport error) propagates.
          if (isContractRevert(error)) return null;
          throw error;
        },
      );
    const cache = perClient;
    cache.set(key, hit);
    const forget = () => cache.delete(key);
    hit.then((aggregator) => {
      if (!aggregator) forget();
    }, forget);
  }
  return hit;
}

/**
 * Where round `roundId` of `feed` was published: the first AnswerUpdated log for it (MedianOracle and
 * Chainlink aggregators emit it, roundId indexed), scanned from `fromBlock` in provider-sized windows;
 * undefined when no such log is found (never published, or published before `fromBlock`).
 *
 * A Chainlink proxy emits no AnswerUpdated: its round ids are `phaseId << 64 | aggregatorRoundId`, and
 * the phase's aggregator (`phaseAggregators(phaseId)` on the proxy) logs the round under its own id.
 * So a round id of 2^64 or more is looked up in the logs of the aggregator of its phase (read once per
 * feed and phase), under `roundId & (2^64 - 1)`. A feed that does not answer `phaseAggregators` is
 * scanned itself, as are all round ids below 2^64 (no extra call for a MedianOracle's rounds).
 */
export async function readRoundPublication(
  client: RoundPublicationClient,
  feed: Hex,
  roundId: bigint,
  fromBlock?: bigint | undefined,
): Promise<ChainPosition | undefined> {
  let address: Hex = feed;
  let logged = roundId;
  if (phaseOf(roundId) > 0n) {
    const phase = phaseOf(roundId);
    // uint80 round ids leave 16 bits for the phase; a larger id is no round of any feed.
    if (phase > 0xffffn) return undefined;
    const aggregator = await phaseAggregator(client, feed, Number(phase));
    if (aggregator) {
      address = aggregator;
      logged = aggregatorRoundOf(roundId);
    }
  }
  const logs = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address,
      abi: medianOracleAbi,
      eventName: 'AnswerUpdated',
      args: { roundId: logged },
      fromBlock: from,
      toBlock: to,
    }),
  );
  const first = logs[0];
  return first ? { blockNumber: first.blockNumber, logIndex: first.logIndex } : undefined;
}

/** A read the NFT refused because the token was never minted (OpenZeppelin's `_requireOwned`). */
function nonexistentToken(error: unknown): boolean {
  return toContractRevertError(error)?.errorName === 'ERC721NonexistentToken';
}

/** `read()`, or `undefined` when the NFT reverts with ERC721NonexistentToken; other errors propagate. */
async function unlessNonexistent<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (nonexistentToken(error)) return undefined;
    throw error;
  }
}

/**
 * Wires `verifyAsset` to a chain and a content store: token versions rebuilt from the Minted/Evolved
 * events (commitments = metadata digests: the token id for version 0, `Evolved.metadataDigest` after;
 * manifest CIDs from `manifestDigest`, the logged model id and the log's block; ProvenanceNFT stores
 * only a hash-chain head over the commitments, read with `versionChain` and checked as `chain-head`),
 * oracle rounds through AggregatorV3Interface, model approval at a version's block rebuilt from the
 * registry's ModelApproved/ModelRevoked events (no archive state needed). A token the NFT does not
 * know (ERC721NonexistentToken) reads as `{ exists: false, versions: [] }`. Anyone with an RPC
 * endpoint and the content can run it.
 */
/**
 * A token's on-chain record: its version chain, every version's commitment, manifest CID, model and log
 * position (from the NFT's Minted/Evolved logs), and its tokenURI. With `senderOf`, each version also
 * names the account that sent its transaction (one `getTransaction` per version: `verify`'s
 * `manifest-context` needs it; the agent evolving a token does not).
 */
export async function readTokenRecord(
  client: PublicClient,
  nft: Address,
  tokenId: bigint,
  options: { fromBlock?: bigint | undefined; senderOf?: (hash: Hex) => Promise<Hex> } = {},
): Promise<TokenRecord> {
  const [chain, minted, evolved, tokenUri] = await Promise.all([
    unlessNonexistent(
      client.readContract({
        address: nft,
        abi: provenanceNFTAbi,
        functionName: 'versionChain',
        args: [tokenId],
      }),
    ),
    scanLogs(client, { fromBlock: options.fromBlock }, (fromBlock, toBlock) =>
      client.getContractEvents({
        address: nft,
        abi: provenanceNFTAbi,
        eventName: 'Minted',
        args: { tokenId },
        fromBlock,
        toBlock,
      }),
    ),
    scanLogs(client, { fromBlock: options.fromBlock }, (fromBlock, toBlock) =>
      client.getContractEvents({
        address: nft,
        abi: provenanceNFTAbi,
        eventName: 'Evolved',
        args: { tokenId },
        fromBlock,
        toBlock,
      }),
    ),
    unlessNonexistent(
      client.readContract({
        address: nft,
        abi: provenanceNFTAbi,
        functionName: 'tokenURI',
        args: [tokenId],
      }),
    ),
  ]);
  if (chain === undefined) return { tokenId, exists: false, versions: [] };
  const [count, head] = chain;
  // Version 0's commitment (its metadata digest) is the token id; version n's is its Evolved log's
  // metadataDigest. Versions are contiguous: a missing log ends the list (and then `chain-head` fails
  // on the count).
  const genesis = minted[0];
  const senderOf = options.senderOf;
  const [genesisSender, ...evolvedSenders] = senderOf
    ? await Promise.all([
        genesis ? senderOf(genesis.transactionHash) : undefined,
        ...evolved.map((e) => senderOf(e.transactionHash)),
      ])
    : [];
  const senders = new Map(evolved.map((e, i) => [e, evolvedSenders[i]]));
  const versions: TokenVersionRecord[] = [
    {
      commitment: toHex(tokenId, { size: 32 }),
      ...(genesis
        ? {
            manifestCid: rawCidFromDigest(genesis.args.manifestDigest as Hex),
            modelId: genesis.args.modelId as Hex,
            blockNumber: genesis.blockNumber,
            logIndex: genesis.logIndex,
            ...(genesisSender ? { sender: genesisSender } : {}),
          }
        : {}),
    },
  ];
  const byVersion = new Map(evolved.map((e) => [Number(e.args.version), e]));
  for (let v = 1; byVersion.has(v); v += 1) {
    const e = byVersion.get(v)!;
    versions.push({
      commitment: e.args.metadataDigest as Hex,
      manifestCid: rawCidFromDigest(e.args.manifestDigest as Hex),
      modelId: e.args.modelId as Hex,
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      ...(senders.get(e) ? { sender: senders.get(e)! } : {}),
    });
  }
  return {
    tokenId,
    exists: true,
    versions,
    ...(tokenUri !== undefined ? { tokenUri } : {}),
    chain: { count: Number(count), head },
  };
}

export function chainVerifyDependencies(p: ChainVerifyParameters): VerifyDependencies {
  const { client, nft } = p;
  const approvalHistories = new Map<Hex, Promise<ModelApprovalEvent[]>>();
  /** Caches a successful read for the run (`verify --all` asks once per version); failures are retried. */
  const cache = new Map<string, Promise<unknown>>();
  function once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let hit = cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = read();
      cache.set(key, hit);
      hit.catch(() => cache.delete(key));
    }
    return hit;
  }
  /** The account that sent a log's transaction (the agent that minted or evolved). */
  const senderOf = (hash: Hex) =>
    once(`tx:${hash}`, async () => (await client.getTransaction({ hash })).from.toLowerCase() as Hex);
  async function readApprovalHistory(modelId: Hex): Promise<ModelApprovalEvent[]> {
    const scan = (eventName: 'ModelApproved' | 'ModelRevoked') =>
      scanLogs(client, { fromBlock: p.fromBlock }, (fromBlock, toBlock) =>
        client.getContractEvents({
          address: p.registry,
          abi: modelRegistryAbi,
          eventName,
          args: { modelId },
          fromBlock,
          toBlock,
        }),
      );
    const [approved, revoked] = await Promise.all([scan('ModelApproved'), scan('ModelRevoked')]);
    return [
      ...approved.map((l) => ({ approved: true, blockNumber: l.blockNumber, logIndex: l.logIndex })),
      ...revoked.map((l) => ({ approved: false, blockNumber: l.blockNumber, logIndex: l.logIndex })),
    ];
  }

  return {
    readTokenRecord: (tokenId: bigint) =>
      readTokenRecord(client, nft, tokenId, { fromBlock: p.fromBlock, senderOf }),
    async readRound(feed: Hex, roundId: bigint) {
      const r = await client.readContract({
        address: feed,
        abi: aggregatorV3InterfaceAbi,
        functionName: 'getRoundData',
        args: [roundId],
      });
      return { roundId: r[0], answer: r[1], updatedAt: r[3] };
    },
    chainContext: () =>
      once('context', async (): Promise<ChainContext> => {
        const [chainId, guard] = await Promise.all([
          client.getChainId(),
          client.readContract({ address: nft, abi: provenanceNFTAbi, functionName: 'guard' }),
        ]);
        return { chainId, nft: nft.toLowerCase() as Hex, guard: guard.toLowerCase() as Hex };
      }),
    oracleFeeds: () =>
      once('feeds', async () => {
        if (p.oracleFeeds) return p.oracleFeeds.map((f) => f.toLowerCase() as Hex);
        const stateDir = dirname(p.content.dir);
        const feeds = deploymentFeeds(stateDir, await client.getChainId());
        if (feeds.length === 0)
          throw new NonRetryableError(
            `No oracle feeds are known for this deployment (state dir ${stateDir}).`,
            {
              details:
                'Pass oracleFeeds to chainVerifyDependencies, or verify with the state dir that holds the deployment manifest.',
            },
          );
        return feeds as Hex[];
      }),
    readFeedDecimals: (feed: Hex) =>
      once(`decimals:${feed.toLowerCase()}`, () =>
        client.readContract({ address: feed, abi: aggregatorV3InterfaceAbi, functionName: 'decimals' }),
      ),
    roundPublication: (feed: Hex, roundId: bigint) =>
      once(`round:${feed.toLowerCase()}:${roundId}`, () =>
        readRoundPublication(client, feed, roundId, p.fromBlock),
      ),
    isModelApproved: (modelId: Hex) =>
      client.readContract({
        address: p.registry,
        abi: modelRegistryAbi,
        functionName: 'isApproved',
        args: [modelId],
      }),
    // `verify --all` asks once per version; the registry's history of a model is read once per run.
    modelApprovalHistory(modelId: Hex): Promise<ModelApprovalEvent[]> {
      const key = modelId.toLowerCase() as Hex;
      let history = approvalHistories.get(key);
      if (!history) {
        history = readApprovalHistory(key);
        approvalHistories.set(key, history);
        // A failed read (a dead endpoint) is not remembered: the next version asks again.
        history.catch(() => approvalHistories.delete(key));
      }
      return history;
    },
    loadModelFile: p.loadModelFile,
    loadContent: (cid: string) => p.content.get(cid),
    ...(p.policySnapshot ? { policySnapshot: p.policySnapshot } : {}),
    forecastProof: {
      readProvenForecast: (gate: Hex, modelId: Hex, proofId: Hex) =>
        readProvenForecast(client, gate, modelId, proofId),
      erc7007Verify: (prompt: Uint8Array, aigcData: Hex, proof: Hex) =>
        client.readContract({
          address: nft,
          abi: provenanceNFTAbi,
          functionName: 'verify',
          args: [toHex(prompt), aigcData, proof],
        }),
    },
  };
}

/** Every token id the NFT ever minted, from its Minted events. */
export async function mintedTokenIds(
  client: PublicClient,
  nft: Address,
  fromBlock?: bigint | undefined,
): Promise<bigint[]> {
  const logs = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: nft,
      abi: provenanceNFTAbi,
      eventName: 'Minted',
      fromBlock: from,
      toBlock: to,
    }),
  );
  return logs.map((l) => l.args.tokenId as bigint);
}
