import { CarWriter } from '@ipld/car';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';
import { concatBytes } from 'viem';
import { NonRetryableError } from '../errors/index.js';

/**
 * How bytes become a CID, as `ipfs add` (kubo) builds a UnixFS file:
 *
 * - `kubo-cidv1` (the project default) = `ipfs add --cid-version=1`: CIDv1, raw leaves (implied by
 *   --cid-version=1), fixed-size 256 KiB chunks, balanced DAG with at most 174 links per node, sha2-256,
 *   base32. A file of one chunk is a single raw block: its CID is `bafkrei…` = sha256 of the bytes.
 * - `kubo-cidv0` = plain `ipfs add` with kubo's defaults: CIDv0 (`Qm…`), leaves wrapped in UnixFS
 *   protobuf (dag-pb), same chunker and layout.
 */
export type CidProfile = 'kubo-cidv1' | 'kubo-cidv0';
export const DEFAULT_CID_PROFILE: CidProfile = 'kubo-cidv1';
export const CHUNK_SIZE = 262_144;
export const MAX_CHILDREN_PER_NODE = 174;

/** The `ipfs add` flags that reproduce a profile. */
export const KUBO_ADD_FLAGS: Record<CidProfile, string> = {
  'kubo-cidv1': '--cid-version=1 --raw-leaves --chunker=size-262144',
  'kubo-cidv0': '--cid-version=0 --chunker=size-262144',
};

export type Block = { cid: CID; bytes: Uint8Array };

export type ContentAddress = {
  /** Root CID, as `ipfs add` prints it. */
  cid: CID;
  /** Every block of the DAG, root last, in the order the importer wrote them (deduplicated). */
  blocks: Block[];
  size: number;
};

export class InvalidCidError extends NonRetryableError {
  override name = 'InvalidCidError';
  constructor(given: string, cause?: unknown) {
    super(`'${given}' is not a CID`, {
      details: 'Expected an IPFS CID such as bafkrei… (CIDv1, base32) or Qm… (CIDv0, base58btc).',
      cause,
    });
  }
}

export function parseCid(text: string): CID {
  try {
    return CID.parse(text);
  } catch (error) {
    throw new InvalidCidError(text, error);
  }
}

/** Computes the root CID and all blocks of `bytes` under a profile, in memory. */
export async function addBytes(
  bytes: Uint8Array,
  profile: CidProfile = DEFAULT_CID_PROFILE,
): Promise<ContentAddress> {
  const v1 = profile === 'kubo-cidv1';
  const blocks: Block[] = [];
  const seen = new Set<string>();
  const store = {
    put(cid: CID, block: Uint8Array) {
      const key = cid.toString();
      if (!seen.has(key)) {
        seen.add(key);
        blocks.push({ cid, bytes: block });
      }
      return cid;
    },
  };
  let root: CID | undefined;
  for await (const entry of importer([{ content: bytes }], store, {
    cidVersion: v1 ? 1 : 0,
    rawLeaves: v1,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
    layout: balanced({ maxChildrenPerNode: MAX_CHILDREN_PER_NODE }),
    blockWriteConcurrency: 1,
    fileImportConcurrency: 1,
  })) {
    root = entry.cid;
  }
  if (!root)
    throw new NonRetryableError('The UnixFS importer returned no root CID', {
      details: `${bytes.length} bytes`,
    });
  const rootKey = root.toString();
  const index = blocks.findIndex((b) => b.cid.toString() === rootKey);
  if (index >= 0 && index !== blocks.length - 1) blocks.push(...blocks.splice(index, 1));
  return { cid: root, blocks, size: bytes.length };
}

/** The root CID string of `bytes` (default profile: `ipfs add --cid-version=1`). */
export async function cidOf(bytes: Uint8Array, profile: CidProfile = DEFAULT_CID_PROFILE): Promise<string> {
  return (await addBytes(bytes, profile)).cid.toString();
}

/** The profile that produced a CID: v0 → kubo-cidv0, v1 → kubo-cidv1. */
export function profileOf(cid: CID | string): CidProfile {
  const parsed = typeof cid === 'string' ? parseCid(cid) : cid;
  return parsed.version === 0 ? 'kubo-cidv0' : 'kubo-cidv1';
}

/**
 * A CARv1 file holding `blocks` under `roots`, for any pinning service that accepts CAR uploads.
 * Blocks are written in the order given, each once.
 */
export async function exportCar(roots: CID[], blocks: Block[]): Promise<Uint8Array> {
  const { writer, out } = CarWriter.create(roots);
  const parts: Uint8Array[] = [];
  const collected = (async () => {
    for await (const part of out) parts.push(part);
  })();
  const written = new Set<string>();
  for (const block of blocks) {
    const key = block.cid.toString();
    if (written.has(key)) continue;
    written.add(key);
    await writer.put(block);
  }
  await writer.close();
  await collected;
  return concatBytes(parts);
}

/** One CAR with several files (e.g. image, metadata, manifest): roots in order, blocks merged. */
export async function exportFilesCar(files: ContentAddress[]): Promise<Uint8Array> {
  return exportCar(
    files.map((f) => f.cid),
    files.flatMap((f) => f.blocks),
  );
}

/** The binary form of a CID (for CIDv1 with sha2-256: 36 bytes), as ProvenanceNFT events carry it. */
export function cidToBytes(cid: string): Uint8Array {
  return parseCid(cid).bytes;
}

/** The string form of a binary CID. */
export function cidFromBytes(bytes: Uint8Array): string {
  try {
    return CID.decode(bytes).toString();
  } catch (error) {
    throw new InvalidCidError(`0x${Buffer.from(bytes).toString('hex')}`, error);
  }
}

/** The sha2-256 digest inside a CID, as 0x-hex (what ProvenanceNFT stores for the tokenURI). */
export function cidSha256Digest(cid: string): `0x${string}` {
  const parsed = parseCid(cid);
  if (parsed.multihash.code !== 0x12) {
    throw new InvalidCidError(
      cid,
      new Error(`multihash 0x${parsed.multihash.code.toString(16)} is not sha2-256`),
    );
  }
  return `0x${Buffer.from(parsed.multihash.digest).toString('hex')}`;
}
