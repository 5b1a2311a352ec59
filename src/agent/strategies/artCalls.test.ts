import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFunctionData, keccak256, toBytes } from 'viem';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { GUARD_FIELDS, provenanceNFTAbi } from '../../chain/index.js';
import {
  CHUNK_SIZE,
  ContentExceedsRawBlockError,
  ContentStore,
  cidOf,
  cidSha256Digest,
  parseManifest,
  type RenderedAsset,
  renderAsset,
} from '../../provenance/index.js';
import { loadGenerator } from '../models.js';
import {
  type ArtPolicyReading,
  AssetDigestMismatchError,
  artEvolveCall,
  artMintCall,
  codeVersion,
  ipfsAssetPublisher,
  policySnapshotOf,
  rawBlockDigest,
  storeAsset,
} from './artCalls.js';

const generator = loadGenerator();
const NFT = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;
const GUARD = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' as const;
const AGENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
const NONCE = keccak256(toBytes('art-calls-test'));
const ROUNDS = [
  { roundId: 18446744073709551617n, answer: 7_512_000_000n, updatedAt: 1_700_000_000n },
  { roundId: 18446744073709551618n, answer: 7_431_000_000n, updatedAt: 1_700_003_600n },
  { roundId: 18446744073709551619n, answer: 7_598_500_000n, updatedAt: 1_700_007_200n },
];

/** The MINT policy of the demo's NFT as the guard reports it (values of a fresh devnet deployment). */
const READING: ArtPolicyReading = {
  action: 'MINT',
  blockNumber: 123n,
  policyId: '0x1F00000000000000000000000000000000000000000000000000000000000001',
  asset: NFT,
  epochLength: 86_400n,
  epochIndex: 19_800n,
  epochResetsAt: 1_710_806_400n,
  paused: false,
  globallyPaused: false,
  limits: Object.fromEntries(GUARD_FIELDS.map((f, i) => [f, BigInt(i)])) as ArtPolicyReading['limits'],
  usedThisEpoch: 1n,
  actionsThisEpoch: 1n,
  usedLifetime: 2n ** 70n,
  modelId: generator.id,
  modelAllowed: true,
};

const render = (policy: { guard: `0x${string}`; snapshot: Record<string, string | number | boolean> }) =>
  renderAsset(generator.model, {
    chainId: 31337,
    contract: NFT,
    version: 0,
    nonce: NONCE,
    oracle: { feed: '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419', decimals: 8, rounds: ROUNDS },
    salt: NFT,
    width: 32,
    height: 32,
    agent: AGENT,
    policy,
    parent: null,
    // Pinned here: the default codeVersion() carries the git commit, which changes with every commit.
    codeVersion: 'provenant 0.1.0',
  });

describe('policySnapshotOf', () => {
  test('default: limits, usage, reset, pauses, model allowance and block, all canonical', async () => {
    const snapshot = policySnapshotOf(READING);
    expect(snapshot).toMatchObject({
      action: 'MINT',
      asset: NFT.toLowerCase(),
      blockNumber: '123',
      'epoch.length': '86400',
      'epoch.index': '19800',
      'epoch.resetsAt': '1710806400',
      'model.allowed': true,
      'model.id': generator.id,
      paused: false,
      'paused.global': false,
      policyId: READING.policyId.toLowerCase(),
      'used.thisEpoch': '1',
      'used.actionsThisEpoch': '1',
      'used.lifetime': '1180591620717411303424',
      'limits.epochCap': '0',
      'limits.maxDeviationBps': '9',
    });
    expect(Object.keys(snapshot)).toHaveLength(14 + GUARD_FIELDS.length);
    expect(Object.values(snapshot).every((v) => typeof v === 'string' || typeof v === 'boolean')).toBe(true);
    // UPDATE records the token's own remaining updates too.
    expect(
      policySnapshotOf({ ...READING, action: 'UPDATE', subjectActionsLeft: 0n })['subject.actionsLeft'],
    ).toBe('0');

    // The manifest takes it as is, keys sorted by its canonical JSON, and the bytes are stable.
    const asset = await render({ guard: GUARD, snapshot });
    const parsed = parseManifest(asset.manifestBytes);
    expect(parsed.policy).toEqual({ guard: GUARD.toLowerCase(), snapshot });
    const text = new TextDecoder().decode(asset.manifestBytes);
    const policyText = text.slice(text.indexOf('"policy":'));
    expect(policyText.indexOf('"action"')).toBeLessThan(policyText.indexOf('"blockNumber"'));
    expect((await render({ guard: GUARD, snapshot })).commitment).toBe(asset.commitment);
  });
});

