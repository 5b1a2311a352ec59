import { keccak256, toHex } from 'viem';
import { describe, expect, test } from 'vitest';
import { RetryableError } from '../errors/index.js';
import { baseParams, MODEL, MODEL_ID, makeWorld, ROUNDS } from './fixtures.test-helpers.js';
import {
  formatVerifyReport,
  renderAsset,
  type VerifyReport,
  verifyAllVersions,
  verifyAsset,
} from './index.js';
import { type TokenRecord, versionChainHead } from './verify.js';

const failing = (report: VerifyReport) => report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
/** What the chain records after these versions were minted/evolved (the updates really happened). */
const recordedChain = (record: TokenRecord) => ({
  count: record.versions.length,
  head: versionChainHead(record.versions.map((v) => v.commitment)),
});
const flip = (bytes: Uint8Array, index: number) => {
  const copy = bytes.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
};

describe('versionChainHead', () => {
  test('default: equals ProvenanceNFT.chainHead (vector pinned in ProvenanceNFT.t.sol)', () => {
    const k = (text: string) => keccak256(toHex(text));
    expect(versionChainHead([k('genesis')])).toBe(k('genesis'));
    expect(versionChainHead([k('genesis'), k('v1'), k('v2')])).toBe(
      '0x0000000041ab62cdea4d544240a07c0b8897200f5101c82af43796081e198e8d',
    );
  });

  test('behavior: an empty history is refused', () => {
    expect(() => versionChainHead([])).toThrow(/at least the genesis/);
  });
});

