import { sha256 } from 'viem';
import {
  type ArtworkMetadata,
  artSeed,
  artworkMetadata,
  artworkMetadataBytes,
  fixedToPpm,
  GENERATOR_ALGORITHM,
  type MarketState,
  type ModelFile,
  marketStateFromRounds,
  modelId,
  type OracleRound,
  renderArtwork,
} from '../models/index.js';
import { addBytes, type ContentAddress } from './cid.js';
import {
  InvalidManifestError,
  MANIFEST_FORMAT,
  type Manifest,
  manifestBytes,
  versionCommitment,
} from './manifest.js';
import { rawBlockAddress } from './metadataLink.js';

export type DerivedOutputs = {
  png: Uint8Array;
  image: ContentAddress;
  metadata: ArtworkMetadata;
  metadataBytes: Uint8Array;
  metadataAddress: ContentAddress;
  seed: `0x${string}`;
};

export type DeriveOutputsParameters = {
  /** 32-byte latent seed: `artSeed(nonce, salt)`. */
  seed: `0x${string}`;
  version: number;
  marketState: MarketState;
  width: number;
  height: number;
  /** The CID of the manifest the metadata names (`"provenance":"ipfs://<manifestCid>"`). */
  manifestCid: string;
  /**
   * The image CID the metadata points at. Defaults to the CID of the rendered PNG; the verifier
   * passes the manifest's declared CID so that image and metadata are checked independently.
   */
  imageCid?: string;
};

type RenderedImage = {
  png: Uint8Array;
  image: ContentAddress;
  seed: `0x${string}`;
  width: number;
  height: number;
};

/** The PNG of a render and its CID (the image may span several blocks: it is named by the manifest). */
async function renderImage(
  model: ModelFile,
  p: Pick<DeriveOutputsParameters, 'seed' | 'marketState' | 'width' | 'height'>,
): Promise<RenderedImage> {
  const art = renderArtwork(model, {
    seed: p.seed,
    marketState: p.marketState,
    width: p.width,
    height: p.height,
  });
  const image = await addBytes(art.png);
  return { png: art.png, image, seed: art.seed, width: art.width, height: art.height };
}

/** The metadata of a render: derived from the image, the model and the manifest it names. */
async function metadataOf(
  model: ModelFile,
  art: RenderedImage,
  p: Pick<DeriveOutputsParameters, 'version' | 'marketState' | 'manifestCid' | 'imageCid'>,
): Promise<Pick<DerivedOutputs, 'metadata' | 'metadataBytes' | 'metadataAddress'>> {
  const metadata = artworkMetadata({
    version: p.version,
    imageCid: p.imageCid ?? art.image.cid.toString(),
    modelId: modelId(model),
    modelName: model.name,
    modelVersion: model.version,
    seed: art.seed,
    marketState: p.marketState,
    width: art.width,
    height: art.height,
    manifestCid: p.manifestCid,
  });
  const metadataBytes = artworkMetadataBytes(metadata);
  const metadataAddress = await rawBlockAddress('metadata', metadataBytes);
  return { metadata, metadataBytes, metadataAddress };
}

/**
 * Re-runnable core of a render: PNG bytes, the metadata naming `manifestCid`, and both CIDs. Throws
 * `ContentExceedsRawBlockError` when the metadata does not fit one raw block.
 */
export async function deriveOutputs(model: ModelFile, p: DeriveOutputsParameters): Promise<DerivedOutputs> {
  const art = await renderImage(model, p);
  const meta = await metadataOf(model, art, p);
  return { png: art.png, image: art.image, seed: art.seed, ...meta };
}

export type RenderAssetParameters = {
  chainId: number;
  contract?: `0x${string}`;
  /**
   * Omitted for the mint (version 0): on ProvenanceNFT the token id is `uint256(sha256(genesis metadata
   * bytes))` (the genesis commitment), returned as `tokenId`. Required for updates (version ≥ 1, with
   * `parent`).
   */
  tokenId?: bigint;
  /** 0 for a mint; k for the k-th update. */
  version: number;
  /**
   * Chosen by the agent at mint (e.g. its intent key), 0x-hex; with `salt` it fixes the seed. Updates
   * reuse the mint's nonce and salt so the token keeps its latent identity.
   */
  nonce: `0x${string}`;
  oracle: { feed: `0x${string}`; decimals: number; rounds: OracleRound[] };
  forecast?: { returnPpm: number; modelId?: `0x${string}` };
  salt?: `0x${string}`;
  width?: number;
  height?: number;
  agent: `0x${string}`;
  policy: { guard?: `0x${string}`; snapshot: Record<string, string | number | boolean> };
  /**
   * The previous version (null for a mint): its manifest CID and its on-chain commitment (the sha2-256
   * digest of its metadata; version 0's is the token id).
   */
  parent: { manifestCid: string; commitment: `0x${string}` } | null;
  /** Version of the Provenant code that rendered, e.g. the package version or git describe. */
  codeVersion: string;
  /**
   * How the forecast input is proven; default `replay`. A `groth16` proof names the forecast the zk gate
   * recorded, and `forecast` must then be that forecast (`returnPpm = fixedToPpm(outputs[0], scaleBits)`).
   */
  proof?: Manifest['proof'];
};

