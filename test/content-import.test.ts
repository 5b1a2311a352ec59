import { existsSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { MAX_IMPORT_CAR_BYTES } from '../src/cli/commands/content.js';
import { main } from '../src/cli/main.js';
import { flipByte, leavesOf, noisePng } from '../src/provenance/importFixtures.test-helpers.js';
import { addBytes, ContentStore, exportCar } from '../src/provenance/index.js';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    out.push(parts.map(String).join(' '));
  });
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => {
    err.push(parts.map(String).join(' '));
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

const run = (args: string[]) => main(['node', 'provenant', ...args]);
const PNG_BYTES = noisePng(400, 3);
const TEXT = new TextEncoder().encode('{"name":"Market art #7"}');

describe('provenant content import', () => {
  test('default: a content export from another state dir imports into an empty one with the same CIDs', async () => {
    const agentDir = mkdtempSync(join(tmpdir(), 'provenant-agent-'));
    const agentStore = new ContentStore(agentDir);
    const png = await agentStore.put(PNG_BYTES);
    const text = await agentStore.put(TEXT);
    const car = join(agentDir, 'export.car');
    expect(await run(['--state-dir', agentDir, 'content', 'export', car])).toBe(0);

    const auditorDir = join(mkdtempSync(join(tmpdir(), 'provenant-auditor-')), 'state');
    expect(await run(['--state-dir', auditorDir, 'content', 'import', car])).toBe(0);
    const lines = out.filter((l) => !l.startsWith('Wrote'));
    expect(lines.slice(0, 2).sort()).toEqual(
      [`${png}  ${PNG_BYTES.length} bytes  imported`, `${text}  ${TEXT.length} bytes  imported`].sort(),
    );
    expect(lines[2]).toMatch(
      /^2 file\(s\) in .*export\.car \(5 blocks\): 2 imported, 0 replaced \(damaged\), 0 already there, 0 failed;/,
    );
    const auditorStore = new ContentStore(auditorDir);
    expect(await auditorStore.list()).toEqual([png, text].sort());
    expect(await auditorStore.get(png)).toEqual(PNG_BYTES);

    out.length = 0;
    expect(await run(['--state-dir', auditorDir, 'content', 'import', car])).toBe(0);
    expect(out.filter((l) => l.endsWith('already there'))).toHaveLength(2);
  });

  test('behavior: a CAR with a changed block imports the other files and exits 1 naming the block', async () => {
    const pngFile = await addBytes(PNG_BYTES);
    const textFile = await addBytes(TEXT);
    const leaf = leavesOf(pngFile)[0];
    const blocks = [...pngFile.blocks, ...textFile.blocks].map((b) =>
      leaf && b.cid.equals(leaf.cid) ? { cid: b.cid, bytes: flipByte(b.bytes) } : b,
    );
    const dir = mkdtempSync(join(tmpdir(), 'provenant-import-bad-'));
    const car = join(dir, 'tampered.car');
    writeFileSync(car, await exportCar([pngFile.cid, textFile.cid], blocks));
    const stateDir = join(dir, 'state');
    expect(await run(['--state-dir', stateDir, 'content', 'import', car])).toBe(1);
    expect(out).toContain(`${textFile.cid}  ${TEXT.length} bytes  imported`);
    expect(out.find((l) => l.startsWith(`${pngFile.cid}  failed: `))).toContain(
      `Block ${leaf?.cid} from the CAR file ${car} does not match its CID`,
    );
    expect(err.join('')).toContain('2 file(s) in');
    expect(err.join('')).toContain('1 imported, 0 replaced (damaged), 0 already there, 1 failed');
    expect(await new ContentStore(stateDir).list()).toEqual([textFile.cid.toString()]);
  });

  test('error: a file that is not a CAR, and a missing file, are refused clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-import-notcar-'));
    const notCar = join(dir, 'notes.txt');
    writeFileSync(notCar, 'not a CAR');
    expect(await run(['--state-dir', join(dir, 'state'), 'content', 'import', notCar])).toBe(1);
    expect(err.join('')).toContain('Not a CAR file: ');
    expect(existsSync(join(dir, 'state', 'content'))).toBe(false);
    err.length = 0;
    expect(await run(['--state-dir', join(dir, 'state'), 'content', 'import', join(dir, 'nope.car')])).toBe(
      1,
    );
    expect(err.join('')).toContain(`Cannot read the CAR file ${join(dir, 'nope.car')}`);
  });

  test('error: a CAR over the 1 GiB limit is refused before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-import-huge-'));
    const huge = join(dir, 'huge.car');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_IMPORT_CAR_BYTES + 1); // sparse: takes no disk
    expect(await run(['--state-dir', join(dir, 'state'), 'content', 'import', huge])).toBe(1);
    expect(err.join('')).toContain(`is ${MAX_IMPORT_CAR_BYTES + 1} bytes, over the 1 GiB import limit`);
    expect(existsSync(join(dir, 'state', 'content'))).toBe(false);
  });
});

describe('--ipfs-gateway', () => {
  test('error: a value that is not an http(s) URL is refused before anything runs, never echoed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-gateway-flag-'));
    for (const args of [
      ['verify', '1', '--ipfs-gateway', 'sk-s3cret-token'],
      ['verify', '--synth', '--all', '--ipfs-gateway', 'ftp://user:s3cret@gw.example.org/'],
      ['art', 'show', '1', '--ipfs-gateway', 'sk-s3cret-token'],
    ]) {
      err.length = 0;
      expect(await run(['--state-dir', dir, ...args])).toBe(1);
      const text = err.join('');
      expect(text).toContain("--ipfs-gateway '");
      expect(text).toContain('is not an http(s) URL');
      expect(text).not.toContain('s3cret');
    }
  });
});
