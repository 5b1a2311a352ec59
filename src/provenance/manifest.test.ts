import { sha256 } from 'viem';
import { describe, expect, test } from 'vitest';
import { baseParams, MODEL, ROUNDS } from './fixtures.test-helpers.js';
import {
  InvalidManifestError,
  manifestBytes,
  parseManifest,
  parseMetadataProvenance,
  renderAsset,
  validateManifest,
  versionCommitment,
} from './index.js';

describe('manifest', () => {
  test('default: canonical bytes and raw CIDs; the commitment is sha256 of the metadata, which names the manifest; rendering twice gives the same bytes', async () => {
    const a = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    const b = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    expect(a.manifestBytes).toEqual(b.manifestBytes);
    expect(a.metadataBytes).toEqual(b.metadataBytes);
    expect(a.commitment).toBe(sha256(a.metadataBytes));
    expect(versionCommitment(a.metadataBytes)).toBe(a.commitment);
    expect(a.manifestDigest).toBe(sha256(a.manifestBytes));
    // Both are single raw blocks: CIDv1 raw (bafkrei…) whose digest is the sha256 of the bytes.
    expect(a.manifestAddress.cid.code).toBe(0x55);
    expect(a.metadataAddress.cid.code).toBe(0x55);
    expect(`0x${Buffer.from(a.metadataAddress.cid.multihash.digest).toString('hex')}`).toBe(a.commitment);
    expect(`0x${Buffer.from(a.manifestAddress.cid.multihash.digest).toString('hex')}`).toBe(a.manifestDigest);
    expect(a.metadata.provenance).toBe(`ipfs://${a.manifestAddress.cid.toString()}`);
    expect(parseMetadataProvenance(a.metadataBytes).manifestCid).toBe(a.manifestAddress.cid.toString());
    expect(new TextDecoder().decode(a.manifestBytes)).not.toContain(a.metadataAddress.cid.toString());
    expect(parseManifest(a.manifestBytes)).toEqual(a.manifest);
    expect(a.manifest).toMatchObject({
      format: 'provenant-manifest/2',
      asset: { version: 0, contract: '0x5fbdb2315678afecb367f032d93f642f64180aa3' },
      model: { kind: 'generator', name: 'provenant-cppn', algorithm: 'provenant-cppn/1' },
      inputs: {
        oracle: {
          decimals: 8,
          rounds: [
            { roundId: '18446744073709551617', answer: '7512000000', updatedAt: '1700000000' },
            {},
            {},
          ],
        },
      },
      proof: { kind: 'replay' },
      parent: null,
    });
    expect(a.manifest.asset.tokenId).toBeUndefined();
    expect(a.tokenId).toBe(BigInt(a.commitment));
    expect(a.manifest.parameters.seed).toBe(a.seed);
    expect(a.manifest.outputs).toEqual({
      image: { cid: a.image.cid.toString(), mediaType: 'image/png', size: a.png.length },
    });
  });

  test('behavior: an update names its parent by manifest CID and commitment, keeps the seed, and gets another commitment', async () => {
    const v0 = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    const parent = { manifestCid: v0.manifestAddress.cid.toString(), commitment: v0.commitment };
    const v1 = await renderAsset(MODEL, baseParams(1, ROUNDS.slice(1, 4), parent, v0.tokenId));
    expect(v1.tokenId).toBe(v0.tokenId);
    expect(v1.manifest.parent).toEqual(parent);
    expect(v1.manifest.asset.tokenId).toBe(v0.tokenId.toString());
    expect(v1.seed).toBe(v0.seed);
    expect(v1.commitment).toBe(sha256(v1.metadataBytes));
    expect(v1.commitment).not.toBe(v0.commitment);
  });

  test('behavior: a manifest of the old format /1 (naming its metadata CID) is refused', async () => {
    const { manifest } = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    const old = {
      ...manifest,
      format: 'provenant-manifest/1',
      outputs: {
        ...manifest.outputs,
        metadata: { cid: manifest.outputs.image.cid, mediaType: 'application/json' },
      },
    };
    const error = (() => {
      try {
        validateManifest(old);
      } catch (e) {
        return e as InvalidManifestError;
      }
    })()!;
    expect(error).toBeInstanceOf(InvalidManifestError);
    expect(error.issues.some((i) => i.startsWith('format:'))).toBe(true);
    expect(error.issues.some((i) => i.includes('metadata'))).toBe(true);
  });

  test('behavior: schema errors name every bad field', async () => {
    const { manifest } = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    const bad = structuredClone(manifest) as Record<string, unknown> & typeof manifest;
    bad.agent = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
    bad.inputs.oracle.rounds[0]!.answer = '07';
    (bad as Record<string, unknown>).extra = 1;
    const error = (() => {
      try {
        validateManifest(bad);
      } catch (e) {
        return e as InvalidManifestError;
      }
    })()!;
    expect(error).toBeInstanceOf(InvalidManifestError);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        'agent: expected a lowercase 0x address (40 hex digits)',
        'inputs.oracle.rounds.0.answer: expected an integer as a decimal string',
      ]),
    );
    expect(error.issues.some((i) => i.includes('extra'))).toBe(true);
  });

  test('behavior: a mint has no token id and no parent; an update has both', async () => {
    const { manifest } = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    expect(() => validateManifest({ ...manifest, asset: { ...manifest.asset, tokenId: '1' } })).toThrow(
      InvalidManifestError,
    );
    const update = { ...manifest, asset: { ...manifest.asset, version: 1 } };
    const error = (() => {
      try {
        validateManifest(update);
      } catch (e) {
        return e as InvalidManifestError;
      }
    })()!;
    expect(error.issues).toEqual([
      'asset.tokenId: an update (version ≥ 1) names its tokenId',
      'parent: an update names its parent version',
    ]);
    await expect(renderAsset(MODEL, baseParams(1, ROUNDS.slice(0, 3), null))).rejects.toThrow(
      InvalidManifestError,
    );
  });

  test('behavior: non-canonical or non-JSON bytes are refused', async () => {
    const { manifest } = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    const pretty = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
    expect(() => parseManifest(pretty)).toThrow(/not canonical/);
    expect(() => parseManifest(new TextEncoder().encode('{'))).toThrow(/not JSON/);
    expect(() => manifestBytes({ ...manifest, proof: { kind: 'zk' } } as never)).toThrow(
      InvalidManifestError,
    );
  });

  test("behavior: the asset's image or metadata given as its manifest is named as such (review 6)", async () => {
    const asset = await renderAsset(MODEL, baseParams(0, ROUNDS.slice(0, 3), null));
    expect(() => parseManifest(asset.png, 'bafyimage')).toThrow(
      /manifest bafyimage: these bytes are a PNG image, not a provenance manifest; the manifest's CID is the one the version's metadata names as "provenance" and its Minted\/Evolved log records/,
    );
    expect(() => parseManifest(asset.metadataBytes)).toThrow(/these bytes are NFT metadata JSON/);
    expect(parseManifest(asset.manifestBytes)).toEqual(asset.manifest);
  });
});
