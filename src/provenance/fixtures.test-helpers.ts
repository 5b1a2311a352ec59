import { readFileSync } from 'node:fs';
import { keccak256, sha256, toHex } from 'viem';
import { artworkMetadataBytes, canonicalJson, parseModelFile } from '../models/index.js';
import type {
  ChainPosition,
  Manifest,
  RenderAssetParameters,
  RenderedAsset,
  RoundData,
  TokenRecord,
  VerifyDependencies,
  VerifyReport,
} from './index.js';
import { addBytes, manifestBytes, renderAsset } from './index.js';
import { versionChainHead } from './verify.js';

export const MODEL_BYTES = new Uint8Array(
  readFileSync(new URL('../../models/generator-v1.json', import.meta.url)),
);
export const MODEL = parseModelFile(MODEL_BYTES);
export const MODEL_ID = keccak256(MODEL_BYTES);
export const FEED = '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419' as const;
/** The fixture's chain, NFT, guard and agent (as `baseParams` names them), lowercased as a manifest records them. */
export const CHAIN_ID = 31337;
export const NFT = '0x5fbdb2315678afecb367f032d93f642f64180aa3' as const;
export const GUARD = '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' as const;
export const AGENT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as const;
/** The agent's intent key of the mint, used as the art nonce. */
export const NONCE = keccak256(new TextEncoder().encode('provenant/intent/epoch-12/art-0'));

export const ROUNDS: RoundData[] = [
  { roundId: 18446744073709551617n, answer: 7_512_000_000n, updatedAt: 1_700_000_000n },
  { roundId: 18446744073709551618n, answer: 7_431_000_000n, updatedAt: 1_700_003_600n },
  { roundId: 18446744073709551619n, answer: 7_598_500_000n, updatedAt: 1_700_007_200n },
  { roundId: 18446744073709551620n, answer: 7_620_250_000n, updatedAt: 1_700_010_800n },
];

export function baseParams(
  version: number,
  rounds: RoundData[],
  parent: RenderAssetParameters['parent'],
  tokenId?: bigint,
): RenderAssetParameters {
  return {
    chainId: CHAIN_ID,
    contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    ...(tokenId !== undefined ? { tokenId } : {}),
    version,
    nonce: NONCE,
    oracle: { feed: FEED, decimals: 8, rounds },
    // No forecast: a forecast must name its forecaster (forecast-replay), which needs 21 rounds.
    salt: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    width: 64,
    height: 64,
    agent: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    policy: {
      guard: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      snapshot: { epochCap: 10, minUpdateInterval: 3600, paused: false },
    },
    parent,
    codeVersion: '0.1.0',
  };
}

/**
 * The in-memory chain's reads besides the token record: chain 31337 with the fixture's NFT and guard,
 * one oracle feed (FEED, 8 decimals) whose rounds are `rounds` and whose round publications are
 * `published` (`feed:roundId` -> position; a test may edit both), and any other feed in `rounds` is a
 * contract the deployment does not know.
 */
function chainReads(
  rounds: Map<string, Map<bigint, RoundData>>,
  published: Map<string, ChainPosition>,
): Pick<
  Required<VerifyDependencies>,
  'readRound' | 'chainContext' | 'oracleFeeds' | 'readFeedDecimals' | 'roundPublication'
> {
  return {
    readRound: async (feed, roundId) => {
      const round = rounds.get(feed.toLowerCase())?.get(roundId);
      // What MedianOracle does for a round it never had: revert OracleRoundNotFound(roundId).
      if (!round) throw new Error(`execution reverted: OracleRoundNotFound(${roundId}) on ${feed}`);
      return round;
    },
    chainContext: async () => ({ chainId: CHAIN_ID, nft: NFT, guard: GUARD }),
    oracleFeeds: async () => [FEED],
    readFeedDecimals: async (feed) => {
      if (!rounds.has(feed.toLowerCase())) throw new Error(`execution reverted: no contract at ${feed}`);
      return 8;
    },
    roundPublication: async (feed, roundId) => published.get(`${feed.toLowerCase()}:${roundId}`),
  };
}

