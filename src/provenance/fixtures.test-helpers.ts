import { readFileSync } from 'node:fs';
import { keccak256, toHex } from 'viem';
import { parseModelFile } from '../models/index.js';
import type {
  RenderAssetParameters,
  RenderedAsset,
  RoundData,
  TokenRecord,
  VerifyDependencies,
} from './index.js';
import { renderAsset } from './index.js';
import { versionChainHead } from './verify.js';

export const MODEL_BYTES = new Uint8Array(
  readFileSync(new URL('../../models/generator-v1.json', import.meta.url)),
);
export const MODEL = parseModelFile(MODEL_BYTES);
export const MODEL_ID = keccak256(MODEL_BYTES);
export const FEED = '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419' as const;
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
    chainId: 31337,
    contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
    ...(tokenId !== undefined ? { tokenId } : {}),
    version,
    nonce: NONCE,
    oracle: { feed: FEED, decimals: 8, rounds },
    forecast: { returnPpm: 12_500 },
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
 * An in-memory world shaped like ProvenanceNFT: one token (id = keccak256 of its genesis manifest)
 * with two versions, its content, the oracle rounds and the model registry.
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
      { commitment: toHex(tokenId, { size: 32 }), manifestCid: v0.manifestAddress.cid.toString() },
      {
        commitment: v1.commitment,
        manifestCid: v1.manifestAddress.cid.toString(),
        parentCommitment: v0.commitment,
      },
    ],
    tokenUri: `ipfs://${v1.metadataAddress.cid.toString()}`,
    chain: { count: 2, head: versionChainHead([toHex(tokenId, { size: 32 }), v1.commitment]) },
  };
  const models = new Map<string, Uint8Array>([[MODEL_ID, MODEL_BYTES]]);
  const approved = new Set<string>([MODEL_ID]);
  const deps: VerifyDependencies = {
    readTokenRecord: async (id) => (id === record.tokenId ? record : { tokenId: id, versions: [] }),
    readRound: async (feed, roundId) => {
      const round = feed === FEED ? rounds.get(roundId) : undefined;
      if (!round) throw new Error(`no round ${roundId} on ${feed}`);
      return round;
    },
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
  return { tokenId, v0, v1, content, rounds, record, models, approved, deps };
}
