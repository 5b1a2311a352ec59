import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Data a file can be written from. */
export type FileData = Uint8Array | string;

let sequence = 0;

/** A temp name next to `path` (same directory, so the rename stays on one file system). */
function temporaryPathFor(path: string): string {
  sequence += 1;
  return `${path}.${process.pid}.${sequence}.tmp`;
}

/**
 * Makes a rename durable: fsync the directory that holds the entry. Platforms that cannot open a
 * directory for fsync (Windows) skip it: the rename itself is still atomic there.
 */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort by design (see above).
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` so that a process killed at any moment (or a power loss) leaves either the
 * previous file or the complete new one under `path`, never a torn mix: write a temp file in the same
 * directory, fsync it, rename it over `path`, fsync the directory. A failed write removes its temp file.
 * The directory must exist.
 */
export function writeFileAtomicSync(path: string, data: FileData, options: { mode?: number } = {}): void {
  const temporary = temporaryPathFor(path);
  try {
    const fd = openSync(temporary, 'w', options.mode ?? 0o644);
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // Already renamed or never created.
    }
    throw error;
  }
  syncDirectory(dirname(path));
}

/** `writeFileAtomicSync` for async callers (same guarantees). */
export async function writeFileAtomic(
  path: string,
  data: FileData,
  options: { mode?: number } = {},
): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    const handle = await open(temporary, 'w', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  syncDirectory(dirname(path));
}