/**
 * An in-memory world shaped like ProvenanceNFT: one token (id = sha256 of its genesis metadata)
 * with two versions (v0 minted in block 100, v1 evolved in block 200, both sent by AGENT), its
 * content, the oracle rounds (ROUNDS[0..2] published in blocks 10–30, ROUNDS[3] in block 150) and
 * the model registry.
 */
export async function makeWorld() {
  const v0 = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
  const tokenId = v0.tokenId;
  const v1 = await renderAsset(
    MODEL,
    baseParams(
      1,
      ROUNDS.slice(1, 4),
      { manifestCid: v0.manifestAddress.cid.toString(), commitment: v0.commitment },
      tokenId,
    ),
  );
  const content = new Map<string, Uint8Array>();
  const putAsset = (a: RenderedAsset) => {
    content.set(a.image.cid.toString(), a.png);
    content.set(a.metadataAddress.cid.toString(), a.metadataBytes);
    content.set(a.manifestAddress.cid.toString(), a.manifestBytes);
  };
  putAsset(v0);
  putAsset(v1);
  const rounds = new Map(ROUNDS.map((r) => [r.roundId, { ...r }]));
  const record: TokenRecord = {
    tokenId,
    versions: [
      {
        commitment: toHex(tokenId, { size: 32 }),
        manifestCid: v0.manifestAddress.cid.toString(),
        blockNumber: 100n,
        logIndex: 2,
        sender: AGENT,
      },
      {
        commitment: v1.commitment,
        manifestCid: v1.manifestAddress.cid.toString(),
        parentCommitment: v0.commitment,
        blockNumber: 200n,
        logIndex: 1,
        sender: AGENT,
      },
    ],
    tokenUri: `ipfs://${v1.metadataAddress.cid.toString()}`,
    chain: { count: 2, head: versionChainHead([toHex(tokenId, { size: 32 }), v1.commitment]) },
  };
  const models = new Map<string, Uint8Array>([[MODEL_ID, MODEL_BYTES]]);
  const approved = new Set<string>([MODEL_ID]);
  const published = new Map<string, ChainPosition>(
    ROUNDS.map((r, i) => [
      `${FEED}:${r.roundId}`,
      { blockNumber: i < 3 ? 10n * BigInt(i + 1) : 150n, logIndex: 0 },
    ]),
  );
  const deps: VerifyDependencies = {
    readTokenRecord: async (id) => (id === record.tokenId ? record : { tokenId: id, versions: [] }),
    ...chainReads(new Map([[FEED, rounds]]), published),
    isModelApproved: async (id) => approved.has(id),
    loadModelFile: async (id) => {
      const bytes = models.get(id);
      if (!bytes) throw new Error(`model ${id} not found`);
      return bytes;
    },
    loadContent: async (cid) => {
      const bytes = content.get(cid);
      if (!bytes) throw new Error(`content ${cid} not found`);
      return bytes;
    },
  };
  return { tokenId, v0, v1, content, rounds, published, record, models, approved, deps };
}

export type MintWorldOptions = {
  /** Edits the honest render parameters before rendering. */
  params?: (p: RenderAssetParameters) => void;
  /** Edits the rendered manifest (re-encoded canonically, so it stays a valid manifest). */
  manifest?: (m: Manifest) => void;
  /** Replaces the manifest bytes entirely (e.g. a BOM-prefixed copy). */
  bytes?: (canonical: Uint8Array) => Uint8Array;
  /**
   * Replaces the committed metadata bytes. Default: the honest render's metadata naming the (possibly
   * edited) manifest by its CID, as an agent that committed that manifest would.
   */
  metadata?: (honest: Uint8Array, manifestCid: string) => Uint8Array;
  /** Extra oracle contracts on the chain (not the deployment's): feed address -> rounds. */
  feeds?: Record<string, RoundData[]>;
};

