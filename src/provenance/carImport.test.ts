import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as dagPb from '@ipld/dag-pb';
import { importer } from 'ipfs-unixfs-importer';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { identity } from 'multiformats/hashes/identity';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { flipByte, leavesOf, noisePng } from './importFixtures.test-helpers.js';
import {
  addBytes,
  type Block,
  BlockMismatchError,
  BlockMissingError,
  type CarImportResult,
  ContentProfileMismatchError,
  ContentStore,
  exportCar,
  exportFilesCar,
  FileTooLargeError,
  InvalidCarError,
  importCar,
  MAX_IMPORT_FILE_BYTES,
  maxBlocksFor,
  readDagFile,
  TooManyBlocksError,
  UnsupportedHashError,
} from './index.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'provenant-car-import-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

const text = (s: string) => new TextEncoder().encode(s);
const PNG_BYTES = noisePng();
const METADATA = text('{"name":"Market art #1","image":"ipfs://…"}');
const MANIFEST = text('{"format":"provenant/manifest@1","asset":{"version":0}}');

const summary = (results: CarImportResult[]) =>
  results.map((r) => `${r.cid} ${r.status}${r.status === 'failed' ? ` ${r.error.name}` : ` ${r.bytes}`}`);

describe('importCar', () => {
  test('default: a content export (multi-block PNG, metadata, manifest, a CIDv0 file) imports into an empty store with the same CIDs', async () => {
    const files = [
      await addBytes(PNG_BYTES),
      await addBytes(METADATA),
      await addBytes(MANIFEST),
      await addBytes(PNG_BYTES, 'kubo-cidv0'),
    ];
    expect(files[0]?.blocks.length).toBe(4); // 3 leaves + root: the PNG is ~640 KB
    expect(files[3]?.cid.toString()).toMatch(/^Qm/);
    const car = await exportFilesCar(files);
    const store = new ContentStore(stateDir);
    const first = await importCar(store, car);
    expect(summary(first.results)).toEqual([
      `${files[0]?.cid} imported ${PNG_BYTES.length}`,
      `${files[1]?.cid} imported ${METADATA.length}`,
      `${files[2]?.cid} imported ${MANIFEST.length}`,
      `${files[3]?.cid} imported ${PNG_BYTES.length}`,
    ]);
    expect(await store.list()).toEqual(files.map((f) => f.cid.toString()).sort());
    expect(await store.get(files[0]?.cid.toString() ?? '')).toEqual(PNG_BYTES);
    expect(await store.get(files[3]?.cid.toString() ?? '')).toEqual(PNG_BYTES);
    expect(await store.get(files[2]?.cid.toString() ?? '')).toEqual(MANIFEST);
    // Again: everything is already there.
    const again = await importCar(store, car);
    expect(again.results.map((r) => r.status)).toEqual(['present', 'present', 'present', 'present']);
  });

  test('behavior: a stored copy that no longer matches its CID is replaced by the verified bytes and reported as replaced', async () => {
    const files = [await addBytes(METADATA), await addBytes(MANIFEST)];
    const store = new ContentStore(stateDir);
    const metadataCid = await store.put(METADATA);
    await store.put(MANIFEST);
    await writeFile(store.pathOf(metadataCid), text('{"name":"edited"}'));
    const { results } = await importCar(store, await exportFilesCar(files));
    expect(summary(results)).toEqual([
      `${metadataCid} replaced ${METADATA.length}`,
      `${files[1]?.cid} present ${MANIFEST.length}`,
    ]);
    expect(await store.get(metadataCid)).toEqual(METADATA);
  });

  test('behavior: a CAR with one block changed refuses that file naming the block, and imports the others', async () => {
    const png = await addBytes(PNG_BYTES);
    const metadata = await addBytes(METADATA);
    const leaf = leavesOf(png)[1] as Block;
    const blocks = [...png.blocks, ...metadata.blocks].map((b) =>
      b.cid.equals(leaf.cid) ? { cid: b.cid, bytes: flipByte(b.bytes) } : b,
    );
    const car = await exportCar([png.cid, metadata.cid], blocks);
    const store = new ContentStore(stateDir);
    const { results } = await importCar(store, car);
    expect(summary(results)).toEqual([
      `${png.cid} failed BlockMismatchError`,
      `${metadata.cid} imported ${METADATA.length}`,
    ]);
    const failed = results[0] as Extract<CarImportResult, { status: 'failed' }>;
    expect(failed.error).toBeInstanceOf(BlockMismatchError);
    expect(failed.error.shortMessage).toContain(`Block ${leaf.cid} from the CAR file does not match its CID`);
    expect(await store.list()).toEqual([metadata.cid.toString()]);
  });

  test('behavior: a changed single-block file (its root) is refused naming the root', async () => {
    const metadata = await addBytes(METADATA);
    const car = await exportCar([metadata.cid], [{ cid: metadata.cid, bytes: flipByte(METADATA, 3) }]);
    const store = new ContentStore(stateDir);
    const { results } = await importCar(store, car);
    expect(summary(results)).toEqual([`${metadata.cid} failed BlockMismatchError`]);
    expect(await store.list()).toEqual([]);
  });

  test('behavior: a CAR missing a leaf block refuses that file naming the root and the missing block', async () => {
    const png = await addBytes(PNG_BYTES);
    const manifest = await addBytes(MANIFEST);
    const missing = leavesOf(png)[2] as Block;
    const car = await exportCar(
      [png.cid, manifest.cid],
      [...png.blocks, ...manifest.blocks].filter((b) => !b.cid.equals(missing.cid)),
    );
    const store = new ContentStore(stateDir);
    const { results } = await importCar(store, car);
    expect(summary(results)).toEqual([
      `${png.cid} failed BlockMissingError`,
      `${manifest.cid} imported ${MANIFEST.length}`,
    ]);
    const failed = results[0] as Extract<CarImportResult, { status: 'failed' }>;
    expect(failed.error).toBeInstanceOf(BlockMissingError);
    expect(failed.error.shortMessage).toBe(`Block ${missing.cid} of file ${png.cid} is not in the CAR file`);
    expect(await store.has(png.cid.toString())).toBe(false);
  });

  test('behavior: bytes that are not a CAR are refused with a clear error', async () => {
    const store = new ContentStore(stateDir);
    const notCar = importCar(store, text('{"this":"is JSON, not a CAR"}'));
    await expect(notCar).rejects.toThrow(InvalidCarError);
    await expect(notCar).rejects.toThrow(/^Not a CAR file: /);
    await expect(importCar(store, new Uint8Array(0))).rejects.toThrow(InvalidCarError);
    expect(await store.list()).toEqual([]);
  });

  test('behavior: a root under another multihash than sha2-256 is refused by name', async () => {
    const cid = CID.createV1(raw.code, identity.digest(METADATA));
    const car = await exportCar([cid], [{ cid, bytes: METADATA }]);
    const { results } = await importCar(new ContentStore(stateDir), car);
    const failed = results[0] as Extract<CarImportResult, { status: 'failed' }>;
    expect(failed.error).toBeInstanceOf(UnsupportedHashError);
    expect(failed.error.shortMessage).toBe(
      `CID ${cid} uses the identity multihash (0x0); only sha2-256 is accepted`,
    );
  });

  test('behavior: a file built with another chunker verifies block by block but is refused naming both CIDs', async () => {
    const blocks: Block[] = [];
    let root: CID | undefined;
    for await (const entry of importer(
      [{ content: PNG_BYTES }],
      {
        put: (cid: CID, bytes: Uint8Array) => {
          blocks.push({ cid, bytes });
          return cid;
        },
      },
      { cidVersion: 1, rawLeaves: true, chunker: fixedSize({ chunkSize: 100_000 }) },
    ))
      root = entry.cid;
    if (!root) throw new Error('no root');
    const car = await exportCar([root], blocks);
    const { results } = await importCar(new ContentStore(stateDir), car);
    const failed = results[0] as Extract<CarImportResult, { status: 'failed' }>;
    expect(failed.error).toBeInstanceOf(ContentProfileMismatchError);
    const kubo = (await addBytes(PNG_BYTES)).cid.toString();
    expect(failed.error.shortMessage).toBe(
      `File ${root} re-adds to ${kubo} under the kubo-cidv1 profile: it was built with another chunking or DAG layout`,
    );
  });
});

