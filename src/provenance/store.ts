import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NonRetryableError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { addBytes, type CidProfile, DEFAULT_CID_PROFILE, parseCid, profileOf } from './cid.js';

export class ContentNotFoundError extends NonRetryableError {
  override name = 'ContentNotFoundError';
  readonly cid: string;
  constructor(cid: string, where: string) {
    super(`Content ${cid} is not in the local content store`, {
      details: `Looked in ${where}. Fetch it from IPFS (e.g. \`ipfs get ${cid}\`) or re-render it, then put it into the store.`,
    });
    this.cid = cid;
  }
}

export class ContentCorruptedError extends NonRetryableError {
  override name = 'ContentCorruptedError';
  constructor(cid: string, actual: string, path: string) {
    super(`Stored content does not match its CID: ${path} hashes to ${actual}, expected ${cid}`, {
      details:
        'The file was changed or damaged after it was stored. Delete it and put the original bytes again.',
    });
  }
}

/**
 * Content-addressed files under `<stateDir>/content/<cid>`: whole files keyed by the root CID that
 * `ipfs add` would print. Writes are atomic and durable (temp file, fsync, rename, fsync of the
 * directory: `writeFileAtomic`); every read re-computes the CID
 * and refuses bytes that do not match.
 */
export class ContentStore {
  readonly dir: string;
  readonly profile: CidProfile;

  constructor(stateDir: string, options: { profile?: CidProfile } = {}) {
    this.dir = join(stateDir, 'content');
    this.profile = options.profile ?? DEFAULT_CID_PROFILE;
  }

  pathOf(cid: string): string {
    return join(this.dir, parseCid(cid).toString());
  }

  /**
   * Stores the bytes; returns their CID. Idempotent, and self-healing: a file already stored under the
   * CID is kept only when it still hashes to it, so a file damaged by a crash or by hand is replaced by
   * the next `put` of the right bytes (the agent re-renders on restart) instead of failing every `get`.
   */
  async put(bytes: Uint8Array): Promise<string> {
    const cid = (await addBytes(bytes, this.profile)).cid.toString();
    if (await this.holdsIntact(cid)) return cid;
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.pathOf(cid), bytes);
    return cid;
  }

  /** True when the file for `cid` exists and its bytes hash to `cid`. */
  private async holdsIntact(cid: string): Promise<boolean> {
    if (!(await this.has(cid))) return false;
    try {
      await this.get(cid);
      return true;
    } catch (error) {
      if (error instanceof ContentCorruptedError || error instanceof ContentNotFoundError) return false;
      throw error;
    }
  }

  async has(cid: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(cid))).isFile();
    } catch {
      return false;
    }
  }

  /** Every CID in the store (file names; temp files of interrupted writes are skipped). */
  async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((name) => !name.endsWith('.tmp')).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Reads and verifies: the bytes must hash to `cid` under the profile its version implies. */
  async get(cid: string): Promise<Uint8Array> {
    const path = this.pathOf(cid);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ContentNotFoundError(cid, path);
      throw error;
    }
    const actual = (await addBytes(bytes, profileOf(cid))).cid.toString();
    if (actual !== parseCid(cid).toString()) throw new ContentCorruptedError(cid, actual, path);
    return bytes;
  }
}
