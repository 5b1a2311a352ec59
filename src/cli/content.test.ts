import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { ContentStore } from '../provenance/index.js';
import { main } from './main.js';

const root = mkdtempSync(join(tmpdir(), 'provenant-content-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `provenant --state-dir <dir> content …` in-process: exit code, stdout and stderr. */
async function content(stateDir: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out.push(a.map(String).join(' '));
  });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.map(String).join(' '));
  });
  const write = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  try {
    const code = await main(['node', 'provenant', '--state-dir', stateDir, 'content', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

describe('provenant content list|export (review 7)', () => {
  test('a state dir without a content store is refused, not listed or exported as empty', async () => {
    const missing = join(root, 'no-such-state');
    const listed = await content(missing, 'list');
    expect(listed.code).toBe(1);
    expect(listed.err).toContain(`No content store at ${join(missing, 'content')}.`);
    const car = join(root, 'empty.car');
    const exported = await content(missing, 'export', car);
    expect(exported.code).toBe(1);
    expect(exported.err).toContain('No content store at');
    expect(existsSync(car)).toBe(false);
  });

  test('a file whose name is not a CID is named on stderr and left out of list and export', async () => {
    const stateDir = join(root, 'foreign');
    const store = new ContentStore(stateDir);
    const cid = await store.put(new TextEncoder().encode('hello world\n'));
    writeFileSync(join(store.dir, 'README.txt'), 'copied in by hand');
    const listed = await content(stateDir, 'list');
    expect([listed.code, listed.out]).toEqual([0, cid]);
    expect(listed.err).toContain(`Skipped ${join(store.dir, 'README.txt')}: its name is not a CID`);
    const exported = await content(stateDir, 'export', join(root, 'foreign.car'));
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('Wrote 1 file(s)');
  });

  test('export names every stored file that no longer matches its CID and writes nothing', async () => {
    const stateDir = join(root, 'damaged');
    const store = new ContentStore(stateDir);
    const a = await store.put(new TextEncoder().encode('first\n'));
    const b = await store.put(new TextEncoder().encode('second\n'));
    await store.put(new TextEncoder().encode('third\n'));
    writeFileSync(store.pathOf(a), 'First\n');
    writeFileSync(store.pathOf(b), 'Second\n');
    const car = join(root, 'damaged.car');
    const exported = await content(stateDir, 'export', car);
    expect(exported.code).toBe(1);
    expect(exported.err).toContain(
      `2 of 3 stored file(s) no longer match their CID; nothing was written to ${car}.`,
    );
    expect(exported.err).toContain(store.pathOf(a));
    expect(exported.err).toContain(store.pathOf(b));
    expect(existsSync(car)).toBe(false);
  });
});