describe('readDagFile', () => {
  test('behavior: a file over the size cap is refused before its leaves are read', async () => {
    const png = await addBytes(PNG_BYTES);
    const asked: string[] = [];
    const source = {
      describe: 'a test map',
      get: async (cid: CID) => {
        asked.push(cid.toString());
        return png.blocks.find((b) => b.cid.equals(cid))?.bytes;
      },
    };
    await expect(readDagFile(png.cid, source, { maxBytes: 300_000 })).rejects.toThrow(FileTooLargeError);
    await expect(readDagFile(png.cid, source, { maxBytes: 300_000 })).rejects.toThrow(
      `File ${png.cid} is ${PNG_BYTES.length} bytes, over the 300000-byte`,
    );
    expect(asked).toEqual([png.cid.toString(), png.cid.toString()]);
    expect(await readDagFile(png.cid, source)).toEqual(PNG_BYTES);
  });
});

/** A sha2-256 block of `codec` (raw or dag-pb) over `bytes`. */
async function blockOf(codec: number, bytes: Uint8Array): Promise<Block> {
  return { cid: CID.createV1(codec, await sha256.digest(bytes)), bytes };
}

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 0x80)) out.push((n % 0x80) | 0x80);
  out.push(n);
  return out;
};

/** A dag-pb UnixFS file node (protobuf written by hand: Type=File, filesize, blocksizes) whose links declare the given sizes. */
async function fileNode(links: { cid: CID; size: number }[]): Promise<Block> {
  const total = links.reduce((n, l) => n + l.size, 0);
  const data = new Uint8Array([
    0x08,
    2,
    0x18,
    ...varint(total),
    ...links.flatMap((l) => [0x20, ...varint(l.size)]),
  ]);
  const bytes = dagPb.encode({ Data: data, Links: links.map((l) => ({ Hash: l.cid, Tsize: l.size })) });
  return blockOf(dagPb.code, bytes);
}

