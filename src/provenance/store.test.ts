import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ContentCorruptedError, ContentNotFoundError, ContentStore } from './index.js';

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'provenant-store-'));
});
afterEach(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('ContentStore', () => {
  test('default: put returns the ipfs add --cid-version=1 CID and stores under <stateDir>/content/<cid>', async () => {
    const store = new ContentStore(stateDir);
    const cid = await store.put(new TextEncoder().encode('hello world\n'));
    expect(cid).toBe('bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4');
    expect(await store.has(cid)).toBe(true);
    expect(new TextDecoder().decode(await readFile(join(stateDir, 'content', cid)))).toBe('hello world\n');
    expect(new TextDecoder().decode(await store.get(cid))).toBe('hello world\n');
    expect(await store.put(new TextEncoder().encode('hello world\n'))).toBe(cid);
  });

  test('behavior: a CIDv0 store verifies v0 CIDs', async () => {
    const store = new ContentStore(stateDir, { profile: 'kubo-cidv0' });
    const cid = await store.put(new TextEncoder().encode('hello world\n'));
    expect(cid).toBe('QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o');
    expect(await store.get(cid)).toEqual(new TextEncoder().encode('hello world\n'));
  });

  test('behavior: verify-on-read refuses a changed file', async () => {
    const store = new ContentStore(stateDir);
    const cid = await store.put(new Uint8Array([1, 2, 3, 4]));
    await writeFile(join(stateDir, 'content', cid), new Uint8Array([1, 2, 3, 5]));
    await expect(store.get(cid)).rejects.toThrow(ContentCorruptedError);
    await expect(store.get(cid)).rejects.toThrow(/does not match its CID/);
  });

  test('behavior: a missing CID is a clear non-retryable error', async () => {
    const store = new ContentStore(stateDir);
    const cid = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
    expect(await store.has(cid)).toBe(false);
    const error = await store.get(cid).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentNotFoundError);
    expect((error as ContentNotFoundError).retryable).toBe(false);
  });
});
