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
import { InvalidManifestError, type Manifest, manifestBytes, manifestCommitment } from './manifest.js';

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
  /**
   * The image CID the metadata points at. Defaults to the CID of the rendered PNG; the verifier
   * passes the manifest's declared CID so that image and metadata are checked independently.
   */
  imageCid?: string;
};

/** Re-runnable core of a render: PNG bytes, metadata bytes and both CIDs. */
export async function deriveOutputs(model: ModelFile, p: DeriveOutputsParameters): Promise<DerivedOutputs> {
  const art = renderArtwork(model, {
    seed: p.seed,
    marketState: p.marketState,
    width: p.width,
    height: p.height,
  });
  const image = await addBytes(art.png);
  const metadata = artworkMetadata({
    version: p.version,
    imageCid: p.imageCid ?? image.cid.toString(),
    modelId: modelId(model),
    modelName: model.name,
    modelVersion: model.version,
    seed: art.seed,
    marketState: p.marketState,
    width: art.width,
    height: art.height,
  });
  const metadataBytes = artworkMetadataBytes(metadata);
  const metadataAddress = await addBytes(metadataBytes);
  return { png: art.png, image, metadata, metadataBytes, metadataAddress, seed: art.seed };
}

export type RenderAssetParameters = {
  chainId: number;
  contract?: `0x${string}`;
  /**
   * Omitted for the mint (version 0): on ProvenanceNFT the token id is `uint256(keccak256(genesis
   * manifest bytes))`, returned as `tokenId`. Required for updates (version ≥ 1, with `parent`).
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
  /** The token id: given for updates; `uint256(commitment)` for a mint. */
  tokenId: bigint;
  manifest: Manifest;
  manifestBytes: Uint8Array;
  manifestAddress: ContentAddress;
  /** keccak256(manifestBytes): the 32-byte on-chain commitment. */
  commitment: `0x${string}`;
};

/**
 * Renders an asset and writes its provenance: market state from the oracle rounds, the PNG, the
 * metadata JSON, their CIDs, and the manifest with its CID and commitment. Pure: nothing is stored.
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
  const derived = await deriveOutputs(model, { seed, version: p.version, marketState, width, height });
  const sortedRounds = [...p.oracle.rounds].sort((a, b) =>
    a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0,
  );
  const manifest: Manifest = {
    format: 'provenant-manifest/1',
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
      image: { cid: derived.image.cid.toString(), mediaType: 'image/png', size: derived.png.length },
      metadata: { cid: derived.metadataAddress.cid.toString(), mediaType: 'application/json' },
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
  const manifestAddress = await addBytes(bytes);
  const commitment = manifestCommitment(bytes);
  return {
    ...derived,
    tokenId: p.tokenId ?? BigInt(commitment),
    manifest,
    manifestBytes: bytes,
    manifestAddress,
    commitment,
  };
}
