import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarReader } from '@ipld/car';
import { describe, expect, test } from 'vitest';
import { main } from '../src/cli/main.js';
import { ContentStore } from '../src/provenance/index.js';

describe('provenant content export', () => {
  test('default: the CAR holds every stored file as a root, with blocks that hash to their CIDs', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'provenant-content-'));
    const store = new ContentStore(stateDir);
    const small = await store.put(new TextEncoder().encode('hello world\n'));
    // Larger than one 256 KiB chunk, so the file is a UnixFS DAG of several blocks.
    const big = await store.put(new Uint8Array(600_000).map((_, i) => (i * 31) % 251));
    expect(await store.list()).toEqual([small, big].sort());
    const out = join(stateDir, 'export.car');
    expect(await main(['node', 'provenant', '--state-dir', stateDir, 'content', 'export', out])).toBe(0);
    const reader = await CarReader.fromBytes(new Uint8Array(readFileSync(out)));
    expect((await reader.getRoots()).map(String).sort()).toEqual([small, big].sort());
    let blocks = 0;
    for await (const _block of reader.blocks()) blocks++;
    expect(blocks).toBeGreaterThan(3);
    // 'hello world\n' under `ipfs add --cid-version=1` (raw leaves), the published vector.
    expect(small).toBe('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4');
  });
});