export type RenderedAsset = DerivedOutputs & {
  /** The token id: given for updates; `BigInt(commitment)` for a mint. */
  tokenId: bigint;
  manifest: Manifest;
  manifestBytes: Uint8Array;
  /** The manifest's raw CIDv1 (sha2-256): the metadata names it as `provenance`. */
  manifestAddress: ContentAddress;
  /** sha256(manifestBytes), 0x: the digest of `manifestAddress`, logged in Minted/Evolved. */
  manifestDigest: `0x${string}`;
  /**
   * sha256(metadataBytes), 0x: the version's 32-byte on-chain commitment (the digest of
   * `metadataAddress`); for a mint, the token id.
   */
  commitment: `0x${string}`;
};

/**
 * Renders an asset and writes its provenance, in the order the hashes need: market state from the
 * oracle rounds, the PNG and its CID, the manifest (naming the image, not the metadata) and its CID,
 * then the metadata naming the manifest, its CID and the commitment (its digest). Pure: nothing is
 * stored. Throws `ContentExceedsRawBlockError` when the manifest or the metadata does not fit one raw
 * IPFS block (the NFT names both by raw CIDv1 digest).
 */
export async function renderAsset(model: ModelFile, p: RenderAssetParameters): Promise<RenderedAsset> {
  if ((p.version === 0) !== (p.tokenId === undefined) || (p.version === 0) !== (p.parent === null)) {
    throw new InvalidManifestError(
      `version ${p.version} with tokenId ${p.tokenId === undefined ? 'omitted' : p.tokenId} and parent ${p.parent ? 'given' : 'null'}`,
      ['a mint (version 0) has no tokenId and no parent; an update (version ≥ 1) has both'],
    );
  }
  if (p.proof?.kind === 'groth16') {
    const expected = fixedToPpm(BigInt(p.proof.outputs[0]!), p.proof.scaleBits);
    if (
      p.forecast?.returnPpm !== expected ||
      p.forecast.modelId?.toLowerCase() !== p.proof.forecastProof.modelId
    ) {
      throw new InvalidManifestError(
        `a groth16 proof names forecast ${expected} ppm of model ${p.proof.forecastProof.modelId}, but the render used ${p.forecast?.returnPpm ?? 'no'} ppm of ${p.forecast?.modelId ?? 'no model'}`,
        [
          'render with forecast { returnPpm: fixedToPpm(outputs[0], scaleBits), modelId: forecastProof.modelId }',
        ],
      );
    }
  }
  const marketState = marketStateFromRounds(p.oracle.rounds, p.oracle.decimals, p.forecast);
  const salt = (p.salt ?? '0x').toLowerCase() as `0x${string}`;
  const nonce = p.nonce.toLowerCase() as `0x${string}`;
  const seed = artSeed(nonce, salt);
  const width = p.width ?? 512;
  const height = p.height ?? 512;
  const art = await renderImage(model, { seed, marketState, width, height });
  const sortedRounds = [...p.oracle.rounds].sort((a, b) =>
    a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0,
  );
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    kind: 'nft-render',
    chainId: p.chainId,
    asset: {
      ...(p.contract ? { contract: p.contract.toLowerCase() } : {}),
      ...(p.tokenId !== undefined ? { tokenId: p.tokenId.toString() } : {}),
      version: p.version,
    },
    model: {
      id: modelId(model),
      kind: 'generator',
      name: model.name,
      version: model.version,
      algorithm: String(model.metadata.algorithm ?? GENERATOR_ALGORITHM),
    },
    code: { version: p.codeVersion },
    inputs: {
      oracle: {
        feed: p.oracle.feed.toLowerCase(),
        decimals: p.oracle.decimals,
        rounds: sortedRounds.map((r) => ({
          roundId: r.roundId.toString(),
          answer: r.answer.toString(),
          updatedAt: r.updatedAt.toString(),
        })),
      },
      ...(p.forecast
        ? {
            forecast: {
              returnPpm: p.forecast.returnPpm,
              ...(p.forecast.modelId ? { modelId: p.forecast.modelId.toLowerCase() } : {}),
            },
          }
        : {}),
    },
    marketState,
    parameters: { width, height, nonce, salt, seed },
    outputs: {
      image: { cid: art.image.cid.toString(), mediaType: 'image/png', size: art.png.length },
    },
    proof: p.proof ?? { kind: 'replay' },
    agent: p.agent.toLowerCase(),
    policy: {
      ...(p.policy.guard ? { guard: p.policy.guard.toLowerCase() } : {}),
      snapshot: p.policy.snapshot,
    },
    parent: p.parent,
  };
  const bytes = manifestBytes(manifest);
  const manifestAddress = await rawBlockAddress('manifest', bytes);
  const meta = await metadataOf(model, art, {
    version: p.version,
    marketState,
    manifestCid: manifestAddress.cid.toString(),
  });
  const commitment = versionCommitment(meta.metadataBytes);
  return {
    png: art.png,
    image: art.image,
    seed: art.seed,
    ...meta,
    tokenId: p.tokenId ?? BigInt(commitment),
    manifest,
    manifestBytes: bytes,
    manifestAddress,
    manifestDigest: sha256(bytes),
    commitment,
  };
}
