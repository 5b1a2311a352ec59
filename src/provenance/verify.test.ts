import { keccak256, sha256, toHex } from 'viem';
import { describe, expect, test } from 'vitest';
import { RetryableError } from '../errors/index.js';
import {
  datasetAnswers,
  fixedToPpm,
  inferFixed,
  inferFixedReal,
  type ModelFile,
  modelFileBytes,
  modelId,
  ORACLE_FEATURE_ANSWERS,
  oracleDatasetFeatures,
  oracleFeaturesFixed,
  oracleFeaturesReal,
  trainForecaster,
} from '../models/index.js';
import { AGENT, baseParams, FEED, MODEL, MODEL_ID, makeWorld, ROUNDS } from './fixtures.test-helpers.js';
import {
  formatVerifyReport,
  renderAsset,
  type VerifyReport,
  verifyAllVersions,
  verifyAsset,
} from './index.js';
import { type ModelApprovalEvent, modelApprovalAt, type TokenRecord, versionChainHead } from './verify.js';

const failing = (report: VerifyReport) => report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
/** What the chain records after these versions were minted/evolved (the updates really happened). */
const recordedChain = (record: TokenRecord) => ({
  count: record.versions.length,
  head: versionChainHead(record.versions.map((v) => v.commitment)),
});
/**
 * The in-memory world as the chain reader returns it: each version carries its log's model id and
 * position (v0 minted in block 100, v1 evolved in block 200), and the registry approved the model in
 * block 50 (`approvals` is its ModelApproved/ModelRevoked history, editable by a test).
 */