describe('rawBlockDigest', () => {
  test('default: a file of one block is named by the sha2-256 digest of its raw CIDv1', async () => {
    const bytes = new Uint8Array(CHUNK_SIZE).fill(7);
    expect(rawBlockDigest('metadata', bytes)).toBe(cidSha256Digest(await cidOf(bytes)));
  });

  test('error: a file over one block (its CID would be a dag-pb root) is refused before sending', async () => {
    const asset = await render({ guard: GUARD, snapshot: policySnapshotOf(READING) });
    const oversize: RenderedAsset = { ...asset, metadataBytes: new Uint8Array(CHUNK_SIZE + 1) };
    let caught: unknown;
    try {
      artMintCall(NFT, { to: AGENT, modelId: generator.id, nonce: NONCE, asset: oversize });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ContentExceedsRawBlockError);
    expect((caught as Error).message).toMatchInlineSnapshot(`
      "The metadata is 262145 bytes, more than one raw IPFS block (262144 bytes).

      ProvenanceNFT names the metadata by the sha2-256 digest of a raw CIDv1 block, which holds at most 262144 bytes; a larger file is chunked by IPFS and gets a dag-pb CID the digest cannot name. Render with fewer oracle rounds in the window or a smaller policy snapshot, or shorten the metadata.

      Docs: docs/provenance.md#content"
    `);
    expect(() => artMintCall(NFT, { to: AGENT, modelId: generator.id, nonce: NONCE, asset })).not.toThrow();
  });
});

describe('artMintCall / artEvolveCall', () => {
  const sha = (bytes: Uint8Array) => `0x${createHash('sha256').update(bytes).digest('hex')}`;

  test('default: mint(to, modelId, metadataDigest, intentKey, manifestDigest); the token id is the metadata digest', async () => {
    const asset = await render({ guard: GUARD, snapshot: policySnapshotOf(READING) });
    const call = artMintCall(NFT, { to: AGENT, modelId: generator.id, nonce: NONCE, asset });
    const { functionName, args } = decodeFunctionData({ abi: provenanceNFTAbi, data: call.data });
    expect(functionName).toBe('mint');
    expect(args).toEqual([AGENT, generator.id, sha(asset.metadataBytes), NONCE, sha(asset.manifestBytes)]);
    expect(asset.commitment).toBe(sha(asset.metadataBytes));
    expect(asset.tokenId).toBe(BigInt(asset.commitment));
    expect(asset.manifestDigest).toBe(sha(asset.manifestBytes));
    // The metadata names the manifest by its raw CID, the member the contract's verify searches for.
    expect(new TextDecoder().decode(asset.metadataBytes)).toContain(
      `"provenance":"ipfs://${asset.manifestAddress.cid.toString()}"`,
    );
    expect(call.to).toBe(NFT);
  });

  test('default: evolve(tokenId, parentVersion, modelId, manifestDigest, metadataDigest), keyed by the commitment', async () => {
    const asset = await render({ guard: GUARD, snapshot: policySnapshotOf(READING) });
    const { call, key } = artEvolveCall(NFT, {
      tokenId: 42n,
      parentVersion: 3,
      modelId: generator.id,
      asset,
    });
    const { functionName, args } = decodeFunctionData({ abi: provenanceNFTAbi, data: call.data });
    expect(functionName).toBe('evolve');
    expect(args).toEqual([42n, 3n, generator.id, sha(asset.manifestBytes), sha(asset.metadataBytes)]);
    expect(call.label).toBe('evolve art v4');
    expect(key).toBe(
      artEvolveCall(NFT, { tokenId: 42n, parentVersion: 3, modelId: generator.id, asset }).key,
    );
    const other = await render({
      guard: GUARD,
      snapshot: { ...policySnapshotOf(READING), blockNumber: '124' },
    });
    expect(
      artEvolveCall(NFT, { tokenId: 42n, parentVersion: 3, modelId: generator.id, asset: other }).key,
    ).not.toBe(key);
  });

  test('error: metadata bytes that are not the recorded commitment are refused before sending', async () => {
    const asset = await render({ guard: GUARD, snapshot: policySnapshotOf(READING) });
    const edited: RenderedAsset = { ...asset, metadataBytes: new TextEncoder().encode('{}') };
    expect(() => artMintCall(NFT, { to: AGENT, modelId: generator.id, nonce: NONCE, asset: edited })).toThrow(
      AssetDigestMismatchError,
    );
    expect(() =>
      artEvolveCall(NFT, { tokenId: 1n, parentVersion: 0, modelId: generator.id, asset: edited }),
    ).toThrow(
      `The rendered asset's commitment is ${asset.commitment}, but the sha2-256 digest of its metadata bytes is`,
    );
    const manifestEdited: RenderedAsset = { ...asset, manifestBytes: new TextEncoder().encode('{}') };
    expect(() =>
      artMintCall(NFT, { to: AGENT, modelId: generator.id, nonce: NONCE, asset: manifestEdited }),
    ).toThrow(`The rendered asset's manifestDigest is ${asset.manifestDigest}`);
  });
});

