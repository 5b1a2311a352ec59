// Why: the order of the checks, and which failures stop the later ones, in one place; each check lives apart.

import { type CheckList, checkList } from './checkList.js';
import {
  type CommittedManifest,
  manifestCommitmentCheck,
  manifestTokenCheck,
  metadataCommitmentCheck,
  normalCid,
} from './commitment.js';
import { forecastReplayCheck } from './forecastReplay.js';
import { manifestContextCheck } from './manifestContext.js';
import { modelApprovedCheck } from './modelApproval.js';
import { modelIdCheck, modelLoggedCheck } from './modelFile.js';
import { oracleFeedCheck, oracleInputChecks } from './oracleInputs.js';
import { oracleWindowCheck } from './oracleWindow.js';
import { outputChecks, tokenUriCheck } from './outputs.js';
import { policySnapshotCheck } from './policySnapshot.js';
import { marketStateCheck, seedCheck } from './renderInputs.js';
import { missingVersionCheck, resolveTarget, type Target, tokenExistsCheck } from './target.js';
import type {
  Hex,
  TokenRecord,
  TokenVersionRecord,
  VerifyDependencies,
  VerifyInput,
  VerifyReport,
} from './types.js';
import { versionChainCheck } from './versionChain.js';
import { zkForecastChecks } from './zkForecast.js';

/**
 * Verifies one version of a token by re-derivation, starting from the chain: the token must exist
 * (`token-exists`); the metadata stored under the version's commitment (token id or
 * `Evolved.metadataDigest`) must hash to it and name a manifest (`metadata-commitment`); that manifest
 * must be the one the version's log records, hash to its CID and parse (`manifest-commitment`), and
 * name this chain, NFT, guard and minting agent (`manifest-context`); the model file must hash to the model id, match the manifest's description,
 * be the one the version's log recorded (`model-logged`) and have been approved at the version's
 * block; the feed must be one of the deployment's (`oracle-feed`), every oracle input must equal the
 * oracle's round, and the rounds must be the feed's latest consecutive window at the version's log
 * (`oracle-window`); re-running the generator must reproduce the image bytes and CID and the
 * committed metadata bytes; the version must point at its on-chain parent; and, when the record carries the on-chain chain
 * head, the head recomputed from the logged commitments must equal it (`chain-head`).
 *
 * Checks that cannot be trusted are skipped, not failed: when the metadata or the manifest does not
 * match the commitment nothing the manifest says is checked, and when the model file does not match its id nothing is
 * re-rendered. So a single tampered piece fails exactly its own check.
 *
 * Retryable errors from the dependencies (RPC or network down) propagate; everything else becomes
 * a failed check.
 */
export async function verifyAsset(input: VerifyInput, deps: VerifyDependencies): Promise<VerifyReport> {
  // One spelling of the given CID (base36 `k…` and base32 `bafk…` name the same manifest): a mint's token id
  // is derived from the metadata naming it, and the logs name it in base32.
  const given =
    input.manifestCid === undefined ? input : { ...input, manifestCid: normalCid(input.manifestCid) };
  const target = await resolveTarget(given, deps);
  return verifyTarget(target, given.manifestCid, await deps.readTokenRecord(target.tokenId), deps);
}

/** Verifies `target` against `record`, the token's on-chain record (read once per token by `verifyAllVersions`). */
async function verifyTarget(
  target: Target,
  givenCid: string | undefined,
  record: TokenRecord,
  deps: VerifyDependencies,
): Promise<VerifyReport> {
  const tokenId = target.tokenId;
  const version = target.version ?? versionOfManifest(record, givenCid, target.claimedVersion);
  const onChain = version >= 0 ? record.versions[version] : undefined;
  const checks = checkList(tokenId, version, record, onChain);

  // 0. token-exists: a token the NFT does not know has nothing else to check.
  const exists = tokenExistsCheck(record, tokenId);
  checks.add(exists);
  if (exists.status === 'fail') return checks.report(givenCid);

  // 1. metadata-commitment: the chain's commitment leads to the metadata, which names the manifest.
  if (!onChain) {
    // Nothing else can be checked against a version that does not exist: one line says so, not a skip per check.
    checks.add(missingVersionCheck(record, version));
    return checks.report(givenCid);
  }
  const metadata = await metadataCommitmentCheck(onChain, deps);
  checks.add(metadata.check);
  if ('skipReason' in metadata) {
    checks.skipFrom('manifest-commitment', metadata.skipReason);
    return checks.report(givenCid ?? onChain.manifestCid);
  }

  // 2. manifest-commitment: that manifest is the logged one (and the given one), and its bytes hash to its CID.
  const given = givenCid !== undefined ? { cid: givenCid, loaded: target.manifest } : undefined;
  const commitment = await manifestCommitmentCheck(metadata.committed, onChain, given, deps);
  checks.add(commitment.check);
  if ('skipReason' in commitment) {
    checks.skipFrom('manifest-token', commitment.skipReason);
    return checks.report(givenCid ?? metadata.committed.manifestCid);
  }
  await checkCommittedManifest(commitment.committed, { tokenId, version, record, onChain }, deps, checks);
  return checks.report(commitment.committed.manifestCid);
}