describe('verifyAsset', () => {
  test('default: every check of the latest version passes', async () => {
    const world = await makeWorld();
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(report.version).toBe(1);
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'manifest-commitment',
      'manifest-token',
      'model-id',
      'model-approved',
      'oracle-input[0]',
      'oracle-input[1]',
      'oracle-input[2]',
      'market-state',
      'seed',
      'image-bytes',
      'image-cid',
      'metadata-bytes',
      'metadata-cid',
      'token-uri',
      'version-chain',
      'chain-head',
    ]);
    expect(report.checks.every((c) => c.status === 'pass')).toBe(true);
  });

  test('behavior: every past version stays verifiable', async () => {
    const world = await makeWorld();
    const reports = await verifyAllVersions(world.tokenId, world.deps);
    expect(reports.map((r) => [r.version, r.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
  });

  test('tamper: one byte of the image fails exactly image-bytes', async () => {
    const world = await makeWorld();
    const cid = world.v1.image.cid.toString();
    world.content.set(cid, flip(world.content.get(cid)!, 100));
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['image-bytes']);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'image-bytes')!.detail).toMatch(
      /first difference at byte 100/,
    );
  });

  test('tamper: one byte of the weights fails exactly model-id (nothing is re-rendered with it)', async () => {
    const world = await makeWorld();
    const bytes = world.models.get(MODEL_ID)!.slice();
    const text = new TextDecoder().decode(bytes);
    const at = text.indexOf('"weights":[') + '"weights":['.length;
    const digit = text.slice(at).search(/[1-8]/) + at;
    bytes[digit] = bytes[digit]! + 1; // still valid canonical JSON, one weight changed
    world.models.set(MODEL_ID, bytes);
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['model-id']);
    const check = report.checks.find((c) => c.name === 'model-id')!;
    expect(check.expected).toBe(MODEL_ID);
    expect(check.actual).not.toBe(MODEL_ID);
    expect(report.checks.find((c) => c.name === 'image-bytes')!.status).toBe('skip');
  });

  test('tamper: one byte of the manifest fails exactly manifest-commitment (the rest is skipped, the on-chain chain-head still checked)', async () => {
    const world = await makeWorld();
    const cid = world.v1.manifestAddress.cid.toString();
    const bytes = world.content.get(cid)!;
    world.content.set(cid, flip(bytes, bytes.length - 10));
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['manifest-commitment']);
    // Only the check that does not depend on the manifest passes: the logs match the on-chain head.
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual(['chain-head']);
  });

  test('tamper: an oracle input that differs from getRoundData fails exactly that oracle-input', async () => {
    const world = await makeWorld();
    world.rounds.get(ROUNDS[2]!.roundId)!.answer += 1n;
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['oracle-input[1]']);
    const check = report.checks.find((c) => c.name === 'oracle-input[1]')!;
    expect(check.expected).toContain('answer 7598500000');
    expect(check.actual).toContain('answer 7598500001');
  });

  test('tamper: metadata bytes, tokenURI and model approval each fail their own check', async () => {
    const world = await makeWorld();
    const metadataCid = world.v1.metadataAddress.cid.toString();
    world.content.set(metadataCid, flip(world.content.get(metadataCid)!, 3));
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual(['metadata-bytes']);
    world.content.set(metadataCid, world.v1.metadataBytes);
    world.record.tokenUri = `ipfs://${world.v0.metadataAddress.cid.toString()}`;
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual(['token-uri']);
    world.record.tokenUri = `ipfs://${metadataCid}`;
    world.approved.clear();
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual(['model-approved']);
  });

  test('tamper: an update whose parent is not the previous version fails version-chain', async () => {
    const world = await makeWorld();
    const forged = await renderAsset(
      MODEL,
      baseParams(
        1,
        ROUNDS.slice(1, 4),
        {
          manifestCid: world.v1.manifestAddress.cid.toString(),
          commitment: world.v1.commitment,
        },
        world.tokenId,
      ),
    );
    world.content.set(forged.manifestAddress.cid.toString(), forged.manifestBytes);
    world.record.versions[1] = {
      commitment: forged.commitment,
      manifestCid: forged.manifestAddress.cid.toString(),
    };
    world.record.chain = recordedChain(world.record); // the contract does not read manifests: it took it
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['version-chain']);
    expect(report.checks.find((c) => c.name === 'version-chain')!.detail).toMatch(/not the previous version/);
  });

  test('tamper: an update that changes the seed (a different nonce) fails version-chain', async () => {
    const world = await makeWorld();
    const params = baseParams(
      1,
      ROUNDS.slice(1, 4),
      { manifestCid: world.v0.manifestAddress.cid.toString(), commitment: world.v0.commitment },
      world.tokenId,
    );
    const reseeded = await renderAsset(MODEL, { ...params, nonce: '0x99' });
    world.content.set(reseeded.manifestAddress.cid.toString(), reseeded.manifestBytes);
    world.content.set(reseeded.image.cid.toString(), reseeded.png);
    world.content.set(reseeded.metadataAddress.cid.toString(), reseeded.metadataBytes);
    world.record.versions[1] = {
      commitment: reseeded.commitment,
      manifestCid: reseeded.manifestAddress.cid.toString(),
    };
    world.record.tokenUri = `ipfs://${reseeded.metadataAddress.cid.toString()}`;
    world.record.chain = recordedChain(world.record);
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['version-chain']);
    expect(report.checks.find((c) => c.name === 'version-chain')!.detail).toMatch(/seed changed/);
  });

  test('tamper: a log naming another well-formed version than the chain recorded fails chain-head', async () => {
    const world = await makeWorld();
    // Same token, seed and parent as the recorded v1, other oracle rounds: every per-version check
    // passes; only the head binds the logs to what the chain recorded.
    const substitute = await renderAsset(
      MODEL,
      baseParams(
        1,
        ROUNDS.slice(0, 3),
        { manifestCid: world.v0.manifestAddress.cid.toString(), commitment: world.v0.commitment },
        world.tokenId,
      ),
    );
    expect(substitute.commitment).not.toBe(world.v1.commitment);
    world.content.set(substitute.manifestAddress.cid.toString(), substitute.manifestBytes);
    world.content.set(substitute.image.cid.toString(), substitute.png);
    world.content.set(substitute.metadataAddress.cid.toString(), substitute.metadataBytes);
    world.record.versions[1] = {
      commitment: substitute.commitment,
      manifestCid: substitute.manifestAddress.cid.toString(),
    };
    world.record.tokenUri = `ipfs://${substitute.metadataAddress.cid.toString()}`;
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['chain-head']);
    const check = report.checks.find((c) => c.name === 'chain-head')!;
    expect(check.expected).toContain(world.record.chain!.head);
    expect(check.actual).toContain(
      versionChainHead([world.record.versions[0]!.commitment, substitute.commitment]),
    );
    expect(check.detail).toMatch(/not the history the chain recorded/);
    // A past version is checked against the same head.
    expect(failing(await verifyAsset({ tokenId: world.tokenId, version: 0 }, world.deps))).toEqual([
      'chain-head',
    ]);
  });

  test('tamper: a missing update log fails chain-head on the count', async () => {
    const world = await makeWorld();
    world.record.versions.pop();
    delete world.record.tokenUri; // tokenURI names v1, which the logs no longer show
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(report.version).toBe(0);
    expect(failing(report)).toEqual(['chain-head']);
    expect(report.checks.find((c) => c.name === 'chain-head')!.detail).toMatch(/do not hold every version/);
  });

  test('behavior: a record without the on-chain head reports no chain-head check', async () => {
    const world = await makeWorld();
    delete world.record.chain;
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).not.toContain('chain-head');
  });

  test('behavior: an unminted token and a missing manifest fail manifest-commitment', async () => {
    const world = await makeWorld();
    const none = await verifyAsset({ tokenId: world.tokenId + 1n }, world.deps);
    expect(failing(none)).toEqual(['manifest-commitment']);
    expect(none.ok).toBe(false);
    world.content.delete(world.v1.manifestAddress.cid.toString());
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual([
      'manifest-commitment',
    ]);
  });

  test('behavior: retryable dependency errors propagate instead of failing a check', async () => {
    const world = await makeWorld();
    world.deps.readRound = async () => {
      throw new RetryableError('RPC timeout');
    };
    await expect(verifyAsset({ tokenId: world.tokenId }, world.deps)).rejects.toThrow('RPC timeout');
  });

  test('formatVerifyReport: one line per check with ✓ / ✗ and expected vs found', async () => {
    const world = await makeWorld();
    world.rounds.get(ROUNDS[1]!.roundId)!.updatedAt = 1n;
    const text = formatVerifyReport(await verifyAsset({ tokenId: world.tokenId }, world.deps));
    expect(text).toContain('✓ manifest-commitment');
    expect(text).toMatch(
      /✗ oracle-input\[0\] {2}expected round 18446744073709551618: answer 7431000000 at 1700003600 {2}found .* at 1 /,
    );
    expect(text.trim().endsWith('NOT verified')).toBe(true);
  });
});
