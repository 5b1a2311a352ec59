/**
 * F8: `ContentStore.put` returns early when a file named by the CID already exists (`has` = stat), without
 * checking its bytes. A file damaged after a crash (writeFile + rename with no fsync of the file or the
 * directory: after power loss the renamed file can be empty or short), or by any other accident, is
 * therefore never replaced: the agent re-renders on restart, `put` says "stored", and every later `get`
 * (verify, CAR export, IPFS push) fails with ContentCorruptedError until someone deletes it by hand.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { ContentStore, cidOf } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('content store repairs a damaged file on put (review finding F8)', () => {
  test('put(bytes) over a truncated file of the same CID leaves a readable, correct file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit5-f8-'));
    dirs.push(dir);
    const store = new ContentStore(dir);
    const bytes = new TextEncoder().encode('{"a":1,"provenant":"audit5 F8 content"}');
    const cid = await store.put(bytes);
    expect(cid).toBe(await cidOf(bytes));
    // What a crash can leave: the name is there, the data is not (zero-length / short file).
    writeFileSync(store.pathOf(cid), bytes.slice(0, 7));
    await expect(store.get(cid)).rejects.toThrow(/does not match its CID/);
    // The restarted agent renders the same asset and stores it again.
    expect(await store.put(bytes)).toBe(cid);
    // Current code: still the truncated file -> ContentCorruptedError.
    expect(await store.get(cid)).toEqual(bytes);
  });
});
