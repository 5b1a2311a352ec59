import * as dagPb from '@ipld/dag-pb';
import { UnixFS } from 'ipfs-unixfs';
import { equals } from 'multiformats/bytes';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { concatBytes } from 'viem';
import { NonRetryableError } from '../errors/index.js';
import { addBytes, CHUNK_SIZE, parseCid, profileOf } from './cid.js';

/**
 * Reading UnixFS files (what `ipfs add` and `content export` produce) out of blocks that come from
 * somewhere untrusted: a CAR file or a public gateway, walked here (not with `ipfs-unixfs-exporter`, whose
 * walker leaves a failure two levels down as an unhandled rejection and walks on after the last byte):
 * every block is hashed against its CID (sha2-256 only) before it is decoded, a file's size and block
 * reads are capped, and the file read back is re-added with the root's profile and must give the root
 * CID again, so the bytes stored are exactly the ones the CID names.
 */

/** Largest file read out of a CAR or a gateway (64 MiB): artworks, metadata, manifests and model files are far smaller. */
export const MAX_IMPORT_FILE_BYTES = 64 * 1024 * 1024;
/** Largest block accepted (2 MiB, the trustless gateway's and bitswap's block limit; ours are ≤ 256 KiB). */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;
/**
 * Most block reads a file of at most `maxBytes` may take: `ipfs add` (either profile) makes one leaf per
 * 256 KiB chunk and fewer inner nodes than leaves, so twice the leaves plus the root is never reached by
 * a file the store could hold. A DAG that links blocks over and over (a small CAR can name billions of
 * reads) is refused at this count instead of being walked.
 */
export function maxBlocksFor(maxBytes: number): number {
  return 2 * Math.max(1, Math.ceil(maxBytes / CHUNK_SIZE)) + 1;
}
/** The sha2-256 multihash code: the only hash a block is accepted under. */
const SHA2_256 = 0x12;

const MULTIHASH_NAMES: Record<number, string> = {
  0: 'identity',
  17: 'sha1',
  18: 'sha2-256',
  19: 'sha2-512',
  20: 'sha3-512',
  22: 'sha3-256',
  27: 'keccak-256',
  30: 'blake3',
  45600: 'blake2b-256',
};
const CODEC_NAMES: Record<number, string> = {
  85: 'raw',
  112: 'dag-pb',
  113: 'dag-cbor',
  297: 'dag-json',
  512: 'json',
};
const hex = (code: number) => `0x${code.toString(16)}`;
const multihashName = (code: number) => MULTIHASH_NAMES[code] ?? hex(code);

/**
 * Where blocks come from. `get` returns the block's bytes as the source has them, unverified, or
 * undefined when the source does not have the block; `readDagFile` verifies them.
 */
