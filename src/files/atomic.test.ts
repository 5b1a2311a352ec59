import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic(Sync)', () => {
  for (const [name, write] of [
    ['sync', async (path: string, data: string | Uint8Array) => writeFileAtomicSync(path, data)],
    ['async', writeFileAtomic],
  ] as const) {
    test(`${name}: writes new files and replaces old ones by rename (new inode), leaving no temp file`, async () => {
      const path = join(dir, `${name}.bin`);
      await write(path, new Uint8Array([1, 2, 3]));
      expect([...readFileSync(path)]).toEqual([1, 2, 3]);
      const before = statSync(path).ino;
      await write(path, 'second version');
      expect(readFileSync(path, 'utf8')).toBe('second version');
      // An in-place overwrite keeps the inode; a replace by rename never exposes a half-written file.
      expect(statSync(path).ino).not.toBe(before);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

    test(`${name}: a failed write keeps the previous file and removes its temp file`, async () => {
      const target = join(dir, `${name}-target`);
      // A directory in the way: the final rename fails after the temp file was written.
      mkdirSync(target, { recursive: true });
      writeFileSync(join(target, 'inside'), 'kept');
      await expect(write(target, 'new')).rejects.toThrow();
      expect(readFileSync(join(target, 'inside'), 'utf8')).toBe('kept');
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }
});
