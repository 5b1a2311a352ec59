import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PNG } from 'pngjs';
import { type Block, CHUNK_SIZE, type ContentAddress } from './index.js';

/**
 * A PNG of seeded noise (LCG, fixed seed): noise does not compress, so 400×400 RGBA is ~640 KB, three
 * 256 KiB leaves under a dag-pb root: a multi-block file.
 */
export function noisePng(size = 400, seed = 7): Uint8Array {
  const png = new PNG({ width: size, height: size });
  let state = seed >>> 0;
  for (let i = 0; i < png.data.length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    png.data[i] = state >>> 24;
  }
  const bytes = new Uint8Array(PNG.sync.write(png));
  if (bytes.length <= CHUNK_SIZE) throw new Error(`noisePng: ${bytes.length} bytes is one block`);
  return bytes;
}

/** The leaves of a multi-block file (every block but the root). */
export function leavesOf(file: ContentAddress): Block[] {
  return file.blocks.filter((b) => !b.cid.equals(file.cid));
}

/** A copy of `bytes` with one byte changed. */
export function flipByte(bytes: Uint8Array, at = 100): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

export type FakeGateway = {
  url: string;
  /** CID string -> the bytes served for it (a test may put wrong bytes). */
  blocks: Map<string, Uint8Array>;
  /** Every request path, in order. */
  requests: string[];
  /** The Authorization header of every request ('' when none), in order. */
  authorizations: string[];
  /** The Content-Type of a block answer (default application/vnd.ipld.raw; a test may mimic a deserialising gateway). */
  contentType: string;
  /** Milliseconds each block answer waits before it is sent (a slow gateway; default 0). */
  delayMs: number;
  close(): Promise<void>;
};

/**
 * A trustless gateway on 127.0.0.1 (port 0) serving raw blocks from a Map: `GET /ipfs/<cid>?format=raw`
 * (or `Accept: application/vnd.ipld.raw`) answers the block with `Content-Type: application/vnd.ipld.raw`,
 * 404 for an unknown CID, 400 for a request that asks for neither (a deserialising gateway's answer).
 */
export async function startGateway(blocks: Iterable<Block> = []): Promise<FakeGateway> {
  const map = new Map<string, Uint8Array>();
  for (const block of blocks) map.set(block.cid.toString(), block.bytes);
  const requests: string[] = [];
  const authorizations: string[] = [];
  const state = { contentType: 'application/vnd.ipld.raw', delayMs: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(req.url ?? '');
    authorizations.push(req.headers.authorization ?? '');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /\/ipfs\/([^/]+)$/.exec(url.pathname);
    const wantsRaw =
      url.searchParams.get('format') === 'raw' || req.headers.accept === 'application/vnd.ipld.raw';
    if (!match || !wantsRaw || req.method !== 'GET') {
      res.writeHead(400).end('only raw blocks');
      return;
    }
    const bytes = map.get(match[1] ?? '');
    if (!bytes) {
      res.writeHead(404).end('not found');
      return;
    }
    const answer = () => {
      res.writeHead(200, { 'content-type': state.contentType, 'content-length': bytes.length });
      res.end(bytes);
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    blocks: map,
    requests,
    authorizations,
    get contentType() {
      return state.contentType;
    },
    set contentType(value: string) {
      state.contentType = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    close: () =>
      new Promise<void>((done, fail) => {
        server.closeAllConnections();
        server.close((error) => (error ? fail(error) : done()));
      }),
  };
}

/** Blocks of several files, merged. */
export function blocksOf(files: ContentAddress[]): Block[] {
  return files.flatMap((f) => f.blocks);
}