/** A source over a Map of blocks that counts every `get`. */
function countingSource(blocks: Block[]) {
  const map = new Map(blocks.map((b) => [b.cid.toString(), b.bytes]));
  const counter = { gets: 0 };
  const source = {
    describe: 'a test map',
    get: async (cid: CID) => {
      counter.gets++;
      return map.get(cid.toString());
    },
  };
  return { source, counter };
}

describe('readDagFile: DAGs no `ipfs add` makes', () => {
  test('behavior: a small DAG that links one 1-byte leaf 40,000 times is refused after a bounded number of block reads', async () => {
    // 40 KB declared (under every cap), 3 distinct blocks, but 200 × 200 links: a kubo file of that size
    // has 1 block. Before the fix every link was fetched and hashed (40,201 reads), then refused.
    const leaf = await blockOf(raw.code, new Uint8Array([97]));
    const inner = await fileNode(Array.from({ length: 200 }, () => ({ cid: leaf.cid, size: 1 })));
    const root = await fileNode(Array.from({ length: 200 }, () => ({ cid: inner.cid, size: 200 })));
    const { source, counter } = countingSource([leaf, inner, root]);
    const error = await readDagFile(root.cid, source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyBlocksError);
    expect((error as TooManyBlocksError).shortMessage).toMatch(
      new RegExp(`^File ${root.cid} needs more than \\d+ block reads`),
    );
    expect(counter.gets).toBeLessThanOrEqual(maxBlocksFor(MAX_IMPORT_FILE_BYTES) + 1);
  });

  test('behavior: nothing is read from the source after readDagFile has settled (no walk left running)', async () => {
    // One data byte, then 300 zero-size links at the file's end to a node of 300 more: the exporter
    // keeps walking them after the last byte. Before the fix, a CAR of 5 KB went on for 90,000 reads after
    // the refusal (fan-out 5,000 at depth 2: a 660 KB CAR kept `content import` at 100 % CPU for good).
    const empty = await blockOf(raw.code, new Uint8Array(0));
    const zero = await fileNode(Array.from({ length: 300 }, () => ({ cid: empty.cid, size: 0 })));
    const data = await blockOf(raw.code, new Uint8Array([97]));
    const root = await fileNode([
      { cid: data.cid, size: 1 },
      ...Array.from({ length: 300 }, () => ({ cid: zero.cid, size: 0 })),
    ]);
    const { source, counter } = countingSource([empty, zero, data, root]);
    await expect(readDagFile(root.cid, source)).rejects.toThrow(/^(File|Block)/);
    const settled = counter.gets;
    await new Promise((done) => setImmediate(done));
    await new Promise((done) => setTimeout(done, 20));
    expect(counter.gets - settled).toBe(0);
    expect(settled).toBeLessThanOrEqual(maxBlocksFor(MAX_IMPORT_FILE_BYTES) + 1);
  });

  test('default: a 64 MiB-class kubo file stays far under the block-read limit', () => {
    // 64 MiB = 256 leaves of 256 KiB + 2 inner nodes + the root (174 links per node).
    expect(maxBlocksFor(MAX_IMPORT_FILE_BYTES)).toBeGreaterThanOrEqual(256 + 2 + 1);
    expect(maxBlocksFor(0)).toBeGreaterThanOrEqual(1);
  });
});

describe('readDagFile: failures deep in the DAG', () => {
  /** root → ["hello ", inner → ["world"]]: two levels of dag-pb (no `ipfs add` layout; re-adds to another CID). */
  async function twoLevels() {
    const hello = await blockOf(raw.code, text('hello '));
    const world = await blockOf(raw.code, text('world'));
    const inner = await fileNode([{ cid: world.cid, size: 5 }]);
    const root = await fileNode([
      { cid: hello.cid, size: 6 },
      { cid: inner.cid, size: 5 },
    ]);
    return { hello, world, inner, root };
  }

  test('default: bytes two levels down are read in order', async () => {
    const { hello, world, inner, root } = await twoLevels();
    const { source } = countingSource([hello, world, inner, root]);
    const error = await readDagFile(root.cid, source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentProfileMismatchError);
    expect((error as ContentProfileMismatchError).actual).toBe(
      (await addBytes(text('hello world'))).cid.toString(),
    );
  });

  test("behavior: a block missing two levels down is this file's refusal, not an unhandled rejection, and the next root still imports", async () => {
    // Before the fix the exporter's nested walk left the error unhandled: `content import` of this CAR
    // crashed with a stack trace, no per-file line, and the good second file was not imported.
    const { hello, inner, root } = await twoLevels();
    const metadata = await addBytes(METADATA);
    const car = await exportCar([root.cid, metadata.cid], [hello, inner, root, ...metadata.blocks]);
    const { results } = await importCar(new ContentStore(stateDir), car);
    expect(summary(results)).toEqual([
      `${root.cid} failed BlockMissingError`,
      `${metadata.cid} imported ${METADATA.length}`,
    ]);
  });
});
