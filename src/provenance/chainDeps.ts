import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { type Address, hexToBytes, type PublicClient, toHex } from 'viem';
import {
  aggregatorV3InterfaceAbi,
  forecastProofGateAbi,
  modelRegistryAbi,
  provenanceNFTAbi,
  scanLogs,
} from '../chain/index.js';
import type { ContentStore } from './store.js';
import type { Hex, TokenRecord, TokenVersionRecord, VerifyDependencies } from './verify.js';

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
  /** Where the log scans start: the NFT's deployment block (default 0); read in provider-sized windows. */
  fromBlock?: bigint | undefined;
};

/**
 * Wires `verifyAsset` to a chain and a content store: token versions rebuilt from the Minted/Evolved
 * events (commitments and manifest CIDs; ProvenanceNFT stores only a hash-chain head over the
 * commitments, read with `versionChain` and checked as `chain-head`), oracle rounds through
 * AggregatorV3Interface, model approval from the registry. Anyone with an RPC endpoint and the
 * content can run it.
 */
export function chainVerifyDependencies(p: ChainVerifyParameters): VerifyDependencies {
  const { client, nft } = p;
  return {
    async readTokenRecord(tokenId: bigint): Promise<TokenRecord> {
      const [[count, head], minted, evolved, tokenUri] = await Promise.all([
        client.readContract({
          address: nft,
          abi: provenanceNFTAbi,
          functionName: 'versionChain',
          args: [tokenId],
        }),
        scanLogs(client, { fromBlock: p.fromBlock }, (fromBlock, toBlock) =>
          client.getContractEvents({
            address: nft,
            abi: provenanceNFTAbi,
            eventName: 'Minted',
            args: { tokenId },
            fromBlock,
            toBlock,
          }),
        ),
        scanLogs(client, { fromBlock: p.fromBlock }, (fromBlock, toBlock) =>
          client.getContractEvents({
            address: nft,
            abi: provenanceNFTAbi,
            eventName: 'Evolved',
            args: { tokenId },
            fromBlock,
            toBlock,
          }),
        ),
        client.readContract({
          address: nft,
          abi: provenanceNFTAbi,
          functionName: 'tokenURI',
          args: [tokenId],
        }),
      ]);
      // Version 0's commitment is the token id; version n's is in its Evolved log. Versions are
      // contiguous: a missing log ends the list (and then `chain-head` fails on the count).
      const genesis = minted[0];
      const versions: TokenVersionRecord[] = [
        {
          commitment: toHex(tokenId, { size: 32 }),
          ...(genesis ? { manifestCid: rawCidFromDigest(genesis.args.manifestDigest as Hex) } : {}),
        },
      ];
      const byVersion = new Map(evolved.map((e) => [Number(e.args.version), e.args]));
      for (let v = 1; byVersion.has(v); v += 1) {
        const e = byVersion.get(v)!;
        versions.push({
          commitment: e.manifestCommitment as Hex,
          manifestCid: rawCidFromDigest(e.manifestDigest as Hex),
        });
      }
      return { tokenId, versions, tokenUri, chain: { count: Number(count), head } };
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
    forecastProof: {
      async readProvenForecast(gate: Hex, modelId: Hex, proofId: Hex) {
        const r = await client.readContract({
          address: gate,
          abi: forecastProofGateAbi,
          functionName: 'provenForecast',
          args: [modelId, proofId],
        });
        return {
          output0: BigInt(r.output0),
          output1: BigInt(r.output1),
          lastRoundId: BigInt(r.lastRoundId),
          provenAt: BigInt(r.provenAt),
        };
      },
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
