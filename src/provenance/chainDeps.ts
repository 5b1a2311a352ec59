import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { type Address, hexToBytes, type PublicClient } from 'viem';
import { aggregatorV3InterfaceAbi, modelRegistryAbi, provenanceNFTAbi } from '../chain/index.js';
import type { ContentStore } from './store.js';
import type { Hex, TokenRecord, VerifyDependencies } from './verify.js';

const RAW = 0x55;
const SHA2_256 = 0x12;

/** The CIDv1 (raw leaves, sha2-256) whose digest ProvenanceNFT carries in its events and storage. */
export function rawCidFromDigest(digest: Hex): string {
  return CID.createV1(RAW, Digest.create(SHA2_256, hexToBytes(digest))).toString();
}

export type ChainVerifyParameters = {
  client: PublicClient;
  nft: Address;
  registry: Address;
  content: ContentStore;
  loadModelFile: (modelId: Hex) => Promise<Uint8Array>;
};

/**
 * Wires `verifyAsset` to a chain and a content store: token versions from `versionAt` and the
 * Minted/Evolved events (manifest CIDs), oracle rounds through AggregatorV3Interface, model approval
 * from the registry. Anyone with an RPC endpoint and the content can run it.
 */
export function chainVerifyDependencies(p: ChainVerifyParameters): VerifyDependencies {
  const { client, nft } = p;
  return {
    async readTokenRecord(tokenId: bigint): Promise<TokenRecord> {
      const count = await client.readContract({
        address: nft,
        abi: provenanceNFTAbi,
        functionName: 'versionCount',
        args: [tokenId],
      });
      const [minted, evolved, tokenUri] = await Promise.all([
        client.getContractEvents({
          address: nft,
          abi: provenanceNFTAbi,
          eventName: 'Minted',
          args: { tokenId },
          fromBlock: 0n,
        }),
        client.getContractEvents({
          address: nft,
          abi: provenanceNFTAbi,
          eventName: 'Evolved',
          args: { tokenId },
          fromBlock: 0n,
        }),
        client.readContract({
          address: nft,
          abi: provenanceNFTAbi,
          functionName: 'tokenURI',
          args: [tokenId],
        }),
      ]);
      const cids = new Map<number, string>();
      for (const e of minted) cids.set(0, rawCidFromDigest(e.args.manifestDigest as Hex));
      for (const e of evolved)
        cids.set(Number(e.args.version), rawCidFromDigest(e.args.manifestDigest as Hex));
      const versions = [];
      for (let i = 0n; i < count; i++) {
        const [commitment, parentCommitment] = await client.readContract({
          address: nft,
          abi: provenanceNFTAbi,
          functionName: 'versionAt',
          args: [tokenId, i],
        });
        const manifestCid = cids.get(Number(i));
        versions.push({
          commitment,
          ...(manifestCid ? { manifestCid } : {}),
          ...(i > 0n ? { parentCommitment } : {}),
        });
      }
      return { tokenId, versions, tokenUri };
    },
    async readRound(feed: Hex, roundId: bigint) {
      const r = await client.readContract({
        address: feed,
        abi: aggregatorV3InterfaceAbi,
        functionName: 'getRoundData',
        args: [roundId],
      });
      return { roundId: r[0], answer: r[1], updatedAt: r[3] };
    },
    isModelApproved: (modelId: Hex) =>
      client.readContract({
        address: p.registry,
        abi: modelRegistryAbi,
        functionName: 'isApproved',
        args: [modelId],
      }),
    loadModelFile: p.loadModelFile,
    loadContent: (cid: string) => p.content.get(cid),
  };
}

/** Every token id the NFT ever minted, from its Minted events. */
export async function mintedTokenIds(client: PublicClient, nft: Address): Promise<bigint[]> {
  const logs = await client.getContractEvents({
    address: nft,
    abi: provenanceNFTAbi,
    eventName: 'Minted',
    fromBlock: 0n,
  });
  return logs.map((l) => l.args.tokenId as bigint);
}
