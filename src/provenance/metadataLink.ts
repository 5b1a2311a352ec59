import { CID } from 'multiformats/cid';
import * as Digest from 'multiformats/hashes/digest';
import { hexToBytes } from 'viem';
import { NonRetryableError } from '../errors/index.js';
import {
  type ArtworkMetadata,
  artworkMetadata,
  artworkMetadataBytes,
  type MarketState,
} from '../models/index.js';
import { addBytes, CHUNK_SIZE, type ContentAddress, parseCid } from './cid.js';
import type { Manifest } from './manifest.js';

const RAW = 0x55;
const SHA2_256 = 0x12;

/**
 * A file ProvenanceNFT names by a raw CIDv1 digest (a manifest or a metadata JSON) is larger than one raw
 * IPFS block, so its real CID would be a dag-pb root, not `bafkrei…` + sha2-256 of its bytes.
 */
export class ContentExceedsRawBlockError extends NonRetryableError {
  override name = 'ContentExceedsRawBlockError';
  constructor(what: string, size: number) {
    super(`The ${what} is ${size} bytes, more than one raw IPFS block (${CHUNK_SIZE} bytes).`, {
      details: `ProvenanceNFT names the ${what} by the sha2-256 digest of a raw CIDv1 block, which holds at most ${CHUNK_SIZE} bytes; a larger file is chunked by IPFS and gets a dag-pb CID the digest cannot name. Render with fewer oracle rounds in the window or a smaller policy snapshot, or shorten the metadata.`,
      docsPath: 'docs/provenance.md#content',
    });
  }
}

/**
 * The content address of a file the NFT names by raw CIDv1 (sha2-256): one raw block, `bafkrei…`.
 * Throws `ContentExceedsRawBlockError` when `bytes` do not fit one block.
 */
export async function rawBlockAddress(what: string, bytes: Uint8Array): Promise<ContentAddress> {
  if (bytes.length > CHUNK_SIZE) throw new ContentExceedsRawBlockError(what, bytes.length);
  return addBytes(bytes, 'kubo-cidv1');
}

/**
 * The raw CIDv1 (sha2-256, base32 `bafkrei…`) of a 32-byte digest: how ProvenanceNFT names a manifest
 * (`manifestDigest`) and a version's metadata (its commitment).
 */
export function rawCidFromDigest(digest: `0x${string}`): string {
  return CID.createV1(RAW, Digest.create(SHA2_256, hexToBytes(digest))).toString();
}

/** True when `cid` is a CIDv1, codec raw, sha2-256: the only CIDs ProvenanceNFT names. */
export function isRawSha256Cid(cid: string): boolean {
  try {
    const parsed = parseCid(cid);
    return (
      parsed.version === 1 &&
      parsed.code === RAW &&
      parsed.multihash.code === SHA2_256 &&
      parsed.multihash.size === 32 &&
      parsed.toString() === cid
    );
  } catch {
    return false;
  }
}

export class InvalidMetadataError extends NonRetryableError {
  override name = 'InvalidMetadataError';
  constructor(problem: string, source?: string) {
    super(`Invalid token metadata${source ? ` ${source}` : ''}: ${problem}`, {
      details:
        'A version\'s metadata is canonical JSON (UTF-8) with a "provenance" member "ipfs://<manifest CID>" naming its provenance manifest by raw CIDv1 (bafkrei…); its sha2-256 digest is the version\'s on-chain commitment.',
      docsPath: 'docs/provenance.md#content-model',
    });
  }
}

/**
 * Reads the manifest a version's metadata names: the bytes must be UTF-8 JSON, an object whose
 * `provenance` member is `ipfs://<raw CIDv1 sha2-256>`. Canonical form is not checked here (the
 * `metadata-bytes` check compares the whole bytes with the ones re-derived from the manifest).
 */
export function parseMetadataProvenance(
  bytes: Uint8Array,
  source?: string,
): { metadata: Record<string, unknown>; manifestCid: string } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InvalidMetadataError(`not valid UTF-8 (${bytes.length} bytes)`, source);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidMetadataError(`not JSON (${(error as Error).message})`, source);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidMetadataError('not a JSON object', source);
  const metadata = value as Record<string, unknown>;
  const provenance = metadata.provenance;
  if (typeof provenance !== 'string')
    throw new InvalidMetadataError(
      provenance === undefined
        ? 'no "provenance" member: it names no manifest'
        : `"provenance" is a ${typeof provenance}, not an ipfs:// URI`,
      source,
    );
  const manifestCid = provenance.startsWith('ipfs://') ? provenance.slice('ipfs://'.length) : undefined;
  if (manifestCid === undefined || !isRawSha256Cid(manifestCid))
    throw new InvalidMetadataError(
      `"provenance" is ${JSON.stringify(provenance)}, not ipfs:// followed by a raw CIDv1 (sha2-256, base32 bafkrei…)`,
      source,
    );
  return { metadata, manifestCid };
}

/**
 * The metadata a manifest's render has, derived from the manifest alone (its image CID, model
 * description, seed, market state and size) and the manifest's CID: what the agent committed, when the
 * manifest is honest. `verify` re-derives it with the model file instead (`deriveOutputs`); this is for
 * finding a version from its manifest (`verify --manifest`) without rendering.
 */
export function metadataFromManifest(
  manifest: Manifest,
  manifestCid: string,
): { metadata: ArtworkMetadata; bytes: Uint8Array } {
  const metadata = artworkMetadata({
    version: manifest.asset.version,
    imageCid: manifest.outputs.image.cid,
    modelId: manifest.model.id as `0x${string}`,
    modelName: manifest.model.name,
    modelVersion: manifest.model.version,
    seed: manifest.parameters.seed as `0x${string}`,
    marketState: manifest.marketState as MarketState,
    width: manifest.parameters.width,
    height: manifest.parameters.height,
    manifestCid,
  });
  return { metadata, bytes: artworkMetadataBytes(metadata) };
}