async function makeChainWorld() {
  const world = await makeWorld();
  world.record.exists = true;
  Object.assign(world.record.versions[0]!, { modelId: MODEL_ID, blockNumber: 100n, logIndex: 2 });
  Object.assign(world.record.versions[1]!, { modelId: MODEL_ID, blockNumber: 200n, logIndex: 1 });
  const approvals: ModelApprovalEvent[] = [{ approved: true, blockNumber: 50n, logIndex: 0 }];
  world.deps.modelApprovalHistory = async (id) => (id === MODEL_ID ? approvals : []);
  return { ...world, approvals };
}
const checkOf = (report: VerifyReport, name: string) => report.checks.find((c) => c.name === name)!;
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
    const world = await makeChainWorld();
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(report.version).toBe(1);
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'token-exists',
      'metadata-commitment',
      'manifest-commitment',
      'manifest-token',
      'manifest-context',
      'model-id',
      'model-logged',
      'model-approved',
      'oracle-feed',
      'oracle-input[0]',
      'oracle-input[1]',
      'oracle-input[2]',
      'oracle-window',
      'market-state',
      'forecast-replay',
      'seed',
      'image-bytes',
      'image-cid',
      'metadata-bytes',
      'token-uri',
      'version-chain',
      'policy-snapshot',
      'chain-head',
    ]);
    // The fixture renders with no forecast (forecast-replay skipped: nothing to re-derive) and the policy
    // snapshot is reported, not re-derived: neither skip makes the version unverified.
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => [c.name, c.status])).toEqual([
      ['forecast-replay', 'skip'],
      ['policy-snapshot', 'skip'],
    ]);
    expect(checkOf(report, 'forecast-replay').detail).toMatch(/^the render used no forecast/);
    expect(checkOf(report, 'policy-snapshot').detail).toMatch(/^policy snapshot not re-derived/);
    expect(checkOf(report, 'oracle-window').actual).toBe(
      `rounds ${ROUNDS[1]!.roundId}..${ROUNDS[3]!.roundId} (3: phase 1 #2..#4), consecutive; round ${ROUNDS[3]!.roundId} published at block 150 log 0, round ${ROUNDS[3]!.roundId + 1n} not published`,
    );
    expect(checkOf(report, 'model-approved').actual).toBe(
      'approved at block 200 since ModelApproved in block 50',
    );
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
    // Only the checks that do not depend on the manifest pass: the token exists, the logs match the head.
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual([
      'token-exists',
      'metadata-commitment',
      'chain-head',
    ]);
    expect(checkOf(report, 'manifest-commitment').detail).toBe(
      'the stored manifest bytes are not the ones the committed metadata names',
    );
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

  test('tamper: one byte of the metadata fails exactly metadata-commitment (the rest is skipped, the on-chain chain-head still checked)', async () => {
    const world = await makeWorld();
    const metadataCid = world.v1.metadataAddress.cid.toString();
    world.content.set(metadataCid, flip(world.content.get(metadataCid)!, 3));
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['metadata-commitment']);
    expect(report.checks.filter((c) => c.status === 'pass').map((c) => c.name)).toEqual([
      'token-exists',
      'chain-head',
    ]);
    const check = checkOf(report, 'metadata-commitment');
    expect(check.expected).toBe(`${world.v1.commitment} (${metadataCid})`);
    expect(check.actual).toContain(sha256(world.content.get(metadataCid)!));
    expect(check.detail).toBe('the stored metadata bytes are not the ones committed on-chain');
    // The other versions do not depend on it.
    expect((await verifyAsset({ tokenId: world.tokenId, version: 0 }, world.deps)).ok).toBe(true);
  });

  test('tamper: tokenURI and model approval each fail their own check', async () => {
    const world = await makeWorld();
    const metadataCid = world.v1.metadataAddress.cid.toString();
    world.record.tokenUri = `ipfs://${world.v0.metadataAddress.cid.toString()}`;
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual(['token-uri']);
    world.record.tokenUri = `ipfs://${metadataCid}`;
    world.approved.clear(); // no version block known: the current approval decides
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
    world.content.set(forged.metadataAddress.cid.toString(), forged.metadataBytes);
    world.record.versions[1] = {
      commitment: forged.commitment,
      manifestCid: forged.manifestAddress.cid.toString(),
    };
    world.record.tokenUri = `ipfs://${forged.metadataAddress.cid.toString()}`;
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

  test('tamper: the parent manifest altered in the store fails version-chain, naming the hash its bytes have', async () => {
    const world = await makeWorld();
    const cid = world.v0.manifestAddress.cid.toString();
    world.content.set(cid, flip(world.content.get(cid)!, 40));
    const report = await verifyAsset({ tokenId: world.tokenId, version: 1 }, world.deps);
    const check = report.checks.find((c) => c.name === 'version-chain')!;
    expect(check.status).toBe('fail');
    const altered = sha256(world.content.get(cid)!);
    expect(check.actual).toContain(`, whose stored bytes hash to ${altered}`);
    expect(check.detail).toBe(
      `the parent manifest's stored bytes hash to ${altered}, not its CID's digest ${world.v0.manifestDigest}: the parent manifest was altered`,
    );
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

  test('behavior: an unminted token fails token-exists alone; a missing manifest fails manifest-commitment', async () => {
    const world = await makeWorld();
    const none = await verifyAsset({ tokenId: world.tokenId + 1n }, world.deps);
    expect(none.checks.map((c) => [c.name, c.status])).toEqual([['token-exists', 'fail']]);
    expect(none.ok).toBe(false);
    // What the chain reader returns when the NFT reverts with ERC721NonexistentToken.
    world.deps.readTokenRecord = async (id) => ({ tokenId: id, exists: false, versions: [] });
    const text = formatVerifyReport(await verifyAsset({ tokenId: 12345n }, world.deps));
    expect(text).toContain(
      '✗ token-exists  expected token 12345 minted  found not minted (the NFT reverts with ERC721NonexistentToken)',
    );
    expect(text.trim().endsWith('NOT verified')).toBe(true);
    // The header names no version of a token that has none (it printed `version -1`).
    expect(text.split('\n')[0]).toBe('token 12345');
  });

  test('behavior: a version the chain does not have fails metadata-commitment; missing metadata or manifest fails its own check', async () => {
    const world = await makeWorld();
    const report = await verifyAsset({ tokenId: world.tokenId, version: 5 }, world.deps);
    expect(failing(report)).toEqual(['metadata-commitment']);
    // One line for the missing version (and the chain head), not a skip line per check.
    expect(report.checks.map((c) => c.name)).toEqual(['token-exists', 'metadata-commitment', 'chain-head']);
    expect(report.checks[1]!.detail).toBe('no such version: the token has versions 0..1');
    world.content.delete(world.v1.manifestAddress.cid.toString());
    expect(failing(await verifyAsset({ tokenId: world.tokenId }, world.deps))).toEqual([
      'manifest-commitment',
    ]);
    world.content.delete(world.v1.metadataAddress.cid.toString());
    const noMetadata = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(noMetadata)).toEqual(['metadata-commitment']);
    expect(checkOf(noMetadata, 'metadata-commitment').detail).toBe(
      `metadata ${world.v1.metadataAddress.cid.toString()}: content ${world.v1.metadataAddress.cid.toString()} not found`,
    );
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
    // ✓ lines carry the value found.
    const metadataCid = world.v1.metadataAddress.cid.toString();
    const manifestCid = world.v1.manifestAddress.cid.toString();
    expect(text).toContain(
      `✓ metadata-commitment  ${world.v1.commitment} (${metadataCid}), names manifest ${manifestCid}`,
    );
    expect(text).toContain(`✓ manifest-commitment  ${world.v1.manifestDigest} (${manifestCid})`);
    expect(text).toContain(`✓ model-id  ${MODEL_ID}`);
    expect(text).toContain('✓ token-exists  minted, 2 version(s)');
    expect(text).toContain(`✓ image-cid  ${world.v1.image.cid.toString()}`);
    expect(text).toMatch(
      /✗ oracle-input\[0\] {2}expected round 18446744073709551618: answer 7431000000 \(74\.31\) at 1700003600 \(2023-11-14T23:13:20Z\) {2}found .* at 1 \(1970-01-01T00:00:01Z\) /,
    );
    expect(text.trim().endsWith('NOT verified')).toBe(true);
  });
});

describe('modelApprovalAt', () => {
  test('default: the last approval event before the position decides, whatever the order given', () => {
    const history: ModelApprovalEvent[] = [
      { approved: true, blockNumber: 30n, logIndex: 0 },
      { approved: true, blockNumber: 10n, logIndex: 4 },
      { approved: false, blockNumber: 20n, logIndex: 1 },
    ];
    expect(modelApprovalAt(history, { blockNumber: 5n }).approved).toBe(false);
    expect(modelApprovalAt(history, { blockNumber: 15n }).approved).toBe(true);
    const revoked = modelApprovalAt(history, { blockNumber: 25n, logIndex: 0 });
    expect(revoked.approved).toBe(false);
    expect(revoked.last).toEqual({ approved: false, blockNumber: 20n, logIndex: 1 });
    expect(revoked.later).toEqual([{ approved: true, blockNumber: 30n, logIndex: 0 }]);
    expect(modelApprovalAt(history, { blockNumber: 35n }).approved).toBe(true);
  });

  test('behavior: in the same block the log index orders the events', () => {
    const history: ModelApprovalEvent[] = [{ approved: true, blockNumber: 10n, logIndex: 4 }];
    expect(modelApprovalAt(history, { blockNumber: 10n, logIndex: 3 }).approved).toBe(false);
    expect(modelApprovalAt(history, { blockNumber: 10n, logIndex: 5 }).approved).toBe(true);
  });
});

describe('verifyAsset: the model at the version’s block', () => {
  test('behavior: a model revoked after the mint still passes model-approved for the versions made before', async () => {
    const world = await makeChainWorld();
    world.approvals.push({ approved: false, blockNumber: 300n, logIndex: 0 });
    const reports = await verifyAllVersions(world.tokenId, world.deps);
    expect(reports.map((r) => [r.version, r.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(checkOf(reports[0]!, 'model-approved').actual).toBe(
      'approved at block 100 since ModelApproved in block 50; later: ModelRevoked in block 300',
    );
  });

  test('behavior: a version made after the revocation fails model-approved', async () => {
    const world = await makeChainWorld();
    world.approvals.push({ approved: false, blockNumber: 150n, logIndex: 0 });
    const [v0, v1] = await verifyAllVersions(world.tokenId, world.deps);
    expect(failing(v0!)).toEqual([]);
    expect(failing(v1!)).toEqual(['model-approved']);
    const check = checkOf(v1!, 'model-approved');
    expect(check.expected).toBe('approved at block 200 (the Evolved log)');
    expect(check.actual).toBe('revoked at block 200 since ModelRevoked in block 150');
  });

  test('behavior: a model approved only after the mint fails model-approved, even though it is approved now', async () => {
    const world = await makeChainWorld();
    world.approvals.splice(0, 1, { approved: true, blockNumber: 150n, logIndex: 0 });
    expect(await world.deps.isModelApproved(MODEL_ID)).toBe(true);
    const [v0, v1] = await verifyAllVersions(world.tokenId, world.deps);
    expect(failing(v0!)).toEqual(['model-approved']);
    const check = checkOf(v0!, 'model-approved');
    expect(check.actual).toBe('never approved at block 100; later: ModelApproved in block 150');
    expect(check.detail).toMatch(/approved only after this version was made/);
    expect(failing(v1!)).toEqual([]);
    // The same block, a later log: still after the mint.
    world.approvals.splice(0, 1, { approved: true, blockNumber: 100n, logIndex: 3 });
    expect(failing(await verifyAsset({ tokenId: world.tokenId, version: 0 }, world.deps))).toEqual([
      'model-approved',
    ]);
  });

  test('tamper: a log naming another model than the manifest fails exactly model-logged', async () => {
    const world = await makeChainWorld();
    const other = keccak256(toHex('another model'));
    world.record.versions[1]!.modelId = other;
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    expect(failing(report)).toEqual(['model-logged']);
    const check = checkOf(report, 'model-logged');
    expect([check.expected, check.actual]).toEqual([MODEL_ID, other]);
    expect(formatVerifyReport(report)).toContain(`✗ model-logged  expected ${MODEL_ID}  found ${other}`);
  });
});

describe('verifyAsset: --manifest', () => {
  test('default: a manifest alone names its token and version (v0: sha256 of the metadata derived from it; v1: its tokenId)', async () => {
    const world = await makeChainWorld();
    const v0 = await verifyAsset({ manifestCid: world.v0.manifestAddress.cid.toString() }, world.deps);
    expect([v0.tokenId, v0.version, v0.ok]).toEqual([world.tokenId.toString(), 0, true]);
    const v1 = await verifyAsset({ manifestCid: world.v1.manifestAddress.cid.toString() }, world.deps);
    expect([v1.tokenId, v1.version, v1.ok]).toEqual([world.tokenId.toString(), 1, true]);
  });

  test('behavior: with the token id, a past version’s manifest is checked against that version, not the latest', async () => {
    const world = await makeChainWorld();
    const report = await verifyAsset(
      { tokenId: world.tokenId, manifestCid: world.v0.manifestAddress.cid.toString() },
      world.deps,
    );
    expect(report.version).toBe(0);
    expect(failing(report)).toEqual([]);
    // Forcing another version than the manifest describes fails on the commitment.
    const forced = await verifyAsset(
      { tokenId: world.tokenId, version: 1, manifestCid: world.v0.manifestAddress.cid.toString() },
      world.deps,
    );
    expect(failing(forced)).toEqual(['manifest-commitment']);
    // The expected side is the chain's: the manifest version 1's committed metadata names.
    const commitment = forced.checks.find((c) => c.name === 'manifest-commitment')!;
    expect(commitment.expected).toBe(
      `${world.v1.manifestDigest} (${world.v1.manifestAddress.cid.toString()})`,
    );
    expect(commitment.detail).toBe(
      `manifest ${world.v0.manifestAddress.cid.toString()} is not the one this version committed on-chain (its metadata names ${world.v1.manifestAddress.cid.toString()})`,
    );
  });

  test('behavior: an image CID given as the manifest, without a token id, names the manifest CID to pass', async () => {
    const world = await makeChainWorld();
    const image = world.v0.image.cid.toString();
    await expect(verifyAsset({ manifestCid: image }, world.deps)).rejects.toMatchObject({
      message: expect.stringMatching(new RegExp(`^Manifest ${image} cannot tell which token to verify`)),
      details: expect.stringMatching(/Pass the manifest CID of the version \(`provenant art show <tokenId>`/),
    });
  });

  test('behavior: a token id given wins over the manifest’s: an unminted one fails token-exists', async () => {
    const world = await makeChainWorld();
    const report = await verifyAsset(
      { tokenId: world.tokenId + 1n, manifestCid: world.v0.manifestAddress.cid.toString() },
      world.deps,
    );
    expect(failing(report)).toEqual(['token-exists']);
  });

  test('behavior: a manifest not in the store, without a token id, is refused with what to do', async () => {
    const world = await makeChainWorld();
    const cid = world.v0.manifestAddress.cid.toString();
    world.content.delete(cid);
    await expect(verifyAsset({ manifestCid: cid }, world.deps)).rejects.toThrow(
      new RegExp(`Manifest ${cid} cannot tell which token to verify: content ${cid} not found`),
    );
    await expect(verifyAsset({}, world.deps)).rejects.toThrow(/neither a token id nor a manifest CID/);
    // With the token id the version is verified, and the missing manifest fails its check.
    expect(
      failing(await verifyAsset({ tokenId: world.tokenId, version: 0, manifestCid: cid }, world.deps)),
    ).toEqual(['manifest-commitment']);
  });
});

/** The agent's forecaster: ridge on the oracle-only features of daily WTI up to `trainEnd`, 2^-20, seed 42. */
function forecaster(trainEnd: string): { model: ModelFile; id: `0x${string}`; bytes: Uint8Array } {
  const model = trainForecaster({
    features: oracleDatasetFeatures('wti-daily', { scaleBits: 20 }),
    kind: 'ridge',
    trainEnd,
    window: 2520,
    seed: 42,
    name: 'forecaster-wti-ridge',
    version: trainEnd,
    scaleBits: 20,
  }).model;
  return { model, id: modelId(model), bytes: modelFileBytes(model) };
}

describe('forecast-replay: a replay render’s forecast is re-derived from its rounds by the named forecaster', () => {
  const F = forecaster('2020-02-28');
  // 22 real WTI closes (2020-02-12 … 2020-03-13) as the feed publishes them, consecutive round ids.
  const { dates, answers } = datasetAnswers('wti-daily');
  const from = dates.indexOf('2020-02-12');
  const REAL = answers.slice(from, from + 22).map((answer, i) => ({
    roundId: (1n << 64n) + 100n + BigInt(i),
    answer,
    updatedAt: 1_700_000_000n + 86_400n * BigInt(i),
  }));
  /** The forecast of the 21 newest rounds, written out from the rule (docs/provenance.md#forecast-replay). */
  const window = REAL.slice(-ORACLE_FEATURE_ANSWERS).map((r) => r.answer);
  const output = BigInt(inferFixed(F.model, oracleFeaturesFixed(window, 20).map(Number))[0]!);
  const PPM = fixedToPpm(output, 20);

  /** The fixture world with version 0 replaced by a replay render of REAL carrying `forecast`. */
  async function replayWorld(
    forecast: { returnPpm: number; modelId?: `0x${string}` } | undefined,
    rounds = REAL,
  ) {
    const world = await makeWorld();
    const params = baseParams(0, rounds, null);
    if (forecast) params.forecast = forecast;
    else delete params.forecast;
    const asset = await renderAsset(MODEL, params);
    for (const [cid, bytes] of [
      [asset.image.cid, asset.png],
      [asset.metadataAddress.cid, asset.metadataBytes],
      [asset.manifestAddress.cid, asset.manifestBytes],
    ] as const)
      world.content.set(cid.toString(), bytes);
    // The feed published the rounds before the mint (block 100) and nothing after them.
    for (const [i, r] of rounds.entries()) {
      world.rounds.set(r.roundId, { ...r });
      world.published.set(`${FEED}:${r.roundId}`, { blockNumber: BigInt(i + 1), logIndex: 0 });
    }
    world.models.set(F.id, F.bytes);
    const genesis = toHex(asset.tokenId, { size: 32 });
    const minted = { blockNumber: 100n, logIndex: 2, sender: AGENT };
    Object.assign(world.record, {
      tokenId: asset.tokenId,
      versions: [{ commitment: genesis, manifestCid: asset.manifestAddress.cid.toString(), ...minted }],
      tokenUri: `ipfs://${asset.metadataAddress.cid.toString()}`,
      chain: { count: 1, head: versionChainHead([genesis]) },
    });
    return { ...world, asset, verify: () => verifyAsset({ tokenId: asset.tokenId }, world.deps) };
  }

  test('default: the forecaster’s output on the 21 newest rounds, in ppm, verifies; every check passes', async () => {
    // The rule's integers agree with the agent's float view of the same inference (within ½ ppm).
    const mean = inferFixedReal(F.model, oracleFeaturesReal(window, 20))[0]!;
    expect(Math.abs(PPM - mean * 1e6)).toBeLessThanOrEqual(0.5);
    expect(PPM).not.toBe(0);
    const world = await replayWorld({ returnPpm: PPM, modelId: F.id });
    expect(world.asset.manifest.proof).toEqual({ kind: 'replay' });
    expect(world.asset.manifest.marketState.forecastPpm).toBe(PPM);
    const report = await world.verify();
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.name)).toEqual(['policy-snapshot']);
    expect(report.ok).toBe(true);
    const check = checkOf(report, 'forecast-replay');
    expect(check.expected).toBe(
      `forecast ${PPM} ppm of model ${F.id} (fixed-point output ${output} at 2^-20 on rounds ${REAL[1]!.roundId}..${REAL[21]!.roundId})`,
    );
    expect(check.actual).toBe(`forecast ${PPM} ppm of model ${F.id}`);
    expect(report.checks.map((c) => c.name).indexOf('forecast-replay')).toBe(
      report.checks.map((c) => c.name).indexOf('market-state') + 1,
    );
  });

  test('tamper: a forecast number one ppm off fails exactly forecast-replay (market-state and the image stay consistent)', async () => {
    const world = await replayWorld({ returnPpm: PPM + 1, modelId: F.id });
    const report = await world.verify();
    expect(failing(report)).toEqual(['forecast-replay']);
    expect(report.ok).toBe(false);
    const printed = formatVerifyReport(report);
    expect(printed).toContain(
      `✗ forecast-replay  expected forecast ${PPM} ppm of model ${F.id} (fixed-point output ${output} at 2^-20`,
    );
    expect(printed).toContain(`found forecast ${PPM + 1} ppm of model ${F.id}`);
  });

  test('tamper: another forecaster id fails exactly forecast-replay (another forecaster, the generator, an unknown id, altered weights)', async () => {
    const other = forecaster('2019-12-31');
    expect(other.id).not.toBe(F.id);
    const world = await replayWorld({ returnPpm: PPM, modelId: other.id });
    world.models.set(other.id, other.bytes);
    const byOther = await world.verify();
    expect(failing(byOther)).toEqual(['forecast-replay']);
    expect(checkOf(byOther, 'forecast-replay').expected).not.toContain(`forecast ${PPM} ppm`);

    const generator = await replayWorld({ returnPpm: PPM, modelId: MODEL_ID });
    const byGenerator = await generator.verify();
    expect(failing(byGenerator)).toEqual(['forecast-replay']);
    expect(checkOf(byGenerator, 'forecast-replay').detail).toBe(
      `model ${MODEL_ID} is a generator, not a forecaster`,
    );

    const unknownId = `0x${'5a'.repeat(32)}` as const;
    const unknown = await replayWorld({ returnPpm: PPM, modelId: unknownId });
    const byUnknown = await unknown.verify();
    expect(failing(byUnknown)).toEqual(['forecast-replay']);
    expect(checkOf(byUnknown, 'forecast-replay').detail).toBe(
      `forecaster file: model ${unknownId} not found`,
    );

    // The named file exists but its weights were altered: it no longer hashes to the id.
    const altered = await replayWorld({ returnPpm: PPM, modelId: F.id });
    const text = new TextDecoder().decode(F.bytes);
    const at = text.indexOf('"weights":[') + '"weights":['.length;
    const digit = text.slice(at).search(/[1-8]/) + at;
    const bytes = F.bytes.slice();
    bytes[digit] = bytes[digit]! + 1;
    altered.models.set(F.id, bytes);
    const byAltered = await altered.verify();
    expect(failing(byAltered)).toEqual(['forecast-replay']);
    expect(checkOf(byAltered, 'forecast-replay').detail).toBe(
      'the forecaster file does not hash to the model id in the manifest',
    );
  });

  test('tamper: an oracle input that differs from the chain fails oracle-input only (the replay uses the committed rounds)', async () => {
    const world = await replayWorld({ returnPpm: PPM, modelId: F.id });
    world.rounds.get(REAL[21]!.roundId)!.answer += 1n;
    expect(failing(await world.verify())).toEqual(['oracle-input[21]']);
  });

  test('behavior: fewer than 21 rounds, or a gap in their ids, cannot carry a named forecast: forecast-replay fails', async () => {
    const short = await replayWorld({ returnPpm: PPM, modelId: F.id }, REAL.slice(-20));
    const byShort = await short.verify();
    expect(failing(byShort)).toEqual(['forecast-replay']);
    expect(checkOf(byShort, 'forecast-replay').detail).toBe(
      "the manifest carries 20 round(s); the forecaster's features need 21",
    );
    const gapped = REAL.map((r, i) => (i < 12 ? r : { ...r, roundId: r.roundId + 1n }));
    const byGap = await (await replayWorld({ returnPpm: PPM, modelId: F.id }, gapped)).verify();
    // The gap also breaks the market window (oracle-window), whatever the forecast.
    expect(failing(byGap)).toEqual(['oracle-window', 'forecast-replay']);
    expect(checkOf(byGap, 'forecast-replay').detail).toMatch(
      /not consecutive \(round \d+ is followed by \d+; at most one aggregator upgrade may sit between two rounds\)/,
    );
  });

  test('behavior: a window across one aggregator upgrade (phase 1 round k, then phase 2 round 1) replays its forecast', async () => {
    const phase = (p: bigint, n: bigint) => (p << 64n) | n;
    const bridged = REAL.map((r, i) => ({
      ...r,
      roundId: i < 12 ? phase(1n, 100n + BigInt(i)) : phase(2n, BigInt(i - 11)),
    }));
    const byBridge = await (await replayWorld({ returnPpm: PPM, modelId: F.id }, bridged)).verify();
    expect(checkOf(byBridge, 'forecast-replay').status).toBe('pass');
    // Two upgrades inside one window are no window of the feed's rounds.
    const twice = bridged.map((r, i) => (i >= 16 ? { ...r, roundId: phase(3n, BigInt(i - 15)) } : r));
    const byTwice = await (await replayWorld({ returnPpm: PPM, modelId: F.id }, twice)).verify();
    expect(checkOf(byTwice, 'forecast-replay').detail).toMatch(/at most one aggregator upgrade/);
  });

  test('behavior: a render with no forecast skips forecast-replay with the reason and still verifies', async () => {
    const world = await replayWorld(undefined);
    expect(world.asset.manifest.inputs.forecast).toBeUndefined();
    expect(world.asset.manifest.marketState.forecastPpm).toBe(0);
    const report = await world.verify();
    expect(report.checks.filter((c) => c.status !== 'pass').map((c) => [c.name, c.status])).toEqual([
      ['forecast-replay', 'skip'],
      ['policy-snapshot', 'skip'],
    ]);
    expect(checkOf(report, 'forecast-replay').detail).toMatch(
      /^the render used no forecast \(forecastPpm 0 by design/,
    );
    expect(report.ok).toBe(true);
    expect(formatVerifyReport(report)).toContain('– forecast-replay  (the render used no forecast');
  });

  test('behavior: a groth16 render reports no forecast-replay (its forecast is checked by the zk-forecast checks)', async () => {
    const world = await replayWorld({ returnPpm: PPM, modelId: F.id });
    const manifest = JSON.parse(new TextDecoder().decode(world.asset.manifestBytes)) as { proof: unknown };
    expect(manifest.proof).toEqual({ kind: 'replay' });
    const params = baseParams(0, REAL, null);
    const groth = await renderAsset(MODEL, {
      ...params,
      forecast: { returnPpm: fixedToPpm(output, 20), modelId: F.id },
      proof: {
        kind: 'groth16',
        forecastProof: { modelId: F.id, proofId: `0x${'11'.repeat(32)}` },
        gate: FEED,
        roundIds: REAL.slice(-ORACLE_FEATURE_ANSWERS).map((r) => r.roundId.toString()),
        outputs: [output.toString(), '0'],
        scaleBits: 20,
      },
    });
    world.content.set(groth.manifestAddress.cid.toString(), groth.manifestBytes);
    world.content.set(groth.image.cid.toString(), groth.png);
    world.content.set(groth.metadataAddress.cid.toString(), groth.metadataBytes);
    const genesis = toHex(groth.tokenId, { size: 32 });
    Object.assign(world.record, {
      tokenId: groth.tokenId,
      versions: [{ commitment: genesis, manifestCid: groth.manifestAddress.cid.toString() }],
      tokenUri: `ipfs://${groth.metadataAddress.cid.toString()}`,
      chain: { count: 1, head: versionChainHead([genesis]) },
    });
    const report = await verifyAsset({ tokenId: groth.tokenId }, world.deps);
    const names = report.checks.map((c) => c.name);
    expect(names).not.toContain('forecast-replay');
    expect(names).toContain('zk-forecast-recorded');
  });
});