describe('codeVersion', () => {
  const packageDir = (version: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-codeversion-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'provenant', version }));
    return dir;
  };

  test('default: the package.json version of this repository, then its commit when git answers', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(codeVersion()).toMatch(
      new RegExp(`^provenant ${pkg.version.replace(/\./g, '\\.')}(\\+[0-9a-f]{40})?$`),
    );
    expect(codeVersion()).toBe(codeVersion()); // read once
  });

  test('behavior: no .git, a broken .git, or git turned off: the version alone, never an error', () => {
    const dir = packageDir('9.8.7');
    expect(codeVersion({ root: dir })).toBe('provenant 9.8.7');
    mkdirSync(join(dir, '.git'));
    expect(codeVersion({ root: dir })).toBe('provenant 9.8.7');
    expect(codeVersion({ root: join(dir, 'missing') })).toBe('provenant unknown');
  });

  test('behavior: a git working tree adds its HEAD commit', () => {
    const dir = packageDir('1.2.3');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
        cwd: dir,
        encoding: 'utf8',
      }).trim();
    git('init', '-q');
    git('add', 'package.json');
    git('commit', '-q', '-m', 'init');
    const head = git('rev-parse', 'HEAD');
    expect(codeVersion({ root: dir })).toBe(`provenant 1.2.3+${head}`);
    expect(codeVersion({ root: dir, git: false })).toBe('provenant 1.2.3');
  });
});

// ---------------------------------------------------------------- IPFS push against a fake kubo node

type Recorded = { url: string; authorization: string | undefined; file: Uint8Array };
let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A stand-in for kubo's `/api/v0/add` on 127.0.0.1: records each upload and answers with its CID. */
async function startKubo(): Promise<{ url: string; requests: Recorded[] }> {
  const requests: Recorded[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const boundary = /boundary=(.+)$/.exec(req.headers['content-type'] ?? '')?.[1] ?? '';
      const start = body.indexOf('\r\n\r\n') + 4;
      const end = body.lastIndexOf(`\r\n--${boundary}--`);
      const file = new Uint8Array(body.subarray(start, end));
      requests.push({ url: req.url ?? '', authorization: req.headers.authorization, file });
      res.end(`${JSON.stringify({ Name: 'content', Hash: await cidOf(file), Size: String(file.length) })}\n`);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, requests };
}

describe('storeAsset with an IPFS publisher', () => {
  let asset: RenderedAsset;
  beforeAll(async () => {
    asset = await render({ guard: GUARD, snapshot: policySnapshotOf(READING) });
  });

  test('default: stores locally, then pushes image, metadata and manifest with the configured header', async () => {
    const kubo = await startKubo();
    const warnings: string[] = [];
    const publish = ipfsAssetPublisher(
      { apiUrl: kubo.url, pin: true, timeoutMs: 5_000, authorization: 'Bearer s3cret' },
      (m) => warnings.push(m),
    );
    const store = new ContentStore(mkdtempSync(join(tmpdir(), 'provenant-push-')));
    const manifestCid = await storeAsset(store, asset, publish);
    expect(manifestCid).toBe(asset.manifestAddress.cid.toString());
    expect(warnings).toEqual([]);
    expect(kubo.requests.map((r) => r.file)).toEqual([asset.png, asset.metadataBytes, asset.manifestBytes]);
    for (const r of kubo.requests) {
      expect(r.url).toBe('/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-262144&pin=true');
      expect(r.authorization).toBe('Bearer s3cret');
    }
    expect(await store.list()).toHaveLength(3);
  });

  test('behavior: a node that is down does not block the mint; one warning names the cause, not the secret', async () => {
    const kubo = await startKubo();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const warnings: string[] = [];
    const publish = ipfsAssetPublisher(
      { apiUrl: kubo.url, pin: true, timeoutMs: 2_000, authorization: 'Bearer s3cret' },
      (m) => warnings.push(m),
    );
    const store = new ContentStore(mkdtempSync(join(tmpdir(), 'provenant-push-')));
    const manifestCid = await storeAsset(store, asset, publish);
    expect(manifestCid).toBe(asset.manifestAddress.cid.toString());
    expect((await store.list()).sort()).toEqual(
      [asset.image.cid, asset.metadataAddress.cid, asset.manifestAddress.cid].map(String).sort(),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`IPFS push of the image to ${kubo.url} failed`);
    expect(warnings[0]).toContain('ECONNREFUSED');
    expect(warnings[0]).toContain('provenant content push');
    expect(warnings[0]).not.toContain('s3cret');
  });

  test('behavior: a named but unset authorization variable is a warning at start, and the push goes on', async () => {
    const kubo = await startKubo();
    const warnings: string[] = [];
    const publish = ipfsAssetPublisher(
      { apiUrl: kubo.url, pin: false, timeoutMs: 5_000, missingAuthorizationEnv: 'PIN_TOKEN' },
      (m) => warnings.push(m),
    );
    await publish(asset);
    expect(warnings).toEqual([
      'IPFS push: the config names PIN_TOKEN for the Authorization header, but it is not set; pushing without one.',
    ]);
    expect(kubo.requests).toHaveLength(3);
    expect(kubo.requests[0]!.authorization).toBeUndefined();
    expect(kubo.requests[0]!.url).toContain('pin=false');
  });
});
