import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NonRetryableError, RetryableError } from '../errors/index.js';
import { writeFileAtomic } from '../files/index.js';
import { addBytes, type CidProfile, DEFAULT_CID_PROFILE, parseCid, profileOf } from './cid.js';
import { type BlockSource, readDagFile } from './dagImport.js';

export class ContentNotFoundError extends NonRetryableError {
  override name = 'ContentNotFoundError';
  readonly cid: string;
  constructor(cid: string, where: string) {
    super(`Content ${cid} is not in the local content store`, {
      details: `Looked in ${where}. Import a CAR that holds it (\`provenant content import <file.car>\`), fetch it from a gateway (--ipfs-gateway <url> or ipfs.gatewayUrl), or re-render it.`,
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

/** How long `get` may take to fetch one file from `remote`, all its blocks together (default 5 minutes). */
export const DEFAULT_REMOTE_FILE_DEADLINE_MS = 5 * 60_000;

/** A file whose blocks did not all arrive from the remote source within the per-file deadline. */
export class RemoteFetchDeadlineError extends RetryableError {
  override name = 'RemoteFetchDeadlineError';
  readonly cid: string;
  constructor(cid: string, source: string, deadlineMs: number, cause?: unknown) {
    super(`File ${cid} was not fetched from ${source} within ${deadlineMs / 1000} s`, {
      details:
        'Each block has its own timeout too; this deadline bounds the whole file (a slow or dripping source). Nothing of the file was stored. Retry later, use another gateway (--ipfs-gateway), or `provenant content import` a CAR that holds it.',
      docsPath: 'docs/provenance.md#content-for-auditors-and-collectors',
      cause,
    });
    this.cid = cid;
  }
}

export type ContentStoreOptions = {
  /** The profile `put` adds new bytes with (default `kubo-cidv1`). */
  profile?: CidProfile;
  /**
   * Where `get` fetches a file that is not stored locally (e.g. `gatewayBlockSource`): read block by
   * block, each verified against its CID (`readDagFile`), then stored. Never consulted for a file that
   * is stored: a local file that fails its hash is refused, not replaced.
   */
  remote?: BlockSource;
  /** The most one file's fetch from `remote` may take (`DEFAULT_REMOTE_FILE_DEADLINE_MS`). */
  remoteDeadlineMs?: number;
};

/**
 * Content-addressed files under `<stateDir>/content/<cid>`: whole files keyed by the root CID that
 * `ipfs add` would print. Writes are atomic and durable (temp file, fsync, rename, fsync of the
 * directory: `writeFileAtomic`); every read re-computes the CID
 * and refuses bytes that do not match.
 */
export class ContentStore {
  readonly dir: string;
  readonly profile: CidProfile;
  readonly remote: BlockSource | undefined;
  readonly remoteDeadlineMs: number;
  /** CIDs `get` fetched from `remote` and stored, in order (for "fetched N file(s) from …"). */
  readonly fetched: string[] = [];
  private readonly inFlight = new Map<string, Promise<Uint8Array>>();

  constructor(stateDir: string, options: ContentStoreOptions = {}) {
    this.dir = join(stateDir, 'content');
    this.profile = options.profile ?? DEFAULT_CID_PROFILE;
    this.remote = options.remote;
    this.remoteDeadlineMs = options.remoteDeadlineMs ?? DEFAULT_REMOTE_FILE_DEADLINE_MS;
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
    await this.write(cid, bytes);
    return cid;
  }

  private async write(cid: string, bytes: Uint8Array): Promise<void> {
    if (await this.holds(cid)) return;
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(this.pathOf(cid), bytes);
  }

  /** True when the file for `cid` is stored locally and its bytes hash to `cid` (never fetches). */
  async holds(cid: string): Promise<boolean> {
    if (!(await this.has(cid))) return false;
    try {
      await this.readLocal(cid);
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

  /**
   * Reads and verifies: the bytes must hash to `cid` under the profile its version implies. A file not
   * stored locally is fetched from `remote` when there is one (every block verified, the file re-added
   * under the same CID), stored, and returned; its CID is appended to `fetched`. Without `remote`, or
   * when the remote fails, the error says so (the remote's error names the block and the source).
   */
  async get(cid: string): Promise<Uint8Array> {
    try {
      return await this.readLocal(cid);
    } catch (error) {
      if (!(error instanceof ContentNotFoundError) || !this.remote) throw error;
    }
    const key = parseCid(cid).toString();
    let fetching = this.inFlight.get(key);
    if (!fetching) {
      fetching = this.fetchRemote(key, this.remote);
      this.inFlight.set(key, fetching);
      fetching.then(
        () => this.inFlight.delete(key),
        () => this.inFlight.delete(key),
      );
    }
    return fetching;
  }

  /**
   * Reads the file `cid` out of `source` (`readDagFile`: every block verified against its CID, the size
   * capped, the bytes re-added under the root's profile and compared with `cid`) and stores it. Nothing
   * is written unless all of that holds. Returns the bytes.
   */
  async importFrom(
    cid: string,
    source: BlockSource,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    const key = parseCid(cid).toString();
    const bytes = await readDagFile(key, source, options);
    await this.write(key, bytes);
    return bytes;
  }

  private async fetchRemote(cid: string, remote: BlockSource): Promise<Uint8Array> {
    const deadline = AbortSignal.timeout(this.remoteDeadlineMs);
    let bytes: Uint8Array;
    try {
      bytes = await this.importFrom(cid, remote, { signal: deadline });
    } catch (error) {
      if (deadline.aborted)
        throw new RemoteFetchDeadlineError(cid, remote.describe, this.remoteDeadlineMs, error);
      throw error;
    }
    this.fetched.push(cid);
    return bytes;
  }

  private async readLocal(cid: string): Promise<Uint8Array> {
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