/**
 * An in-memory chain holding ONE minted token (block 100, sent by AGENT) whose committed manifest a
 * test chooses: rendered from the honest fixture parameters (rounds ROUNDS[0..2], no forecast), then
 * optionally edited and re-encoded canonically; the committed metadata names it (token id = sha256 of
 * that metadata; the Minted log records the manifest's digest). The chain is honest about what it
 * holds: the commitment is what was minted, the rounds are the oracle's (ROUNDS[0..2] published in blocks
 * 10–30, ROUNDS[3] in block 200, after the mint), the model was approved in block 50. Only the
 * manifest's claims vary.
 */
export async function mintWorld(options: MintWorldOptions = {}) {
  const params = baseParams(0, ROUNDS.slice(0, 3), null);
  options.params?.(params);
  const asset = await renderAsset(MODEL, params);
  let bytes: Uint8Array = asset.manifestBytes;
  if (options.manifest) {
    const copy = structuredClone(asset.manifest);
    options.manifest(copy);
    bytes = manifestBytes(copy);
  }
  if (options.bytes) bytes = options.bytes(bytes);
  const manifestCid = (await addBytes(bytes)).cid.toString();
  const honestMetadata = artworkMetadataBytes({ ...asset.metadata, provenance: `ipfs://${manifestCid}` });
  const metadataBytes = options.metadata ? options.metadata(honestMetadata, manifestCid) : honestMetadata;
  const metadataCid = (await addBytes(metadataBytes)).cid.toString();
  const commitment = sha256(metadataBytes);
  const tokenId = BigInt(commitment);
  const content = new Map<string, Uint8Array>([
    [asset.image.cid.toString(), asset.png],
    [metadataCid, metadataBytes],
    [manifestCid, bytes],
  ]);
  const record: TokenRecord = {
    tokenId,
    exists: true,
    versions: [
      {
        commitment: toHex(tokenId, { size: 32 }),
        manifestCid,
        modelId: MODEL_ID,
        blockNumber: 100n,
        logIndex: 2,
        sender: AGENT,
      },
    ],
    tokenUri: `ipfs://${metadataCid}`,
    chain: { count: 1, head: versionChainHead([toHex(tokenId, { size: 32 })]) },
  };
  const rounds = new Map<string, Map<bigint, RoundData>>();
  rounds.set(FEED, new Map(ROUNDS.map((r) => [r.roundId, { ...r }])));
  const published = new Map<string, ChainPosition>(
    ROUNDS.map((r, i) => [
      `${FEED}:${r.roundId}`,
      { blockNumber: i < 3 ? 10n * BigInt(i + 1) : 200n, logIndex: 0 },
    ]),
  );
  for (const [feed, feedRounds] of Object.entries(options.feeds ?? {})) {
    rounds.set(feed.toLowerCase(), new Map(feedRounds.map((r) => [r.roundId, { ...r }])));
    for (const [i, r] of feedRounds.entries())
      published.set(`${feed.toLowerCase()}:${r.roundId}`, { blockNumber: 10n * BigInt(i + 1), logIndex: 0 });
  }
  const deps: VerifyDependencies = {
    readTokenRecord: async (id) => (id === tokenId ? record : { tokenId: id, exists: false, versions: [] }),
    ...chainReads(rounds, published),
    isModelApproved: async (id) => id === MODEL_ID,
    modelApprovalHistory: async (id) =>
      id === MODEL_ID ? [{ approved: true, blockNumber: 50n, logIndex: 0 }] : [],
    loadModelFile: async (id) => {
      if (id !== MODEL_ID) throw new Error(`model ${id} not found`);
      return MODEL_BYTES;
    },
    loadContent: async (cid) => {
      const found = content.get(cid);
      if (!found) throw new Error(`content ${cid} not found`);
      return found;
    },
  };
  return {
    asset,
    bytes,
    manifestCid,
    metadataBytes,
    metadataCid,
    commitment,
    tokenId,
    record,
    deps,
    content,
    published,
  };
}

/** Names of the failed checks. */
export const failing = (report: VerifyReport) =>
  report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
/** Names and statuses of every check that did not pass. */
export const notPassing = (report: VerifyReport) =>
  report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}:${c.status}`);

/** Canonical metadata bytes of a JSON value (keys sorted, no whitespace), e.g. an edited metadata object. */
export const metadataJsonBytes = (value: unknown) => new TextEncoder().encode(canonicalJson(value));
