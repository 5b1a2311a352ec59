import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makeWorld } from './fixtures.test-helpers.js';
import {
  blocksOf,
  type FakeGateway,
  flipByte,
  leavesOf,
  noisePng,
  startGateway,
} from './importFixtures.test-helpers.js';
import {
  addBytes,
  type Block,
  BlockMismatchError,
  BlockMissingError,
  BlockTooLargeError,
  ContentCorruptedError,
  ContentStore,
  GatewayRefusedError,
  GatewayUnavailableError,
  gatewayBlockSource,
  RemoteFetchDeadlineError,
  verifyAllVersions,
} from './index.js';

let stateDir: string;
let gateway: FakeGateway | undefined;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'provenant-gateway-'));
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await rm(stateDir, { recursive: true, force: true });
});

const PNG_BYTES = noisePng(400, 11);

describe('gatewayBlockSource + ContentStore read-through', () => {
  test('default: verify of a rendered artwork with an EMPTY local store passes through a trustless gateway and leaves the files stored', async () => {
    const world = await makeWorld();
    const files = await Promise.all([...world.content.values()].map((bytes) => addBytes(bytes)));
    gateway = await startGateway(blocksOf(files));
    const store = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: gateway.url }) });
    expect(await store.list()).toEqual([]);
    const reports = await verifyAllVersions(world.tokenId, {
      ...world.deps,
      loadContent: (cid) => store.get(cid),
    });
    expect(reports.map((r) => [r.version, r.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(await store.list()).toEqual([...world.content.keys()].sort());
    expect([...store.fetched].sort()).toEqual([...world.content.keys()].sort());
    for (const [cid, bytes] of world.content) expect(await store.get(cid)).toEqual(bytes);
    // Every request was a raw-block request, and a stored file is not fetched again.
    expect(gateway.requests.every((r) => /^\/ipfs\/[a-z0-9]+\?format=raw$/.test(r))).toBe(true);
    const asked = gateway.requests.length;
    await verifyAllVersions(world.tokenId, { ...world.deps, loadContent: (cid) => store.get(cid) });
    expect(gateway.requests.length).toBe(asked);
  });

  test('behavior: a multi-block file is fetched leaf by leaf and stored under the same CID', async () => {
    const png = await addBytes(PNG_BYTES);
    gateway = await startGateway(png.blocks);
    // User info in the URL is sent as Basic authorization, never in the request line.
    const store = new ContentStore(stateDir, {
      remote: gatewayBlockSource({ gatewayUrl: `${gateway.url.replace('http://', 'http://ann:pw%21@')}/` }),
    });
    expect(await store.get(png.cid.toString())).toEqual(PNG_BYTES);
    expect(gateway.requests.length).toBe(4);
    expect(new Set(gateway.authorizations)).toEqual(
      new Set([`Basic ${Buffer.from('ann:pw!').toString('base64')}`]),
    );
    expect(await store.holds(png.cid.toString())).toBe(true);
  });

  test('behavior: a gateway serving one tampered block fails the fetch naming the block, and nothing is stored', async () => {
    const png = await addBytes(PNG_BYTES);
    gateway = await startGateway(png.blocks);
    const leaf = leavesOf(png)[0] as Block;
    gateway.blocks.set(leaf.cid.toString(), flipByte(leaf.bytes));
    const store = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: gateway.url }) });
    const fetch = store.get(png.cid.toString());
    await expect(fetch).rejects.toThrow(BlockMismatchError);
    await expect(store.get(png.cid.toString())).rejects.toThrow(
      `Block ${leaf.cid} from the IPFS gateway ${gateway.url} does not match its CID`,
    );
    expect(await store.list()).toEqual([]);
    expect(store.fetched).toEqual([]);
  });

  test('behavior: a file whose blocks each arrive in time but not all within the per-file deadline is refused, nothing stored', async () => {
    const png = await addBytes(PNG_BYTES);
    gateway = await startGateway(png.blocks);
    gateway.delayMs = 150; // each block well inside its own 30 s timeout; four blocks, two rounds of reads
    const store = new ContentStore(stateDir, {
      remote: gatewayBlockSource({ gatewayUrl: gateway.url }),
      remoteDeadlineMs: 200,
    });
    const fetch = store.get(png.cid.toString());
    await expect(fetch).rejects.toThrow(RemoteFetchDeadlineError);
    await expect(fetch).rejects.toThrow(
      `File ${png.cid} was not fetched from the IPFS gateway ${gateway.url} within 0.2 s`,
    );
    expect(await store.list()).toEqual([]);
    expect(store.fetched).toEqual([]);
    // The same source with the default deadline fetches it.
    const patient = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: gateway.url }) });
    expect(await patient.get(png.cid.toString())).toEqual(PNG_BYTES);
  });

  test('behavior: a dead gateway is an error naming the redacted URL and the fix', async () => {
    const png = await addBytes(PNG_BYTES);
    gateway = await startGateway();
    const dead = gateway.url;
    await gateway.close();
    gateway = undefined;
    // Credentials and a path (an access key) in the URL: messages show only scheme and host.
    const url = `${dead.replace('http://', 'http://user:pw@')}/secret-key/`;
    const store = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: url }) });
    const error = await store.get(png.cid.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayUnavailableError);
    const message = (error as Error).message;
    expect((error as GatewayUnavailableError).shortMessage).toMatch(
      new RegExp(
        `^IPFS gateway http://127\\.0\\.0\\.1:\\d+ did not serve block ${png.cid}: connection failed \\(ECONNREFUSED\\)$`,
      ),
    );
    expect(message).not.toContain('secret-key');
    expect(message).not.toContain('pw');
    expect(message).toContain('provenant content import <file.car>');
    expect(message).toContain('Try another gateway');
    expect((error as GatewayUnavailableError).retryable).toBe(true);
    expect(await store.list()).toEqual([]);
  });

  test('behavior: a block the gateway does not have names the root and the block', async () => {
    const png = await addBytes(PNG_BYTES);
    const missing = leavesOf(png)[1] as Block;
    gateway = await startGateway(png.blocks.filter((b) => !b.cid.equals(missing.cid)));
    const store = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: gateway.url }) });
    const error = await store.get(png.cid.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BlockMissingError);
    expect((error as BlockMissingError).shortMessage).toBe(
      `Block ${missing.cid} of file ${png.cid} is not in the IPFS gateway ${gateway.url}`,
    );
    expect(await store.list()).toEqual([]);
  });

  test('behavior: a local file that fails its hash is refused, never replaced from the gateway', async () => {
    const metadata = await addBytes(new TextEncoder().encode('{"name":"x"}'));
    gateway = await startGateway(metadata.blocks);
    const store = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: gateway.url }) });
    const cid = metadata.cid.toString();
    await store.put(new TextEncoder().encode('{"name":"x"}'));
    await writeFile(store.pathOf(cid), new TextEncoder().encode('{"name":"y"}'));
    await expect(store.get(cid)).rejects.toThrow(ContentCorruptedError);
    expect(gateway.requests).toEqual([]);
  });

  test('behavior: an oversized block and a deserialised answer are refused', async () => {
    const big = await addBytes(new Uint8Array(10));
    gateway = await startGateway();
    gateway.blocks.set(big.cid.toString(), new Uint8Array(3 * 1024 * 1024));
    const store = new ContentStore(stateDir, { remote: gatewayBlockSource({ gatewayUrl: gateway.url }) });
    await expect(store.get(big.cid.toString())).rejects.toThrow(BlockTooLargeError);
    await expect(store.get(big.cid.toString())).rejects.toThrow(/over the 2097152-byte block limit/);
    // A gateway that ignores ?format=raw and answers the file itself is a refusal, not "unavailable".
    const small = await addBytes(new TextEncoder().encode('<html></html>'));
    gateway.blocks.set(small.cid.toString(), new TextEncoder().encode('<html></html>'));
    gateway.contentType = 'text/html; charset=utf-8';
    const error = await store.get(small.cid.toString()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayRefusedError);
    expect((error as GatewayRefusedError).shortMessage).toBe(
      `IPFS gateway ${gateway.url} refused block ${small.cid}: answered Content-Type text/html; charset=utf-8, not application/vnd.ipld.raw`,
    );
    expect(await store.list()).toEqual([]);
  });

  test('behavior: a gateway URL that is not http(s) is refused without echoing it', () => {
    expect(() => gatewayBlockSource({ gatewayUrl: 'ftp://user:s3cret@host/x' })).toThrow(
      'The IPFS gateway is not an http(s) URL.',
    );
    // Refused, and the refusal does not echo the value (which may be a token).
    let refusal: unknown;
    try {
      gatewayBlockSource({ gatewayUrl: 's3cret-token' });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/^The IPFS gateway is not an http\(s\) URL\./);
    expect((refusal as Error).message).not.toContain('s3cret');
  });
});