/**
 * The version `verify --manifest <cid>` checks when no version is given: the one whose Minted/Evolved
 * log records that manifest, else the version the manifest states, else the latest.
 */
function versionOfManifest(
  record: TokenRecord,
  givenCid: string | undefined,
  claimedVersion: number | undefined,
): number {
  if (givenCid !== undefined) {
    const logged = record.versions.findIndex((v) => v.manifestCid === givenCid);
    if (logged >= 0) return logged;
    if (claimedVersion !== undefined) return claimedVersion;
  }
  return record.versions.length - 1;
}

/** The version a committed manifest is checked against: the token, its record and the version's entry. */
type VersionUnderCheck = {
  tokenId: bigint;
  version: number;
  record: TokenRecord;
  onChain: TokenVersionRecord;
};

/**
 * Every check after `manifest-commitment`, in report order, on a manifest the version's committed
 * metadata names and whose bytes hash to that name (so its claims can be checked one by one).
 */
async function checkCommittedManifest(
  committed: CommittedManifest,
  { tokenId, version, record, onChain }: VersionUnderCheck,
  deps: VerifyDependencies,
  checks: CheckList,
): Promise<void> {
  const { manifest } = committed;
  // 3. manifest-token: a mint's manifest names no token (its id is the genesis commitment); an update names its token.
  checks.add(manifestTokenCheck(committed, tokenId, version));

  // 2b. manifest-context: the chain, NFT, guard and agent the manifest names are the ones verified here.
  checks.add(await manifestContextCheck(manifest, onChain, version, deps));

  // 3. model-id
  const { check: modelCheck, model } = await modelIdCheck(manifest, deps);
  checks.add(modelCheck);

  // 4. model-logged: the model the Minted/Evolved log recorded (what the guard let through).
  const logged = modelLoggedCheck(manifest, onChain, version);
  if (logged) checks.add(logged);

  // 5. model-approved, at the version's own block
  checks.add(await modelApprovedCheck(manifest.model.id as Hex, onChain, version, deps));

  // 6. oracle-feed: the manifest's feed is one of the deployment's, with the decimals it states.
  checks.add(await oracleFeedCheck(manifest, deps));

  // 6b. oracle-input[i]
  checks.add(...(await oracleInputChecks(manifest, deps)));

  // 6c. oracle-window: consecutive rounds ending at the feed's latest round when the version was made.
  checks.add(await oracleWindowCheck(manifest, onChain, version, deps));

  // 7. market-state
  checks.add(marketStateCheck(manifest));

  // 7b. forecast-replay (replay renders; a groth16 render's forecast is checked by the zk-forecast checks).
  // A render with no forecast at all is skipped, informationally: there is nothing to re-derive.
  if (manifest.proof.kind === 'replay') {
    const check = await forecastReplayCheck(manifest, deps);
    if (manifest.inputs.forecast === undefined) checks.addInformational(check);
    else checks.add(check);
  }

  // 8. seed
  checks.add(seedCheck(manifest));

  // 9–12. re-derivation
  checks.add(...(await outputChecks(model, committed, deps)));

  // 13. token-uri (only for the latest version, and only when the record carries it)
  const uri = tokenUriCheck(record, version, committed);
  if (uri) checks.add(uri);

  // 14. version-chain
  checks.add(await versionChainCheck(manifest, record, onChain, version, deps));

  // 14b. policy-snapshot: re-derived when the guard's history is readable, else reported (informational).
  checks.addInformational(await policySnapshotCheck(manifest, tokenId, onChain, version, deps));

  // 15. groth16 renders: the proven forecast (zk gate record, scale, input, rounds, ERC-7007 verify)
  checks.add(...(await zkForecastChecks(committed, record, tokenId, version, deps)));
}

/**
 * Verifies every version of a token, oldest first. The token's on-chain record (its Minted/Evolved log
 * scans, version chain, tokenURI and senders) is read once and shared by every version: it is the same
 * record `verifyAsset` would read again per version. A token the NFT does not know gives one report
 * (`token-exists` failed), as `verifyAsset` does.
 */
export async function verifyAllVersions(tokenId: bigint, deps: VerifyDependencies): Promise<VerifyReport[]> {
  const record = await deps.readTokenRecord(tokenId);
  if (record.versions.length === 0) return [await verifyTarget({ tokenId }, undefined, record, deps)];
  const reports: VerifyReport[] = [];
  for (let version = 0; version < record.versions.length; version += 1) {
    reports.push(await verifyTarget({ tokenId, version }, undefined, record, deps));
  }
  return reports;
}
