import { CarReader } from '@ipld/car';
import type { CID } from 'multiformats/cid';
import { NonRetryableError, ProvenantError } from '../errors/index.js';
import type { BlockSource } from './dagImport.js';
import type { ContentStore } from './store.js';

/** Bytes that are not a CAR file (CARv1 or CARv2). */
export class InvalidCarError extends NonRetryableError {
  override name = 'InvalidCarError';
  constructor(reason: string, cause?: unknown) {
    super(`Not a CAR file: ${reason}`, {
      details:
        'Expected a CAR (content archive, CARv1 or CARv2) such as `provenant content export <file.car>` or `ipfs dag export <cid>` writes. Nothing was imported.',
      docsPath: 'docs/provenance.md#content',
      cause,
    });
  }
}

/** What happened to one root of a CAR. */
export type CarImportResult =
  | { cid: string; status: 'imported' | 'present' | 'replaced'; bytes: number }
  | { cid: string; status: 'failed'; error: ProvenantError };

export type ImportCarReturnType = {
  /** One entry per distinct root, in the CAR's order. */
  results: CarImportResult[];
  /** Blocks in the CAR. */
  blocks: number;
};

/** The blocks of a CAR as a `BlockSource` (unverified; `readDagFile` hashes each). */
function carBlockSource(reader: CarReader, describe = 'the CAR file'): BlockSource {
  return {
    describe,
    remedy:
      'Export the CAR again from a content store that verifies (`provenant content export` refuses damaged files), or fetch the file from an IPFS gateway (--ipfs-gateway).',
    async get(cid: CID) {
      return (await reader.get(cid))?.bytes;
    },
  };
}

/**
 * Imports every file of a CAR into the store: each root (what `content export` writes: one root per
 * file) is read as a UnixFS file with every block verified against its CID (`readDagFile`), re-added
 * with the root's profile, and stored. A root already stored intact is `present`; a stored copy that no
 * longer hashes to its CID is `replaced` by the verified bytes. One root's problem (a changed or missing block, a directory, a
 * file over the cap) is reported for that root; the other roots are still imported. Bytes that are not
 * a CAR are an `InvalidCarError`.
 */
export async function importCar(
  store: ContentStore,
  car: Uint8Array,
  options: { describe?: string } = {},
): Promise<ImportCarReturnType> {
  let reader: CarReader;
  let roots: CID[];
  try {
    reader = await CarReader.fromBytes(car);
    roots = await reader.getRoots();
  } catch (error) {
    throw new InvalidCarError((error as Error)?.message ?? String(error), error);
  }
  if (roots.length === 0)
    throw new InvalidCarError('it names no root, so it holds no file to import (export it with its roots)');
  const source = carBlockSource(reader, options.describe);
  const seen = new Set<string>();
  const results: CarImportResult[] = [];
  for (const root of roots) {
    const cid = root.toString();
    if (seen.has(cid)) continue;
    seen.add(cid);
    try {
      if (await store.holds(cid)) {
        results.push({ cid, status: 'present', bytes: (await store.get(cid)).length });
        continue;
      }
      // A file there that is not intact (holds() said no) is a damaged copy: say so when it is replaced.
      const damaged = await store.has(cid);
      const bytes = await store.importFrom(cid, source);
      results.push({ cid, status: damaged ? 'replaced' : 'imported', bytes: bytes.length });
    } catch (error) {
      if (!(error instanceof ProvenantError)) throw error;
      results.push({ cid, status: 'failed', error });
    }
  }
  let blocks = 0;
  for await (const _ of reader.cids()) blocks++;
  return { results, blocks };
}
