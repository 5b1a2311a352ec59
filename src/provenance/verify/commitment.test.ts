import { base36 } from 'multiformats/bases/base36';
import { decodeAbiParameters, sha256, toHex } from 'viem';
import { describe, expect, test } from 'vitest';
import {
  baseParams,
  failing,
  MODEL,
  makeWorld,
  metadataJsonBytes,
  mintWorld,
  ROUNDS,
} from '../fixtures.test-helpers.js';
import { erc7007GrothArguments } from '../forecastProofChecks.js';
import {
  CHUNK_SIZE,
  ContentExceedsRawBlockError,
  InvalidMetadataError,
  metadataFromManifest,
  parseCid,
  parseMetadataProvenance,
  rawBlockAddress,
  renderAsset,
} from '../index.js';
import { verifyAllVersions, verifyAsset, versionChainHead } from './index.js';

const checkOf = (report: Awaited<ReturnType<typeof verifyAsset>>, name: string) =>
  report.checks.find((c) => c.name === name)!;
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const json = (bytes: Uint8Array) => JSON.parse(text(bytes)) as Record<string, unknown>;

describe('metadata → manifest: the committed metadata names the manifest', () => {
  test('default: the honest mint passes metadata-commitment and manifest-commitment; the token id is sha256 of the metadata', async () => {
    const world = await mintWorld();
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(report.ok).toBe(true);
    expect(world.tokenId).toBe(BigInt(sha256(world.metadataBytes)));
    expect(world.metadataBytes).toEqual(world.asset.metadataBytes);
    expect(checkOf(report, 'metadata-commitment').actual).toBe(
      `${world.commitment} (${world.metadataCid}), names manifest ${world.manifestCid}`,
    );
  });

  test('tamper: a committed metadata whose provenance names another (valid, stored) manifest fails exactly manifest-commitment', async () => {
    const other = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(1, 4), null));
    const otherCid = other.manifestAddress.cid.toString();
    const world = await mintWorld({
      metadata: (honest) => metadataJsonBytes({ ...json(honest), provenance: `ipfs://${otherCid}` }),
    });
    world.content.set(otherCid, other.manifestBytes);
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['manifest-commitment']);
    expect(checkOf(report, 'metadata-commitment').status).toBe('pass');
    expect(checkOf(report, 'manifest-commitment').detail).toBe(
      `the committed metadata names manifest ${otherCid}, but the version's Minted/Evolved log records ${world.manifestCid}`,
    );
    // Nothing the other manifest says is checked against this token.
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual([
      'token-exists',
      'metadata-commitment',
      'chain-head',
    ]);
  });

  test('tamper: committed metadata that names its manifest but differs from the one rebuilt from it fails exactly metadata-bytes', async () => {
    const world = await mintWorld({
      metadata: (honest) => metadataJsonBytes({ ...json(honest), name: 'Provenant forged' }),
    });
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['metadata-bytes']);
    expect(checkOf(report, 'metadata-bytes').detail).toMatch(
      /^the metadata rebuilt from the manifest differs from the committed one \(first difference at byte \d+/,
    );
  });

  test('tamper: committed metadata that is not canonical JSON fails exactly metadata-bytes', async () => {
    const world = await mintWorld({
      metadata: (honest) => new TextEncoder().encode(JSON.stringify(json(honest), null, 1)),
    });
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual(['metadata-bytes']);
  });

  test.each([
    ['not JSON', () => new TextEncoder().encode('{"provenance":'), /not JSON/],
    ['a JSON array', () => metadataJsonBytes([1, 2]), /not a JSON object/],
    [
      'no provenance member',
      (honest: Uint8Array) => {
        const { provenance: _, ...rest } = json(honest);
        return metadataJsonBytes(rest);
      },
      /no "provenance" member: it names no manifest/,
    ],
    [
      'a provenance that is not ipfs://',
      (honest: Uint8Array, cid: string) =>
        metadataJsonBytes({ ...json(honest), provenance: `https://${cid}` }),
      /"provenance" is "https:\/\/bafkrei.*", not ipfs:\/\/ followed by a raw CIDv1/,
    ],
    [
      'a provenance naming a CIDv0 (dag-pb, not a raw block)',
      (honest: Uint8Array) =>
        metadataJsonBytes({
          ...json(honest),
          provenance: 'ipfs://QmbWqxBEKC3P8tqsKc98xmWNzrzDtRLMiMPL8wBuTGsMnR',
        }),
      /not ipfs:\/\/ followed by a raw CIDv1/,
    ],
  ])(
    'parse error: committed metadata with %s fails exactly metadata-commitment',
    async (_, edit, message) => {
      const world = await mintWorld({ metadata: edit });
      const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
      expect(failing(report)).toEqual(['metadata-commitment']);
      const check = checkOf(report, 'metadata-commitment');
      expect(check.detail).toMatch(/^committed bytes are not valid metadata: Invalid token metadata bafkrei/);
      expect(check.detail).toMatch(message);
      expect(report.checks.filter((c) => c.status === 'skip')[0]).toMatchObject({
        name: 'manifest-commitment',
        detail: 'the committed metadata names no manifest',
      });
    },
  );

  test('parseMetadataProvenance: the manifest CID of honest metadata; invalid UTF-8 is refused', async () => {
    const world = await mintWorld();
    expect(parseMetadataProvenance(world.metadataBytes).manifestCid).toBe(world.manifestCid);
    expect(() => parseMetadataProvenance(new Uint8Array([0x7b, 0xff, 0x7d]), 'x')).toThrow(
      InvalidMetadataError,
    );
    expect(() => parseMetadataProvenance(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(/not valid UTF-8/);
  });

  test('metadataFromManifest: the metadata an honest render commits is derived from its manifest alone', async () => {
    const asset = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    const derived = metadataFromManifest(asset.manifest, asset.manifestAddress.cid.toString());
    expect(derived.bytes).toEqual(asset.metadataBytes);
    expect(derived.metadata).toEqual(asset.metadata);
  });
});