export type BlockSource = {
  /** Names the source in messages (a CAR, a redacted gateway URL); never carries credentials. */
  readonly describe: string;
  /** What to do when a block is missing or wrong, appended to those errors. */
  readonly remedy?: string;
  get(cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array | undefined>;
};

const DEFAULT_REMEDY =
  'Get the content from another source: a CAR written by `provenant content export` (`provenant content import <file.car>`) or another IPFS gateway (--ipfs-gateway).';

/** A CID whose multihash is not sha2-256: its blocks cannot be checked the way every block here is. */
export class UnsupportedHashError extends NonRetryableError {
  override name = 'UnsupportedHashError';
  readonly cid: string;
  constructor(cid: string, code: number) {
    super(`CID ${cid} uses the ${multihashName(code)} multihash (${hex(code)}); only sha2-256 is accepted`, {
      details:
        'Every block read from a CAR or a gateway is hashed against its CID before use, and Provenant content is always sha2-256 (`ipfs add` default). Re-add the file with sha2-256.',
    });
    this.cid = cid;
  }
}

/** A block whose bytes do not hash to its CID: damaged in transit, or not the content the CID names. */
export class BlockMismatchError extends NonRetryableError {
  override name = 'BlockMismatchError';
  readonly cid: string;
  constructor(cid: string, actualDigest: Uint8Array, source: string, remedy: string = DEFAULT_REMEDY) {
    super(
      `Block ${cid} from ${source} does not match its CID: its bytes hash to sha2-256 ${Buffer.from(actualDigest).toString('hex')}`,
      { details: `The block was refused and nothing from its file was stored. ${remedy}` },
    );
    this.cid = cid;
  }
}

/** A block the source does not have. */
export class BlockMissingError extends NonRetryableError {
  override name = 'BlockMissingError';
  readonly cid: string;
  readonly root: string;
  constructor(root: string, cid: string, source: string, remedy: string = DEFAULT_REMEDY) {
    super(
      root === cid ? `File ${root} is not in ${source}` : `Block ${cid} of file ${root} is not in ${source}`,
      { details: `Nothing from the file was stored. ${remedy}` },
    );
    this.root = root;
    this.cid = cid;
  }
}

/** A block larger than `MAX_BLOCK_BYTES`. */
export class BlockTooLargeError extends NonRetryableError {
  override name = 'BlockTooLargeError';
  readonly cid: string;
  constructor(cid: string, size: number, source: string, limit: number = MAX_BLOCK_BYTES) {
    super(`Block ${cid} from ${source} is ${size} bytes or more, over the ${limit}-byte block limit`, {
      details: `UnixFS files from \`ipfs add\` use blocks of at most 256 KiB; a larger block is refused before it is hashed. ${DEFAULT_REMEDY}`,
    });
    this.cid = cid;
  }
}

/** A file over `MAX_IMPORT_FILE_BYTES`. */
export class FileTooLargeError extends NonRetryableError {
  override name = 'FileTooLargeError';
  readonly cid: string;
  constructor(cid: string, size: bigint, limit: number) {
    super(`File ${cid} is ${size} bytes, over the ${limit}-byte (${limit / 1024 / 1024} MiB) import limit`, {
      details:
        'Provenant content (images, metadata, manifests, model files) is far smaller; this CID names something else. Nothing was stored.',
    });
    this.cid = cid;
  }
}

/** A DAG that needs more block reads than any file `ipfs add` makes of the capped size (`maxBlocksFor`). */
export class TooManyBlocksError extends NonRetryableError {
  override name = 'TooManyBlocksError';
  readonly cid: string;
  constructor(cid: string, limit: number, maxBytes: number) {
    super(
      `File ${cid} needs more than ${limit} block reads, more than any file \`ipfs add\` makes of at most ${maxBytes} bytes`,
      {
        details:
          'Its DAG links blocks over and over (or was not built by `ipfs add`), so it was not walked further. Nothing was stored.',
      },
    );
    this.cid = cid;
  }
}

/** A root that is not a UnixFS file (a directory, a dag-cbor object, a malformed node). */
export class NotAFileError extends NonRetryableError {
  override name = 'NotAFileError';
  readonly cid: string;
  constructor(cid: string, what: string, cause?: unknown) {
    super(`${cid} is not a UnixFS file: ${what}`, {
      details:
        'The content store holds whole files as `ipfs add` makes them (raw or dag-pb blocks); pass the CID of a file, not of a directory or another IPLD object. Nothing was stored.',
      cause,
    });
    this.cid = cid;
  }
}

/** The bytes read under a root re-add to another CID: another chunker, layout or CID profile. */
export class ContentProfileMismatchError extends NonRetryableError {
  override name = 'ContentProfileMismatchError';
  readonly cid: string;
  readonly actual: string;
  constructor(cid: string, actual: string, profile: string) {
    super(
      `File ${cid} re-adds to ${actual} under the ${profile} profile: it was built with another chunking or DAG layout`,
      {
        details:
          'Its blocks verified, but the content store keys a file by the CID `ipfs add` would print for its bytes (docs/provenance.md#content), so it cannot be stored under this CID. Add the file again with `ipfs add --cid-version=1` (or plain `ipfs add` for Qm… CIDs) and use that CID. Nothing was stored.',
      },
    );
    this.cid = cid;
    this.actual = actual;
  }
}

/** Refuses a CID whose multihash is not sha2-256 (by name) or whose codec is not raw/dag-pb. */
function assertImportableCid(cid: CID): void {
  if (cid.multihash.code !== SHA2_256) throw new UnsupportedHashError(cid.toString(), cid.multihash.code);
  if (cid.code !== 0x55 && cid.code !== 0x70)
    throw new NotAFileError(
      cid.toString(),
      `its codec is ${CODEC_NAMES[cid.code] ?? hex(cid.code)}, not raw or dag-pb`,
    );
}

/**
 * The block `cid` from `source`, verified: sha2-256 only, at most `MAX_BLOCK_BYTES`, bytes hashing to the
 * CID's digest. A missing block is a `BlockMissingError` naming `root` and `cid`.
 */
async function verifiedBlock(
  source: BlockSource,
  root: CID,
  cid: CID,
  options: { signal?: AbortSignal } = {},
): Promise<Uint8Array> {
  if (cid.multihash.code !== SHA2_256) throw new UnsupportedHashError(cid.toString(), cid.multihash.code);
  const bytes = await source.get(cid, options);
  if (!bytes) throw new BlockMissingError(root.toString(), cid.toString(), source.describe, source.remedy);
  if (bytes.length > MAX_BLOCK_BYTES)
    throw new BlockTooLargeError(cid.toString(), bytes.length, source.describe);
  const digest = (await sha256.digest(bytes)).digest;
  if (!equals(digest, cid.multihash.digest))
    throw new BlockMismatchError(cid.toString(), digest, source.describe, source.remedy);
  return bytes;
}

export type ReadDagFileOptions = {
  /** Default `MAX_IMPORT_FILE_BYTES`. */
  maxBytes?: number;
  /** Most block reads (default `maxBlocksFor(maxBytes)`). */
  maxBlocks?: number;
  /** Blocks fetched at once (default 4); 1 reads strictly in order. */
  concurrency?: number;
  signal?: AbortSignal;
};

/**
 * The whole file under `root`, read from blocks of `source`, each verified against its CID
 * (`verifiedBlock`) before it is decoded, and walked in order here (dag-pb nodes with `@ipld/dag-pb`,
 * their UnixFS data with `ipfs-unixfs`). The declared size is checked against the cap before any leaf is
 * read, the bytes read are counted too, and so are the block reads (`maxBlocksFor`). Every read is
 * awaited here: a failure anywhere in the DAG is this call's error, and nothing is read after it settles.
 * Then the bytes are re-added with the root's profile (`profileOf`: v1 raw leaves, v0 dag-pb leaves) and
 * must give `root` again (`ContentProfileMismatchError` otherwise), so the result is exactly what
 * `ContentStore.put` would key under `root`.
 */
export async function readDagFile(
  root: CID | string,
  source: BlockSource,
  options: ReadDagFileOptions = {},
): Promise<Uint8Array> {
  const rootCid = typeof root === 'string' ? parseCid(root) : root;
  const rootText = rootCid.toString();
  const maxBytes = options.maxBytes ?? MAX_IMPORT_FILE_BYTES;
  const maxBlocks = options.maxBlocks ?? maxBlocksFor(maxBytes);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  assertImportableCid(rootCid);
  // Cancels the reads still in flight (a gateway's requests) once this call has settled.
  const abort = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
  let reads = 0;
  const read = async (cid: CID): Promise<Uint8Array> => {
    if (++reads > maxBlocks) throw new TooManyBlocksError(rootText, maxBlocks, maxBytes);
    return verifiedBlock(source, rootCid, cid, { signal });
  };
  const parts: Uint8Array[] = [];
  let total = 0;
  const emit = (part: Uint8Array) => {
    total += part.length;
    if (total > maxBytes) throw new FileTooLargeError(rootText, BigInt(total), maxBytes);
    if (part.length > 0) parts.push(part);
  };
  const walk = async (cid: CID, block: Uint8Array): Promise<void> => {
    if (cid.code === raw.code) {
      emit(block);
      return;
    }
    const isRoot = cid.equals(rootCid);
    const where = isRoot ? 'it' : `its block ${cid}`;
    let node: dagPb.PBNode;
    let unixfs: UnixFS;
    try {
      node = dagPb.decode(block);
      if (!node.Data) throw new Error('no UnixFS data');
      unixfs = UnixFS.unmarshal(node.Data);
    } catch (error) {
      throw new NotAFileError(rootText, `${where} is not a UnixFS node (${(error as Error).message})`, error);
    }
    if (unixfs.type !== 'file' && unixfs.type !== 'raw')
      throw new NotAFileError(rootText, `${where} is a UnixFS ${unixfs.type}`);
    if (isRoot && unixfs.fileSize() > BigInt(maxBytes))
      throw new FileTooLargeError(rootText, unixfs.fileSize(), maxBytes);
    if (node.Links.length !== unixfs.blockSizes.length)
      throw new NotAFileError(
        rootText,
        `${where} has ${node.Links.length} links but ${unixfs.blockSizes.length} block sizes`,
      );
    for (const link of node.Links)
      if (link.Hash.code !== raw.code && link.Hash.code !== dagPb.code)
        throw new NotAFileError(
          rootText,
          `${where} links to ${link.Hash}, whose codec is ${CODEC_NAMES[link.Hash.code] ?? hex(link.Hash.code)}`,
        );
    if (unixfs.data) emit(unixfs.data);
    for await (const child of inOrder(
      node.Links.map((l) => l.Hash),
      read,
      concurrency,
    ))
      await walk(child.cid, child.bytes);
  };
  try {
    await walk(rootCid, await read(rootCid));
    const bytes = concatBytes(parts);
    const profile = profileOf(rootCid);
    const again = (await addBytes(bytes, profile)).cid.toString();
    if (again !== rootText) throw new ContentProfileMismatchError(rootText, again, profile);
    return bytes;
  } finally {
    abort.abort();
  }
}

/**
 * The blocks `cids` through `read`, in order, at most `concurrency` in flight (and so in memory) at
 * once. Every read's failure is caught here (none is left unhandled) and the first is thrown in order;
 * no read starts once the caller stops iterating (`readDagFile` then aborts those in flight).
 */
async function* inOrder(
  cids: CID[],
  read: (cid: CID) => Promise<Uint8Array>,
  concurrency: number,
): AsyncGenerator<{ cid: CID; bytes: Uint8Array }> {
  type Settled = { cid: CID; bytes: Uint8Array; error?: undefined } | { cid: CID; error: unknown };
  const pending: Promise<Settled>[] = [];
  let next = 0;
  const start = () => {
    const cid = cids[next++] as CID;
    pending.push(
      read(cid).then(
        (bytes) => ({ cid, bytes }),
        (error: unknown) => ({ cid, error: error ?? new Error('read failed') }),
      ),
    );
  };
  while (next < cids.length && pending.length < concurrency) start();
  for (let settled = await pending.shift(); settled; settled = await pending.shift()) {
    if (settled.error !== undefined) throw settled.error;
    if (next < cids.length) start();
    yield settled as { cid: CID; bytes: Uint8Array };
  }
}
