import { createHash } from 'node:crypto';
import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { type PreparedCall, prepareCall, provenanceNFTAbi } from '../../chain/index.js';
import type { ContentStore, RenderedAsset } from '../../provenance/index.js';

/**
 * The NFT calls of an artwork, shared by the art strategy and `provenant art mint|evolve`: CIDs cross
 * the ABI as sha2-256 digests, and an evolve's idempotency key is derived from its manifest commitment.
 */
const sha256 = (bytes: Uint8Array): Hex => `0x${createHash('sha256').update(bytes).digest('hex')}`;

/** Stores the image, the metadata and the manifest (before the transaction); returns the manifest CID. */
export async function storeAsset(content: ContentStore, asset: RenderedAsset): Promise<string> {
  await content.put(asset.png);
  await content.put(asset.metadataBytes);
  return content.put(asset.manifestBytes);
}

/** `ProvenanceNFT.mint` of a rendered version 0; `nonce` is also the intent key. */
export function artMintCall(
  nft: Address,
  p: { to: Address; modelId: Hex; nonce: Hex; asset: RenderedAsset },
): PreparedCall {
  return prepareCall({
    address: nft,
    abi: provenanceNFTAbi,
    functionName: 'mint',
    args: [
      p.to,
      p.modelId,
      p.asset.commitment,
      p.nonce,
      sha256(p.asset.manifestBytes),
      sha256(p.asset.metadataBytes),
    ],
    label: `mint art (${p.asset.manifest.marketState.regime})`,
  });
}

/** `ProvenanceNFT.evolve` of a rendered version `parentVersion + 1`, with its intent key. */
export function artEvolveCall(
  nft: Address,
  p: { tokenId: bigint; parentVersion: number; modelId: Hex; asset: RenderedAsset },
): { call: PreparedCall; key: Hex } {
  const call = prepareCall({
    address: nft,
    abi: provenanceNFTAbi,
    functionName: 'evolve',
    args: [
      p.tokenId,
      BigInt(p.parentVersion),
      p.modelId,
      p.asset.commitment,
      sha256(p.asset.manifestBytes),
      sha256(p.asset.metadataBytes),
    ],
    label: `evolve art v${p.parentVersion + 1}`,
  });
  const key = keccak256(
    encodeAbiParameters([{ type: 'string' }, { type: 'bytes32' }], ['art-evolve', p.asset.commitment]),
  );
  return { call, key };
}