describe('a token with one update (version 1: the head the contract leaves implied)', () => {
  test('default: both versions verify; the head over two commitments is keccak(tokenId, c_1) with the top 32 bits cleared', async () => {
    const world = await makeWorld();
    const reports = await verifyAllVersions(world.tokenId, world.deps);
    expect(reports.map((r) => [r.version, r.ok, failing(r)])).toEqual([
      [0, true, []],
      [1, true, []],
    ]);
    expect(world.v0.commitment).toBe(toHex(world.tokenId, { size: 32 }));
    expect(world.record.versions.map((v) => v.commitment)).toEqual([
      world.v0.commitment,
      world.v1.commitment,
    ]);
    expect(world.record.chain!.head.slice(0, 10)).toBe('0x00000000');
    expect(checkOf(reports[1]!, 'version-chain').expected).toBe(
      `parent ${world.v0.commitment} (${world.v0.manifestAddress.cid.toString()})`,
    );
    // tokenURI names version 1's metadata, the raw CID of its commitment.
    expect(checkOf(reports[1]!, 'token-uri').actual).toBe(
      `ipfs://${world.v1.metadataAddress.cid.toString()}`,
    );
  });

  test('behavior: verify --manifest finds the version whose log records that manifest (v0 needs no token id)', async () => {
    const world = await makeWorld();
    for (const [v, asset] of [world.v0, world.v1].entries()) {
      const report = await verifyAsset({ manifestCid: asset.manifestAddress.cid.toString() }, world.deps);
      expect([report.tokenId, report.version, report.ok]).toEqual([world.tokenId.toString(), v, true]);
      expect(report.manifestCid).toBe(asset.manifestAddress.cid.toString());
    }
  });

  test('erc7007GrothArguments for version 1: aigcData is the metadata, the chain proof is h_0, the kind proof has the outputs', async () => {
    const world = await makeWorld();
    const proof = {
      kind: 'groth16' as const,
      forecastProof: { modelId: `0x${'11'.repeat(32)}`, proofId: `0x${'22'.repeat(32)}` },
      gate: `0x${'33'.repeat(20)}`,
      roundIds: ['1'],
      outputs: ['-5', '7'],
      scaleBits: 20,
    };
    const h0 = versionChainHead([world.v0.commitment]);
    const args = erc7007GrothArguments(
      world.tokenId,
      1,
      world.v1.manifestBytes,
      world.v1.metadataBytes,
      proof,
      h0,
    );
    expect(args.aigcData).toBe(toHex(world.v1.metadataBytes));
    const word = (v: bigint) => v.toString(16).padStart(64, '0');
    const head = `0x02${word(world.tokenId)}${word(1n)}${h0.slice(2)}`;
    expect(args.proof.startsWith(head)).toBe(true);
    const kind = decodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes' }, { type: 'int256' }, { type: 'int256' }],
      `0x${args.proof.slice(head.length)}`,
    );
    expect(kind).toEqual([
      proof.forecastProof.modelId,
      proof.forecastProof.proofId,
      toHex(world.v1.manifestBytes),
      -5n,
      7n,
    ]);
  });
});

describe('single raw blocks', () => {
  test('behavior: rawBlockAddress gives bafkrei… (sha256 of the bytes) up to one block and refuses more', async () => {
    const fits = new Uint8Array(CHUNK_SIZE).fill(7);
    const address = await rawBlockAddress('metadata', fits);
    expect(address.cid.code).toBe(0x55);
    expect(toHex(address.cid.multihash.digest)).toBe(sha256(fits));
    await expect(rawBlockAddress('metadata', new Uint8Array(CHUNK_SIZE + 1))).rejects.toThrow(
      ContentExceedsRawBlockError,
    );
  });

  test('behavior: a render whose manifest exceeds one raw block is refused, naming the manifest and its size', async () => {
    const params = baseParams(0, ROUNDS.slice(0, 3), null);
    params.policy.snapshot = { note: 'x'.repeat(CHUNK_SIZE) };
    await expect(renderAsset(MODEL, params)).rejects.toThrow(
      /^The manifest is 2\d{5} bytes, more than one raw IPFS block \(262144 bytes\)\./,
    );
  });
});

describe('verify --manifest with a CID in another multibase', () => {
  test('behavior: a mint manifest named by its base36 CID finds its token, like the base32 one', async () => {
    // Before the fix the metadata was re-derived with the CID as typed (`ipfs://k…`), which hashes to a token
    // that does not exist: the collector saw `token-exists ✗` instead of the version being checked.
    const world = await makeWorld();
    // The real ContentStore keys files by the canonical CID (parseCid(cid).toString()): model that.
    const deps = {
      ...world.deps,
      loadContent: (cid: string) => world.deps.loadContent(parseCid(cid).toString()),
    };
    const cid32 = world.v0.manifestAddress.cid.toString();
    const cid36 = world.v0.manifestAddress.cid.toString(base36);
    expect(cid36.startsWith('k')).toBe(true);
    const byBase32 = await verifyAsset({ manifestCid: cid32 }, deps);
    expect([byBase32.tokenId, byBase32.version, byBase32.ok]).toEqual([world.tokenId.toString(), 0, true]);
    const byBase36 = await verifyAsset({ manifestCid: cid36 }, deps);
    expect([byBase36.tokenId, byBase36.version, byBase36.ok]).toEqual([world.tokenId.toString(), 0, true]);
  });
});
