import { CarReader } from '@ipld/car';
import * as dagPb from '@ipld/dag-pb';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, test } from 'vitest';
import {
  addBytes,
  cidFromBytes,
  cidOf,
  cidSha256Digest,
  cidToBytes,
  exportCar,
  exportFilesCar,
  InvalidCidError,
  parseCid,
  profileOf,
} from './index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * Published `ipfs add` results (kubo):
 * - `ipfs add` (CIDv0, UnixFS leaves): empty file QmbFMke1…, "hello world" Qmf412jQ…,
 *   "hello world\n" QmT78zSu… (the CID from kubo's README `echo "hello world" > hello; ipfs add hello`).
 * - `ipfs add --cid-version=1` (raw leaves): empty file bafkreihdwdc…, "hello world" bafkreifzjut3…,
 *   "hello world\n" bafkreifjjcie… (used as the "hello world\n" fixture of IPFS gateway tests).
 */
const VECTORS = [
  {
    text: '',
    v0: 'QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH',
    v1: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
  },
  {
    text: 'hello world',
    v0: 'Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD',
    v1: 'bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e',
  },
  {
    text: 'hello world\n',
    v0: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o',
    v1: 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4',
  },
];

describe('addBytes', () => {
  for (const vector of VECTORS) {
    test(`vector: ${JSON.stringify(vector.text)} under both profiles`, async () => {
      expect(await cidOf(utf8(vector.text))).toBe(vector.v1);
      expect(await cidOf(utf8(vector.text), 'kubo-cidv1')).toBe(vector.v1);
      expect(await cidOf(utf8(vector.text), 'kubo-cidv0')).toBe(vector.v0);
    });
  }

  test('behavior: a file over 256 KiB is a balanced DAG of raw 256 KiB leaves under a dag-pb root', async () => {
    const bytes = new Uint8Array(600_000).map((_, i) => (i * 7) % 251);
    const { cid, blocks } = await addBytes(bytes);
    expect(cid.code).toBe(dagPb.code);
    expect(blocks).toHaveLength(4);
    expect(blocks[blocks.length - 1]!.cid.equals(cid)).toBe(true);
    const leaves = blocks.slice(0, 3);
    expect(leaves.map((b) => b.bytes.length)).toEqual([262_144, 262_144, 75_712]);
    for (const leaf of leaves) {
      expect(leaf.cid.code).toBe(raw.code);
      expect(leaf.cid.multihash.bytes).toEqual((await sha256.digest(leaf.bytes)).bytes);
    }
    const root = dagPb.decode(blocks[3]!.bytes);
    expect(root.Links.map((l) => l.Hash.toString())).toEqual(leaves.map((l) => l.cid.toString()));
    expect(root.Links.map((l) => l.Tsize)).toEqual([262_144, 262_144, 75_712]);
  });

  test('behavior: CIDv0 of a multi-chunk file wraps leaves in UnixFS (dag-pb)', async () => {
    const bytes = new Uint8Array(300_000).fill(1);
    const { cid, blocks } = await addBytes(bytes, 'kubo-cidv0');
    expect(cid.version).toBe(0);
    expect(cid.toString().startsWith('Qm')).toBe(true);
    expect(blocks.every((b) => b.cid.code === dagPb.code)).toBe(true);
  });

  test('binary CIDs: 36 bytes for CIDv1 sha2-256, digest = sha256 of a single-block file', async () => {
    const v1 = VECTORS[2]!.v1;
    const bytes = cidToBytes(v1);
    expect(bytes.length).toBe(36);
    expect([...bytes.slice(0, 4)]).toEqual([0x01, 0x55, 0x12, 0x20]);
    expect(cidFromBytes(bytes)).toBe(v1);
    expect(cidSha256Digest(v1)).toBe(
      `0x${Buffer.from((await sha256.digest(utf8('hello world\n'))).digest).toString('hex')}`,
    );
    expect(() => cidFromBytes(new Uint8Array([1, 2, 3]))).toThrow(InvalidCidError);
  });

  test('profiles and parsing', () => {
    expect(profileOf(VECTORS[0]!.v0)).toBe('kubo-cidv0');
    expect(profileOf(VECTORS[0]!.v1)).toBe('kubo-cidv1');
    expect(() => parseCid('not-a-cid')).toThrow(InvalidCidError);
  });
});

describe('exportCar', () => {
  test('default: a CARv1 whose blocks all hash to their CIDs, with the given roots', async () => {
    const big = await addBytes(new Uint8Array(300_000).map((_, i) => i % 256));
    const small = await addBytes(utf8('hello world\n'));
    const car = await exportFilesCar([big, small, small]);
    const reader = await CarReader.fromBytes(car);
    expect((await reader.getRoots()).map(String)).toEqual([
      big.cid.toString(),
      small.cid.toString(),
      small.cid.toString(),
    ]);
    const seen: string[] = [];
    for await (const block of reader.blocks()) {
      seen.push(block.cid.toString());
      expect(block.cid.multihash.bytes).toEqual((await sha256.digest(block.bytes)).bytes);
    }
    expect(seen).toEqual([...big.blocks, ...small.blocks].map((b) => b.cid.toString()));
    expect((await reader.get(small.cid))?.bytes).toEqual(utf8('hello world\n'));
  });

  test('behavior: same blocks give the same CAR bytes', async () => {
    const a = await addBytes(utf8('hello world'));
    expect(await exportCar([a.cid], a.blocks)).toEqual(await exportCar([a.cid], a.blocks));
  });
});
