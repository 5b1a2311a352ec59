/**
 * F11: `provenant content export <file>` (src/cli/commands/content.ts) writes the CAR with a plain
 * `writeFileSync(file, car)` straight onto the target: a process killed mid-write leaves a truncated CAR
 * under the final name (and destroys the previous complete export), which a pinning upload then takes
 * as complete (CARv1 has no trailer, so a cut at a block boundary is still a well-formed CAR). The
 * content store itself uses temp+rename. Observable without killing anything: an atomic replace
 * (temp file + rename) gives the target a new inode; an in-place overwrite keeps the old one.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ContentStore } from '../provenance/index.js';
import { main } from './main.js';

const stateDir = mkdtempSync(join(tmpdir(), 'audit5-f11-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('CAR export is written atomically (review finding F11)', () => {
  test('re-exporting over an existing CAR replaces it by rename (new inode), never in place', async () => {
    const store = new ContentStore(stateDir);
    await store.put(new TextEncoder().encode('audit5 F11\n'));
    const out = join(stateDir, 'export.car');
    writeFileSync(out, 'previous export');
    const before = statSync(out).ino;
    expect(await main(['node', 'provenant', '--state-dir', stateDir, 'content', 'export', out])).toBe(0);
    expect(readFileSync(out).length).toBeGreaterThan(20);
    // Current code: same inode (opened with O_TRUNC and written in place).
    expect(statSync(out).ino).not.toBe(before);
  });
});
