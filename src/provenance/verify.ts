import { concat, keccak256, toHex } from 'viem';
import { firstRoundOfNextPhase, phaseOf } from '../chain/index.js';
import { isRetryable, NonRetryableError } from '../errors/index.js';
import {
  artSeed,
  canonicalJson,
  fixedToPpm,
  GENERATOR_ALGORITHM,
  inferFixed,
  type ModelFile,
  marketStateFromRounds,
  ORACLE_FEATURE_ANSWERS,
  oracleFeaturesFixed,
  parseModelFile,
  validateGeneratorModel,
} from '../models/index.js';
import { deriveOutputs } from './asset.js';
import { addBytes, parseCid, profileOf } from './cid.js';
import { type ForecastProofDependencies, forecastProofChecks } from './forecastProofChecks.js';
import { type Manifest, parseManifest } from './manifest.js';

export type Hex = `0x${string}`;

/** One version of a token as the chain records it. */
export type TokenVersionRecord = {
  /**
   * The 32-byte provenance commitment: keccak256 of the manifest bytes (version 0's is the token id).
   * ProvenanceNFT keeps only a hash-chain head over them; each one comes from its Minted/Evolved log
   * and is bound by the `chain-head` check.
   */
  commitment: Hex;
  /** The manifest CID, from the mint/update event (the full record lives in events). */
  manifestCid?: string;
  /** The parent commitment the contract stored with this version, if it stores one. */
  parentCommitment?: Hex;
  /**
   * The model id the version's Minted/Evolved log recorded (what the guard allowed). When present,
   * `model-logged` compares it with the manifest's model id.
   */
  modelId?: Hex;
  /**
   * Where the version's Minted/Evolved log sits (block, and log index within the block): the model
   * must have been approved there (`model-approved`), whatever its status is now.
   */
  blockNumber?: bigint;
  logIndex?: number;
  /**
   * The account that sent the transaction of the version's Minted/Evolved log (the agent the guard let
   * through): `manifest-context` compares it with the manifest's `agent`.
   */
  sender?: Hex;
};

/** A position on the chain: a block and, optionally, a log index within it. */
export type ChainPosition = { blockNumber: bigint; logIndex?: number | undefined };

/** One ModelRegistry `ModelApproved` (approved: true) or `ModelRevoked` (approved: false) log. */
export type ModelApprovalEvent = { approved: boolean; blockNumber: bigint; logIndex: number };

/** ProvenanceNFT's `versionChain(tokenId)`: the version count and the head of the hash chain. */
export type VersionChain = { count: number; head: Hex };

export type TokenRecord = {
  tokenId: bigint;
  /**
   * False when the NFT says the token does not exist (`ERC721NonexistentToken`): never minted. The
   * record then has no versions and `verify` reports `token-exists` failed.
   */
  exists?: boolean;
  /** Version 0 (the mint) first. */
  versions: TokenVersionRecord[];
  /** `tokenURI(tokenId)`, if read; checked against the metadata CID of the latest version. */
  tokenUri?: string;
  /**
   * The on-chain version chain, if read: `verify` recomputes the head from `versions` (the
   * commitments in the logs) and reports `chain-head`.
   */
  chain?: VersionChain;
};

const HEAD_MASK = (1n << 224n) - 1n;

/**
 * ProvenanceNFT's version hash chain (`chainHead`): `h_0 = commitments[0]` (the genesis commitment,
 * i.e. the token id), `h_n = keccak256(abi.encode(h_{n-1}, commitments[n]))` with its top 32 bits
 * cleared (the contract keeps the version index there).
 */
export function versionChainHead(commitments: readonly Hex[]): Hex {
  if (commitments.length === 0)
    throw new NonRetryableError(
      'versionChainHead was given no commitments; it needs at least the genesis one.',
      {
        details: 'Pass the commitments of versions 0…n, version 0 (the token id) first.',
      },
    );
  let head = toHex(BigInt(commitments[0]!), { size: 32 });
  for (const commitment of commitments.slice(1)) {
    const next = BigInt(keccak256(concat([head, toHex(BigInt(commitment), { size: 32 })])));
    head = toHex(next & HEAD_MASK, { size: 32 });
  }
  return head;
}

/** The `chain-head` check: the head recomputed from the logged commitments against the stored one. */
function chainHeadCheck(record: TokenRecord, chain: VersionChain): VerifyCheck {
  const logged = record.versions.length;
  const recomputed = logged === 0 ? undefined : versionChainHead(record.versions.map((v) => v.commitment));
  const ok = logged === chain.count && recomputed?.toLowerCase() === chain.head.toLowerCase();
  return {
    name: 'chain-head',
    status: ok ? 'pass' : 'fail',
    expected: `head ${chain.head} over ${chain.count} version(s) (on-chain versionChain)`,
    actual: `head ${recomputed ?? 'none'} over ${logged} version(s) (recomputed from the Minted/Evolved logs)`,
    ...(ok
      ? {}
      : {
          detail:
            logged !== chain.count
              ? 'the logs do not hold every version the chain counts'
              : 'the logged commitments are not the history the chain recorded',
        }),
  };
}

export type RoundData = { roundId: bigint; answer: bigint; updatedAt: bigint };

/** What `policySnapshot` reads: the guard's policy for the NFT's MINT (version 0) or UPDATE (of `tokenId`). */
export type PolicySnapshotQuery = {
  guard: Hex;
  nft: Hex;
  action: 'MINT' | 'UPDATE';
  modelId: Hex;
  tokenId?: bigint;
  blockNumber: bigint;
};

/** The chain being verified: its id, the NFT the token lives on, and that NFT's `guard()`. */
export type ChainContext = { chainId: number; nft: Hex; guard: Hex };

/** Read functions `verifyAsset` needs; the CLI wires them to the chain and the content store. */
export type VerifyDependencies = {
  readTokenRecord(tokenId: bigint): Promise<TokenRecord>;
  /** AggregatorV3 `getRoundData(roundId)` on `feed`. */
  readRound(feed: Hex, roundId: bigint): Promise<RoundData>;
  /** The registry's approval now (used when a version's block or the approval history is not known). */
  isModelApproved(modelId: Hex): Promise<boolean>;
  /**
   * The registry's ModelApproved/ModelRevoked logs for `modelId`, any order: `model-approved` rebuilds
   * the approval status at the version's own block from them (no historical state needed on the node).
   */
  modelApprovalHistory?(modelId: Hex): Promise<ModelApprovalEvent[]>;
  /** The model file's bytes (the shipped file, a registry download, …). */
  loadModelFile(modelId: Hex): Promise<Uint8Array>;
  /** Bytes by CID (local content store, IPFS gateway, …). */
  loadContent(cid: string): Promise<Uint8Array>;
  /**
   * The chain being verified (`manifest-context`: the manifest's chainId, asset.contract and
   * policy.guard must be these). Without it `manifest-context` is skipped, so no version is `ok`.
   */
  chainContext?(): Promise<ChainContext>;
  /**
   * The deployment's oracle feeds (AggregatorV3 addresses): `oracle-feed` requires the manifest's feed
   * to be one of them. Without it `oracle-feed` is skipped, so no version is `ok`.
   */
  oracleFeeds?(): Promise<Hex[]>;
  /** AggregatorV3 `decimals()` of `feed` (`oracle-feed` compares the manifest's decimals with it). */
  readFeedDecimals?(feed: Hex): Promise<number>;
  /**
   * Where round `roundId` of `feed` was published (its `AnswerUpdated` log), or undefined when the feed
   * never published it: `oracle-window` requires the manifest's newest round to be the feed's latest at
   * the version's log. Without it that part of `oracle-window` is skipped, so no version is `ok`.
   */
  roundPublication?(feed: Hex, roundId: bigint): Promise<ChainPosition | undefined>;
  /**
   * The guard's policy snapshot for an art action read at `blockNumber` (what the agent's
   * `artPolicySection` records). With it `policy-snapshot` re-derives the manifest's snapshot at the
   * block it names; without it, or when it returns undefined (the node holds no state at that block: not
   * an archive node, or a devnet restarted from a state dump), the snapshot is reported as not re-derived
   * (an informational skip).
   */
  policySnapshot?(query: PolicySnapshotQuery): Promise<Manifest['policy']['snapshot'] | undefined>;
  /**
   * Reads for a `groth16` render's checks (the zk gate's record, ERC-7007 `verify` on the NFT). Without
   * them a `groth16` version reports `zk-forecast-recorded` as skipped, so it is not `ok`.
   */
  forecastProof?: Omit<ForecastProofDependencies, 'loadModelFile'>;
};

export type VerifyInput = {
  /**
   * The token. Optional with `manifestCid`: a mint's manifest is the token id (keccak256 of its
   * bytes), an update's manifest names its token.
   */
  tokenId?: bigint;
  /** Default: the version `manifestCid` describes, else the latest version. */
  version?: number;
  /** Verify this manifest (its own version, unless `version` says otherwise) instead of the CID the chain's events name. */
  manifestCid?: string;
};

export type CheckStatus = 'pass' | 'fail' | 'skip';

export type VerifyCheck = {
  /** e.g. 'manifest-commitment', 'oracle-input[2]'. */
  name: string;
  status: CheckStatus;
  expected?: string;
  actual?: string;
  /** Why it failed or was skipped, in one sentence. */
  detail?: string;
};

export type VerifyReport = {
  tokenId: string;
  version: number;
  manifestCid?: string;
  /**
   * True when no check failed and the re-derivation ran (nothing skipped), except two skips that are
   * reported with their reason but do not make the version unverified: `forecast-replay` of a render
   * that used no forecast at all (forecastPpm 0, checked by market-state), and `policy-snapshot` (the
   * guard's rules as the agent read them at render time are informational, not re-derived). A forecast
   * that names no forecaster fails `forecast-replay`.
   */
  ok: boolean;
  /**
   * Skipped checks that keep the version from being verified (every skip but the two informational
   * ones): a version can be NOT verified with no ✗ line, e.g. when the model file is unavailable.
   */
  notChecked: string[];
  checks: VerifyCheck[];
};

/** Names of the checks, in the order they are reported (oracle inputs expand to one per round). */
export const CHECK_NAMES = [
  'token-exists',
  'manifest-commitment',
  'manifest-token',
  'manifest-context',
  'model-id',
  'model-logged',
  'model-approved',
  'oracle-feed',
  'oracle-input[i]',
  'oracle-window',
  'market-state',
  'forecast-replay',
  'seed',
  'image-bytes',
  'image-cid',
  'metadata-bytes',
  'metadata-cid',
  'token-uri',
  'version-chain',
  'policy-snapshot',
  'chain-head',
] as const;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) if (a[i] !== b[i]) return `first difference at byte ${i} of ${a.length}`;
  return `lengths differ: ${a.length} vs ${b.length}`;
}

function describe(bytes: Uint8Array): string {
  return `${bytes.length} bytes, keccak256 ${keccak256(bytes)}`;
}

/** Loads content, turning non-retryable failures into a message; retryable ones propagate. */
async function tryLoad(load: () => Promise<Uint8Array>): Promise<{ bytes: Uint8Array } | { error: string }> {
  const r = await tryRead(load);
  return 'error' in r ? r : { bytes: r.value };
}

/** The first line of an error's message. */
const firstLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? String(error);

/**
 * Runs a read, turning non-retryable failures (a revert, a missing file) into a message for a ✗ line;
 * retryable ones (RPC or network down) propagate.
 */
async function tryRead<T>(read: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (isRetryable(error)) throw error;
    return { error: firstLine(error) };
  }
}

const sameAddress = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();

/** True when position `a` is before `b` (same block and a log index unknown: counted as before). */
function positionBefore(a: ChainPosition, b: ChainPosition): boolean {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber;
  return a.logIndex === undefined || b.logIndex === undefined || a.logIndex < b.logIndex;
}

const describePosition = (p: ChainPosition) =>
  `block ${p.blockNumber}${p.logIndex !== undefined ? ` log ${p.logIndex}` : ''}`;

const logName = (version: number) => (version === 0 ? 'Minted' : 'Evolved');

/** True when `event` happened before `at` (same block: a lower log index; no index known: same block counts). */
function before(event: ModelApprovalEvent, at: ChainPosition): boolean {
  if (event.blockNumber !== at.blockNumber) return event.blockNumber < at.blockNumber;
  return at.logIndex === undefined || event.logIndex < at.logIndex;
}

/**
 * The registry's approval of a model at `at`, rebuilt from its ModelApproved/ModelRevoked logs: the
 * last one before `at` decides (none: never approved then). `later` are the changes after `at`.
 */
export function modelApprovalAt(
  history: readonly ModelApprovalEvent[],
  at: ChainPosition,
): { approved: boolean; last?: ModelApprovalEvent; later: ModelApprovalEvent[] } {
  const sorted = [...history].sort((a, b) =>
    a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex,
  );
  const earlier = sorted.filter((e) => before(e, at));
  const last = earlier.at(-1);
  return {
    approved: last?.approved ?? false,
    ...(last ? { last } : {}),
    later: sorted.filter((e) => !before(e, at)),
  };
}

const describeEvent = (e: ModelApprovalEvent) =>
  `${e.approved ? 'ModelApproved' : 'ModelRevoked'} in block ${e.blockNumber}`;

/**
 * `model-approved`: the model was approved when the version was minted/evolved (its log's block),
 * rebuilt from the registry's approval logs, so a later revocation does not fail an honest past
 * version and an approval granted afterwards does not pass one the guard should not have allowed.
 * Without the version's block or the logs it falls back to the approval now, and says so.
 */
async function modelApprovedCheck(
  modelId: Hex,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  if (onChain.blockNumber === undefined || !deps.modelApprovalHistory) {
    const approved = await deps.isModelApproved(modelId);
    return {
      name: 'model-approved',
      status: approved ? 'pass' : 'fail',
      expected: 'approved',
      actual: approved ? 'approved now' : 'not approved now',
      detail: "the version's block or the registry's approval logs are unknown: this is the current status",
    };
  }
  const at = { blockNumber: onChain.blockNumber, logIndex: onChain.logIndex };
  const status = modelApprovalAt(await deps.modelApprovalHistory(modelId), at);
  const where = `block ${at.blockNumber} (the ${logName(version)} log)`;
  const since = status.last ? ` since ${describeEvent(status.last)}` : '';
  const after = status.later.length ? `; later: ${status.later.map(describeEvent).join(', ')}` : '';
  return {
    name: 'model-approved',
    status: status.approved ? 'pass' : 'fail',
    expected: `approved at ${where}`,
    actual: `${status.approved ? 'approved' : status.last ? 'revoked' : 'never approved'} at block ${at.blockNumber}${since}${after}`,
    ...(status.approved
      ? {}
      : {
          detail: status.later.some((e) => e.approved)
            ? 'the model was approved only after this version was made'
            : 'the registry did not have the model approved when this version was made',
        }),
  };
}

/**
 * `forecast-replay`: a `replay` render's forecast is the forecaster's output, re-derived from the manifest
 * alone. The forecaster file is loaded by `inputs.forecast.modelId` (it must hash to it and be a
 * forecaster); its features are `oracleFeaturesFixed` of the answers of the manifest's 21 newest rounds
 * (consecutive round ids; each one is compared with `getRoundData` by `oracle-input[i]`) at the model's
 * `scaleBits`; `inferFixed` runs the integer inference; the expected forecast is
 * `fixedToPpm(outputs[0], scaleBits)` (round half away from zero) and must equal `inputs.forecast.returnPpm`.
 * A manifest with no forecast is skipped with the reason (market-state then requires forecastPpm 0); a
 * forecast that names no forecaster fails: nothing could re-derive it, and it shapes the image.
 */
async function forecastReplayCheck(manifest: Manifest, deps: VerifyDependencies): Promise<VerifyCheck> {
  const name = 'forecast-replay';
  const stated = manifest.inputs.forecast;
  if (!stated)
    return {
      name,
      status: 'skip',
      detail:
        'the render used no forecast (forecastPpm 0 by design, checked by market-state): nothing to re-derive',
    };
  if (!stated.modelId)
    return {
      name,
      status: 'fail',
      expected: 'a forecast naming its forecaster (inputs.forecast.modelId), re-derived from the rounds',
      actual: `forecast ${stated.returnPpm} ppm of no named forecaster`,
      detail:
        'the manifest names no forecaster, so its forecast (which shapes the market state and the image) cannot be re-derived',
    };
  const id = stated.modelId as Hex;
  const actual = `forecast ${stated.returnPpm} ppm of model ${id}`;
  const fail = (detail: string, expected?: string): VerifyCheck => ({
    name,
    status: 'fail',
    ...(expected !== undefined ? { expected } : {}),
    actual,
    detail,
  });
  const loaded = await tryLoad(() => deps.loadModelFile(id));
  if ('error' in loaded) return fail(`forecaster file: ${loaded.error}`, `the forecaster ${id}`);
  const fileId = keccak256(loaded.bytes);
  if (fileId !== id)
    return fail(
      'the forecaster file does not hash to the model id in the manifest',
      `a file hashing to ${id}, found ${fileId}`,
    );
  let model: ModelFile;
  try {
    model = parseModelFile(loaded.bytes, id);
  } catch (error) {
    return fail(`forecaster file: ${(error as Error).message.split('\n')[0]}`);
  }
  if (model.kind !== 'forecaster')
    return fail(`model ${id} is a ${model.kind}, not a forecaster`, `a forecaster file for ${id}`);
  const rounds = manifest.inputs.oracle.rounds
    .map((r) => ({ roundId: BigInt(r.roundId), answer: BigInt(r.answer) }))
    .sort((a, b) => (a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0))
    .slice(-ORACLE_FEATURE_ANSWERS);
  if (rounds.length < ORACLE_FEATURE_ANSWERS)
    return fail(
      `the manifest carries ${rounds.length} round(s); the forecaster's features need ${ORACLE_FEATURE_ANSWERS}`,
    );
  const gap = rounds.findIndex((r, i) => i > 0 && r.roundId !== rounds[i - 1]!.roundId + 1n);
  if (gap > 0)
    return fail(
      `the forecast's rounds are not consecutive (round ${rounds[gap - 1]!.roundId} is followed by ${rounds[gap]!.roundId})`,
    );
  const first = rounds[0]!.roundId;
  const last = rounds.at(-1)!.roundId;
  let output: bigint;
  try {
    const features = oracleFeaturesFixed(
      rounds.map((r) => r.answer),
      model.scaleBits,
    );
    output = BigInt(inferFixed(model, features.map(Number))[0]!);
  } catch (error) {
    return fail(`re-running the forecaster: ${(error as Error).message.split('\n')[0]}`);
  }
  const expectedPpm = fixedToPpm(output, model.scaleBits);
  const expected = `forecast ${expectedPpm} ppm of model ${id} (fixed-point output ${output} at 2^-${model.scaleBits} on rounds ${first}..${last})`;
  const same = expectedPpm === stated.returnPpm;
  return {
    name,
    status: same ? 'pass' : 'fail',
    expected,
    actual,
    ...(same ? {} : { detail: "the manifest's forecast is not the forecaster's output on its rounds" }),
  };
}

/**
 * `manifest-context`: the manifest was made for the chain being verified. Its `chainId` is the chain's
 * id, `asset.contract` the NFT the token lives on, `policy.guard` that NFT's `guard()`, and `agent` the
 * account that sent the version's Minted/Evolved transaction. Skipped (so not `ok`) when the chain
 * context or the sender is unknown.
 */
async function manifestContextCheck(
  manifest: Manifest,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  const name = 'manifest-context';
  const stated = `chain ${manifest.chainId}, NFT ${manifest.asset.contract ?? 'none'}, guard ${manifest.policy.guard ?? 'none'}, agent ${manifest.agent}`;
  if (!deps.chainContext)
    return { name, status: 'skip', actual: stated, detail: 'no chain context wired; pass chainContext' };
  const read = await tryRead(() => deps.chainContext!());
  if ('error' in read)
    return {
      name,
      status: 'fail',
      actual: stated,
      detail: `reading the chain context failed: ${read.error}`,
    };
  const ctx = read.value;
  const sender = onChain.sender;
  const expected = `chain ${ctx.chainId}, NFT ${ctx.nft.toLowerCase()}, guard ${ctx.guard.toLowerCase()}, agent ${sender?.toLowerCase() ?? `unknown (sender of the ${logName(version)} tx)`}`;
  const problems: string[] = [];
  if (manifest.chainId !== ctx.chainId)
    problems.push(`chainId ${manifest.chainId} is not this chain (${ctx.chainId})`);
  if (!sameAddress(manifest.asset.contract, ctx.nft))
    problems.push('asset.contract is not the NFT being verified');
  if (!sameAddress(manifest.policy.guard, ctx.guard)) problems.push("policy.guard is not the NFT's guard");
  if (sender !== undefined && !sameAddress(manifest.agent, sender))
    problems.push(`agent is not the sender of the ${logName(version)} transaction`);
  if (problems.length) return { name, status: 'fail', expected, actual: stated, detail: problems.join('; ') };
  if (sender === undefined)
    return {
      name,
      status: 'skip',
      expected,
      actual: stated,
      detail: `the sender of the ${logName(version)} transaction is unknown, so the agent is not checked`,
    };
  return { name, status: 'pass', expected, actual: stated };
}

/**
 * `oracle-feed`: the manifest's feed is one of the deployment's oracle feeds (not any contract that
 * answers getRoundData), and its stated decimals are the feed's `decimals()`.
 */
async function oracleFeedCheck(manifest: Manifest, deps: VerifyDependencies): Promise<VerifyCheck> {
  const name = 'oracle-feed';
  const { feed, decimals } = manifest.inputs.oracle;
  const actual = `feed ${feed}, ${decimals} decimals`;
  if (!deps.oracleFeeds)
    return { name, status: 'skip', actual, detail: "the deployment's feeds are unknown; pass oracleFeeds" };
  const feeds = await tryRead(() => deps.oracleFeeds!());
  if ('error' in feeds)
    return { name, status: 'fail', actual, detail: `reading the deployment's feeds failed: ${feeds.error}` };
  const known = feeds.value.some((f) => sameAddress(f, feed));
  const onFeed = deps.readFeedDecimals ? await tryRead(() => deps.readFeedDecimals!(feed as Hex)) : undefined;
  const feedDecimals = onFeed && 'value' in onFeed ? onFeed.value : undefined;
  const expected = `one of the deployment's feeds (${feeds.value.map((f) => f.toLowerCase()).join(', ') || 'none'}), ${feedDecimals ?? '?'} decimals`;
  const problems: string[] = [];
  if (!known) problems.push(`feed ${feed} is not one of the deployment's oracle feeds`);
  if (onFeed && 'error' in onFeed) problems.push(`decimals() on ${feed} failed: ${onFeed.error}`);
  if (feedDecimals !== undefined && feedDecimals !== decimals)
    problems.push(`the manifest states ${decimals} decimals; the feed has ${feedDecimals}`);
  if (problems.length) return { name, status: 'fail', expected, actual, detail: problems.join('; ') };
  if (!onFeed) return { name, status: 'skip', expected, actual, detail: "the feed's decimals were not read" };
  return { name, status: 'pass', expected, actual };
}

/** What `oracleWindowVerdict` needs: a feed, the rounds named (oldest first) and the log they fed. */
export type OracleWindowQuery = {
  feed: Hex;
  /** The round ids the decision names, oldest first. */
  roundIds: readonly bigint[];
  /** The position of the log the rounds fed (a Minted/Evolved/Repaid log); undefined when unknown. */
  at: ChainPosition | undefined;
  /** That log's name, for the report (e.g. `Minted`). */
  logName: string;
  /** Where round `roundId` of `feed` was published (its AnswerUpdated log), undefined when not found. */
  roundPublication?: ((feed: Hex, roundId: bigint) => Promise<ChainPosition | undefined>) | undefined;
  /**
   * Whether the feed answers `getRoundData(roundId)` now. With it, a newest round whose own publication
   * log is not found still passes when the next round does not exist even now (it cannot have been
   * published before the log), and a next round that exists now but whose log is not found fails (it
   * cannot be placed after the log). Without it both are skips, as for art.
   */
  roundExistsNow?: ((feed: Hex, roundId: bigint) => Promise<boolean>) | undefined;
  /**
   * The block the agent read the rounds at (an art manifest's `policy.snapshot.blockNumber`, a synth
   * decision's `inputs.readBlock`). When it is before the log and at most `POLICY_SNAPSHOT_MAX_AGE_BLOCKS`
   * before it, a window that was the latest at the end of that block passes even if the next round was
   * published before the log: a round landing between the agent's read and its mined transaction is a
   * race the agent could not see, not a stale window, and is reported as such. It only excuses: a window
   * that was the latest at the log passes whatever block is named. A read block after the log or older
   * than that bound is ignored (`policy-snapshot` fails such a block for art).
   */
  readBlock?: bigint | undefined;
};

/**
 * `oracle-window`: the rounds are one window, not a selection. Their ids are consecutive (oldest first),
 * and the newest one was the feed's latest when the log was written: it was published (its AnswerUpdated
 * log) before that log, and the next round was not. Shared by `verify` (art versions) and `verify --synth`.
 */
export async function oracleWindowVerdict(q: OracleWindowQuery): Promise<VerifyCheck> {
  const name = 'oracle-window';
  const { feed, at } = q;
  const ids = q.roundIds;
  // Where the window may be the latest: at the log, or at the end of the agent's read block.
  const read = readPoint(q.readBlock, at);
  const where = !at
    ? `the ${q.logName} log`
    : `${describePosition(at)} (the ${q.logName} log)${read ? ` or at the agent's read (block ${read.blockNumber}, ${at.blockNumber - read.blockNumber} blocks before)` : ''}`;
  const expected = `consecutive rounds, the newest the feed's latest at ${where}`;
  if (ids.length === 0) return { name, status: 'fail', expected, actual: 'no rounds' };
  const first = ids[0]!;
  const last = ids.at(-1)!;
  const gap = ids.findIndex((id, i) => i > 0 && id !== ids[i - 1]! + 1n);
  const span = `rounds ${first}..${last} (${ids.length})`;
  if (gap > 0)
    return {
      name,
      status: 'fail',
      expected,
      actual: `${span}: round ${ids[gap - 1]} is followed by ${ids[gap]}`,
      detail: 'the rounds are not consecutive: the window skips rounds the oracle published',
    };
  if (!at || !q.roundPublication)
    return {
      name,
      status: 'skip',
      expected,
      actual: `${span}, consecutive`,
      detail: at
        ? 'round publications are not readable; pass roundPublication'
        : `the ${q.logName} log's block is unknown`,
    };
  const publication = q.roundPublication;
  /** A publication log that could not be read (an unreachable node): a fail, never a pass or skip. */
  const unreadable = (error: string, shown: string): VerifyCheck => ({
    name,
    status: 'fail',
    expected,
    actual: shown,
    detail: `reading the feed's round publications failed: ${error}`,
  });
  const lastRead = await tryRead(() => publication(feed, last));
  if ('error' in lastRead) return unreadable(lastRead.error, `${span}, consecutive`);
  const nextRead = await tryRead(() => publication(feed, last + 1n));
  if ('error' in nextRead) return unreadable(nextRead.error, `${span}, consecutive`);
  const lastAt = lastRead.value;
  const nextAt = nextRead.value;
  let nextNow: boolean | undefined;
  if (!nextAt && q.roundExistsNow) {
    const exists = q.roundExistsNow;
    const read = await tryRead(() => exists(feed, last + 1n));
    if ('error' in read)
      return {
        name,
        status: 'fail',
        expected,
        actual: `${span}, consecutive`,
        detail: `reading round ${last + 1n} of the feed failed: ${read.error}`,
      };
    nextNow = read.value;
  }
  const nextText = nextAt
    ? `published at ${describePosition(nextAt)}`
    : nextNow
      ? 'published (getRoundData) but no publication log found'
      : 'not published';
  const actual = `${span}, consecutive; round ${last} ${lastAt ? `published at ${describePosition(lastAt)}` : 'has no publication log'}, round ${last + 1n} ${nextText}`;
  // A Chainlink proxy round id is `phase << 64 | n`: when the phase's aggregator had no round n + 1, the
  // feed may still have moved on to the next phase (an aggregator upgrade), whose first round is
  // `(phase + 1) << 64 | 1`. A window ending before that round was published is not the latest either.
  let nextPhase: { id: bigint; at: ChainPosition } | undefined;
  if (!nextAt && phaseOf(last) > 0n) {
    const id = firstRoundOfNextPhase(last);
    const phaseRead = await tryRead(() => publication(feed, id));
    if ('error' in phaseRead) return unreadable(phaseRead.error, actual);
    if (phaseRead.value) nextPhase = { id, at: phaseRead.value };
  }
  /** Why the window was not the feed's latest at `p` (empty: it was). */
  const problemsAt = (p: ChainPosition, label: string): string[] => {
    const problems: string[] = [];
    if (nextPhase && positionBefore(nextPhase.at, p))
      problems.push(
        `round ${nextPhase.id} (the first of the next phase) was already published at ${describePosition(nextPhase.at)}: the window does not end at the latest round`,
      );
    if (lastAt && !positionBefore(lastAt, p)) problems.push(`round ${last} was not published ${label}`);
    if (nextAt && positionBefore(nextAt, p))
      problems.push(`round ${last + 1n} was already published: the window does not end at the latest round`);
    if (nextNow)
      problems.push(
        `round ${last + 1n} exists but its publication log was not found, so it cannot be placed after the ${q.logName} log`,
      );
    return problems;
  };
  // The read block only ever excuses a window that a round overtook in flight: a window that was the
  // latest at the log itself passes whatever block the snapshot names (manifests made before the read
  // block was pinned name a block read separately from the rounds).
  const atLog = problemsAt(at, `before the ${q.logName} log`);
  const atRead = read ? problemsAt(read, `by the agent's read at block ${read.blockNumber}`) : undefined;
  // At most ONE round may have overtaken the agent in flight: otherwise a claimed read block anywhere in
  // the 64-block bound would excuse a window several rounds old (a choice of windows, which this check
  // exists to prevent). The overtaking round is the next one (or the next phase's first); the round after
  // it must not be published before the log.
  let overtaking: { id: bigint; at: ChainPosition } | undefined;
  if (atLog.length > 0 && atRead?.length === 0) {
    const first = nextAt ? { id: last + 1n, at: nextAt } : nextPhase;
    if (first) {
      const after = await tryRead(() => publication(feed, first.id + 1n));
      if ('error' in after) return unreadable(after.error, actual);
      if (after.value && positionBefore(after.value, at))
        return {
          name,
          status: 'fail',
          expected,
          actual,
          detail: `${atLog.join('; ')}; rounds ${first.id} and ${first.id + 1n} were both published before the ${q.logName} log, so this is no race with one round in flight`,
        };
      overtaking = first;
    }
  }
  const raced = overtaking !== undefined;
  if (atLog.length > 0 && !raced) return { name, status: 'fail', expected, actual, detail: atLog.join('; ') };
  // Without the newest round's own log (a proxy or an external feed scanned from too late a block), a
  // missing log of the next round proves nothing, unless the next round does not exist even now.
  if (!lastAt && nextNow !== false)
    return {
      name,
      status: 'skip',
      expected,
      actual,
      detail: `the feed's logs do not show when round ${last} was published, so whether it was the latest is not checked`,
    };
  if (raced)
    return {
      name,
      status: 'pass',
      expected,
      actual,
      detail: `round ${overtaking!.id} landed after the agent's read (block ${read!.blockNumber}) and before the ${q.logName} log (at ${describePosition(overtaking!.at)}): the agent could not have used it`,
    };
  return { name, status: 'pass', expected, actual };
}

/**
 * The agent's read block as a position (the end of that block: every log in it came before the read),
 * when it is usable: before the log's block and at most `POLICY_SNAPSHOT_MAX_AGE_BLOCKS` before it.
 */
function readPoint(readBlock: bigint | undefined, at: ChainPosition | undefined): ChainPosition | undefined {
  if (readBlock === undefined || !at) return undefined;
  if (readBlock >= at.blockNumber || at.blockNumber - readBlock > POLICY_SNAPSHOT_MAX_AGE_BLOCKS)
    return undefined;
  return { blockNumber: readBlock };
}

/** `oracle-window` of an art version: its manifest's rounds against its Minted/Evolved log. */
function oracleWindowCheck(
  manifest: Manifest,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  return oracleWindowVerdict({
    feed: manifest.inputs.oracle.feed as Hex,
    roundIds: manifest.inputs.oracle.rounds.map((r) => BigInt(r.roundId)),
    at:
      onChain.blockNumber !== undefined
        ? { blockNumber: onChain.blockNumber, logIndex: onChain.logIndex }
        : undefined,
    logName: logName(version),
    roundPublication: deps.roundPublication?.bind(deps),
    readBlock: snapshotBlock(manifest),
  });
}

/** The block an art manifest's policy snapshot names (the agent's read block), if it names one. */
function snapshotBlock(manifest: Manifest): bigint | undefined {
  const block = manifest.policy.snapshot.blockNumber;
  return typeof block === 'string' && /^\d+$/.test(block) ? BigInt(block) : undefined;
}

/**
 * How many blocks before its version's log a policy snapshot may be read (`policy-snapshot`). The agent
 * reads the guard at the latest block and sends the transaction at once, so an honest snapshot is a few
 * blocks old (a slow RPC or a congested mempool: a few more). 64 leaves room for that on any chain with
 * 1-12 s blocks (≈ 1-13 min), yet stays inside a full node's ~128-block state window, so the snapshot can
 * still be re-read on a non-archive node instead of being an unverifiable claim about an old block.
 */
export const POLICY_SNAPSHOT_MAX_AGE_BLOCKS = 64n;

/**
 * `policy-snapshot`: the guard's rules the manifest recorded for its action. The snapshot's block must be
 * before the version's log (the agent reads, then sends) and at most `POLICY_SNAPSHOT_MAX_AGE_BLOCKS`
 * before it. With `policySnapshot` wired, the snapshot is re-read from the guard at the block it names and
 * must equal the manifest's. Without it, or on a node without state at that block, the snapshot is shown
 * as stated and skipped as "not re-derived"; that skip does not make the version unverified (the guard
 * enforced its own rules on-chain, and manifest-context binds the guard).
 */
async function policySnapshotCheck(
  manifest: Manifest,
  tokenId: bigint,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  const name = 'policy-snapshot';
  const stated = manifest.policy.snapshot;
  const actual = canonicalJson(stated);
  const block = snapshotBlock(manifest);
  const versionBlock = onChain.blockNumber;
  if (block !== undefined && versionBlock !== undefined) {
    const expected = `a snapshot read in blocks ${versionBlock > POLICY_SNAPSHOT_MAX_AGE_BLOCKS ? versionBlock - POLICY_SNAPSHOT_MAX_AGE_BLOCKS : 0n}..${versionBlock - 1n} (at most ${POLICY_SNAPSHOT_MAX_AGE_BLOCKS} blocks before the ${logName(version)} log at block ${versionBlock})`;
    if (block >= versionBlock)
      return {
        name,
        status: 'fail',
        expected,
        actual,
        detail: `the snapshot names block ${block}, not before the version's own block`,
      };
    if (versionBlock - block > POLICY_SNAPSHOT_MAX_AGE_BLOCKS)
      return {
        name,
        status: 'fail',
        expected,
        actual,
        detail: `the snapshot names block ${block}, ${versionBlock - block} blocks before the version's block: the agent reads the guard right before sending, so it is not the snapshot the version was made with`,
      };
  }
  if (!deps.policySnapshot)
    return {
      name,
      status: 'skip',
      actual,
      detail:
        "policy snapshot not re-derived: it is the guard's rules as the agent read them before sending; the guard itself (bound by manifest-context) enforced its rules on-chain",
    };
  const { guard } = manifest.policy;
  const nft = manifest.asset.contract;
  if (block === undefined || guard === undefined || nft === undefined)
    return {
      name,
      status: 'fail',
      expected: 'a snapshot naming its block, of a named guard and NFT',
      actual,
      detail: 'the snapshot cannot be re-read: its blockNumber, policy.guard or asset.contract is missing',
    };
  const read = await tryRead(() =>
    deps.policySnapshot!({
      guard: guard as Hex,
      nft: nft as Hex,
      action: version === 0 ? 'MINT' : 'UPDATE',
      modelId: manifest.model.id as Hex,
      ...(version === 0 ? {} : { tokenId }),
      blockNumber: block,
    }),
  );
  if ('error' in read)
    return {
      name,
      status: 'fail',
      actual,
      detail: `re-reading the guard at block ${block} failed: ${read.error}`,
    };
  if (read.value === undefined)
    return {
      name,
      status: 'skip',
      actual,
      detail: `policy snapshot not re-derived: the node holds no state at block ${block} (not an archive node, or restarted from a state dump); the guard itself (bound by manifest-context) enforced its rules on-chain`,
    };
  const expected = canonicalJson(read.value);
  return {
    name,
    status: expected === actual ? 'pass' : 'fail',
    expected,
    actual,
    ...(expected === actual
      ? {}
      : { detail: `the manifest's snapshot is not what guard ${guard} said at block ${block}` }),
  };
}

/**
 * The token and version to verify: given, or (with `manifestCid`) read from the manifest, so
 * `verify --manifest <cid>` needs no token id and checks the version that manifest describes.
 */
async function resolveTarget(
  input: VerifyInput,
  deps: VerifyDependencies,
): Promise<{ tokenId: bigint; version?: number; manifest?: { bytes: Uint8Array } | { error: string } }> {
  const cid = input.manifestCid;
  if (cid === undefined) {
    if (input.tokenId === undefined)
      throw new NonRetryableError('Nothing to verify: neither a token id nor a manifest CID was given.', {
        details: 'Pass the token id, or the manifest CID of the version to verify, or both.',
      });
    return { tokenId: input.tokenId, ...(input.version !== undefined ? { version: input.version } : {}) };
  }
  const loaded = await tryLoad(() => deps.loadContent(cid));
  let claimed: { tokenId: bigint; version: number } | undefined;
  let problem = 'error' in loaded ? loaded.error : undefined;
  if ('bytes' in loaded) {
    try {
      const m = parseManifest(loaded.bytes, cid);
      claimed = {
        tokenId: m.asset.tokenId === undefined ? BigInt(keccak256(loaded.bytes)) : BigInt(m.asset.tokenId),
        version: m.asset.version,
      };
    } catch (error) {
      problem = (error as Error).message.split('\n')[0];
    }
  }
  const tokenId = input.tokenId ?? claimed?.tokenId;
  if (tokenId === undefined)
    throw new NonRetryableError(`Manifest ${cid} cannot tell which token to verify: ${problem}.`, {
      details:
        'Put the manifest in the content store (<stateDir>/content, e.g. from a CAR export), or pass the token id with it.',
    });
  const version = input.version ?? claimed?.version;
  return { tokenId, ...(version !== undefined ? { version } : {}), manifest: loaded };
}

/**
 * Verifies one version of a token by re-derivation: the token must exist (`token-exists`); the
 * manifest must match the on-chain commitment and name this chain, NFT, guard and minting agent
 * (`manifest-context`); the model file must hash to the model id, match the manifest's description,
 * be the one the version's log recorded (`model-logged`) and have been approved at the version's
 * block; the feed must be one of the deployment's (`oracle-feed`), every oracle input must equal the
 * oracle's round, and the rounds must be the feed's latest consecutive window at the version's log
 * (`oracle-window`); re-running the generator must reproduce the image and metadata bytes and their
 * CIDs; the version must point at its on-chain parent; and, when the record carries the on-chain chain
 * head, the head recomputed from the logged commitments must equal it (`chain-head`).
 *
 * Checks that cannot be trusted are skipped, not failed: when the manifest does not match the
 * commitment nothing it says is checked, and when the model file does not match its id nothing is
 * re-rendered. So a single tampered piece fails exactly its own check.
 *
 * Retryable errors from the dependencies (RPC or network down) propagate; everything else becomes
 * a failed check.
 */
export async function verifyAsset(input: VerifyInput, deps: VerifyDependencies): Promise<VerifyReport> {
  const target = await resolveTarget(input, deps);
  const tokenId = target.tokenId;
  const checks: VerifyCheck[] = [];
  const add = (check: VerifyCheck) => checks.push(check);
  const record = await deps.readTokenRecord(tokenId);
  const versionCount = record.versions.length;
  const version = target.version ?? versionCount - 1;
  // chain-head depends only on the on-chain record, so it is reported on every path, never skipped.
  const chainChecks = record.chain ? [chainHeadCheck(record, record.chain)] : [];
  const report = (manifestCid?: string): VerifyReport => {
    const all = [...checks, ...chainChecks];
    return {
      tokenId: tokenId.toString(),
      version,
      ...(manifestCid ? { manifestCid } : {}),
      ok:
        checks.length > 0 &&
        all.every((c) => c.status === 'pass' || (c.status === 'skip' && informational.has(c))),
      notChecked: all.filter((c) => c.status === 'skip' && !informational.has(c)).map((c) => c.name),
      checks: all,
    };
  };
  /**
   * Skips that do not fail `ok`: `forecast-replay` of a render with no forecast at all, and
   * `policy-snapshot` (reported, not re-derived).
   */
  const informational = new Set<VerifyCheck>();
  const onChain = version >= 0 ? record.versions[version] : undefined;
  const skipFrom = (first: (typeof CHECK_NAMES)[number], reason: string) => {
    for (const name of CHECK_NAMES.slice(CHECK_NAMES.indexOf(first))) {
      if (name === 'chain-head') continue;
      if (name === 'token-uri' && record.tokenUri === undefined) continue;
      if (name === 'model-logged' && onChain?.modelId === undefined) continue;
      add({ name, status: 'skip', detail: reason });
    }
  };

  // 0. token-exists: a token the NFT does not know has nothing else to check.
  if (record.exists === false || versionCount === 0) {
    add({
      name: 'token-exists',
      status: 'fail',
      expected: `token ${tokenId} minted`,
      actual:
        record.exists === false
          ? 'not minted (the NFT reverts with ERC721NonexistentToken)'
          : 'not minted (no Minted log)',
      detail: 'list the minted tokens with `provenant verify --all`',
    });
    return report(input.manifestCid);
  }
  add({ name: 'token-exists', status: 'pass', actual: `minted, ${versionCount} version(s)` });

  // 1. manifest-commitment
  if (!onChain) {
    add({
      name: 'manifest-commitment',
      status: 'fail',
      expected: `a version ${version} on-chain`,
      actual: `${versionCount} version(s)`,
      detail: `no such version: the token has versions 0..${versionCount - 1}`,
    });
    // Nothing else can be checked against a version that does not exist: one line says so, not a skip per check.
    return report(input.manifestCid);
  }
  const manifestCid = input.manifestCid ?? onChain.manifestCid;
  if (!manifestCid) {
    add({
      name: 'manifest-commitment',
      status: 'fail',
      expected: onChain.commitment,
      detail: 'no manifest CID known for this version; pass the manifest CID explicitly',
    });
    skipFrom('manifest-token', 'no manifest');
    return report();
  }
  const loadedManifest = target.manifest ?? (await tryLoad(() => deps.loadContent(manifestCid)));
  if ('error' in loadedManifest) {
    add({
      name: 'manifest-commitment',
      status: 'fail',
      expected: onChain.commitment,
      detail: `manifest ${manifestCid}: ${loadedManifest.error}`,
    });
    skipFrom('manifest-token', 'manifest not available');
    return report(manifestCid);
  }
  const mBytes = loadedManifest.bytes;
  const commitment = keccak256(mBytes);
  const mCid = (await addBytes(mBytes, profileOf(manifestCid))).cid.toString();
  if (commitment !== onChain.commitment.toLowerCase() || mCid !== parseCid(manifestCid).toString()) {
    add({
      name: 'manifest-commitment',
      status: 'fail',
      expected: `${onChain.commitment} (${manifestCid})`,
      actual: `${commitment} (${mCid})`,
      detail: 'the manifest bytes are not the ones committed on-chain',
    });
    skipFrom(
      'manifest-token',
      'manifest does not match the on-chain commitment; none of its claims is trusted',
    );
    return report(manifestCid);
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(mBytes, manifestCid);
  } catch (error) {
    add({
      name: 'manifest-commitment',
      status: 'fail',
      expected: 'a valid manifest',
      actual: commitment,
      detail: `committed bytes are not a valid manifest: ${(error as Error).message.split('\n').join(' ')}`,
    });
    skipFrom('manifest-token', 'manifest invalid');
    return report(manifestCid);
  }
  add({ name: 'manifest-commitment', status: 'pass', expected: onChain.commitment, actual: commitment });

  // 2. manifest-token: a mint's token id is keccak256 of its manifest; an update names its token.
  const claimedToken = manifest.asset.tokenId ?? `keccak256(manifest) = ${BigInt(commitment)}`;
  const tokenOk =
    manifest.asset.version === version &&
    (version === 0
      ? manifest.asset.tokenId === undefined && BigInt(commitment) === tokenId
      : manifest.asset.tokenId === tokenId.toString());
  add({
    name: 'manifest-token',
    status: tokenOk ? 'pass' : 'fail',
    expected: `token ${tokenId} version ${version}`,
    actual: `token ${claimedToken} version ${manifest.asset.version}`,
  });

  // 2b. manifest-context: the chain, NFT, guard and agent the manifest names are the ones verified here.
  add(await manifestContextCheck(manifest, onChain, version, deps));

  // 3. model-id
  const modelIdClaimed = manifest.model.id as Hex;
  let model: ModelFile | undefined;
  const loadedModel = await tryLoad(() => deps.loadModelFile(modelIdClaimed));
  if ('error' in loadedModel) {
    add({
      name: 'model-id',
      status: 'fail',
      expected: modelIdClaimed,
      detail: `model file: ${loadedModel.error}`,
    });
  } else {
    const actualId = keccak256(loadedModel.bytes);
    let problem: string | undefined;
    if (actualId === modelIdClaimed) {
      try {
        model = parseModelFile(loadedModel.bytes, modelIdClaimed);
        validateGeneratorModel(model);
      } catch (error) {
        model = undefined;
        problem = (error as Error).message.split('\n')[0];
      }
    }
    // The descriptive fields must describe the file: name, version and algorithm as renderAsset records them.
    const described = (m: { name: string; version: string; algorithm: string }) =>
      `${m.name} ${m.version} (${m.algorithm})`;
    const fileDescription = model
      ? {
          name: model.name,
          version: model.version,
          algorithm: String(model.metadata.algorithm ?? GENERATOR_ALGORITHM),
        }
      : undefined;
    const descriptionOk =
      fileDescription === undefined ||
      (fileDescription.name === manifest.model.name &&
        fileDescription.version === manifest.model.version &&
        fileDescription.algorithm === manifest.model.algorithm);
    add({
      name: 'model-id',
      status: actualId === modelIdClaimed && model && descriptionOk ? 'pass' : 'fail',
      expected: `${modelIdClaimed}${fileDescription ? `, ${described(fileDescription)}` : ''}`,
      actual: `${actualId}, ${described(manifest.model)}`,
      ...(actualId !== modelIdClaimed
        ? { detail: 'the model file does not hash to the model id in the manifest' }
        : problem
          ? { detail: problem }
          : descriptionOk
            ? {}
            : { detail: "the manifest's model name, version or algorithm is not the model file's" }),
    });
  }

  // 4. model-logged: the model the Minted/Evolved log recorded (what the guard let through).
  if (onChain.modelId !== undefined) {
    const same = onChain.modelId.toLowerCase() === modelIdClaimed.toLowerCase();
    add({
      name: 'model-logged',
      status: same ? 'pass' : 'fail',
      expected: modelIdClaimed,
      actual: onChain.modelId,
      ...(same ? {} : { detail: `the ${logName(version)} log names another model than the manifest` }),
    });
  }

  // 5. model-approved, at the version's own block
  add(await modelApprovedCheck(modelIdClaimed, onChain, version, deps));

  // 6. oracle-feed: the manifest's feed is one of the deployment's, with the decimals it states.
  const feed = manifest.inputs.oracle.feed as Hex;
  add(await oracleFeedCheck(manifest, deps));

  // 6b. oracle-input[i]
  for (const [i, claimed] of manifest.inputs.oracle.rounds.entries()) {
    const read = await tryRead(() => deps.readRound(feed, BigInt(claimed.roundId)));
    if ('error' in read) {
      add({
        name: `oracle-input[${i}]`,
        status: 'fail',
        expected: `round ${claimed.roundId}: answer ${claimed.answer} at ${claimed.updatedAt}`,
        actual: 'no such round',
        detail: `getRoundData(${claimed.roundId}) on ${feed} failed: ${read.error}`,
      });
      continue;
    }
    const round = read.value;
    const actual = {
      roundId: round.roundId.toString(),
      answer: round.answer.toString(),
      updatedAt: round.updatedAt.toString(),
    };
    const same =
      actual.roundId === claimed.roundId &&
      actual.answer === claimed.answer &&
      actual.updatedAt === claimed.updatedAt;
    add({
      name: `oracle-input[${i}]`,
      status: same ? 'pass' : 'fail',
      expected: `round ${claimed.roundId}: answer ${claimed.answer} at ${claimed.updatedAt}`,
      actual: `round ${actual.roundId}: answer ${actual.answer} at ${actual.updatedAt}`,
      ...(same ? {} : { detail: `the manifest's input differs from getRoundData on ${feed}` }),
    });
  }

  // 6c. oracle-window: consecutive rounds ending at the feed's latest round when the version was made.
  add(await oracleWindowCheck(manifest, onChain, version, deps));

  // 7. market-state
  try {
    const derived = marketStateFromRounds(
      manifest.inputs.oracle.rounds.map((r) => ({
        roundId: BigInt(r.roundId),
        answer: BigInt(r.answer),
        updatedAt: BigInt(r.updatedAt),
      })),
      manifest.inputs.oracle.decimals,
      manifest.inputs.forecast ? { returnPpm: manifest.inputs.forecast.returnPpm } : undefined,
    );
    const same = canonicalJson(derived) === canonicalJson(manifest.marketState);
    add({
      name: 'market-state',
      status: same ? 'pass' : 'fail',
      expected: canonicalJson(derived),
      actual: canonicalJson(manifest.marketState),
    });
  } catch (error) {
    add({
      name: 'market-state',
      status: 'fail',
      actual: canonicalJson(manifest.marketState),
      detail: (error as Error).message.split('\n')[0],
    });
  }

  // 7b. forecast-replay (replay renders; a groth16 render's forecast is checked by the zk-forecast checks)
  if (manifest.proof.kind === 'replay') {
    const check = await forecastReplayCheck(manifest, deps);
    if (check.status === 'skip' && manifest.inputs.forecast === undefined) informational.add(check);
    add(check);
  }

  // 8. seed
  const seed = artSeed(manifest.parameters.nonce as Hex, manifest.parameters.salt as Hex);
  add({
    name: 'seed',
    status: seed === manifest.parameters.seed ? 'pass' : 'fail',
    expected: seed,
    actual: manifest.parameters.seed,
  });

  // 9–12. re-derivation
  if (!model) {
    for (const name of ['image-bytes', 'image-cid', 'metadata-bytes', 'metadata-cid'] as const) {
      add({ name, status: 'skip', detail: 'no authentic model file to re-run' });
    }
  } else {
    const out = await deriveOutputs(model, {
      seed: manifest.parameters.seed as Hex,
      version: manifest.asset.version,
      marketState: manifest.marketState,
      width: manifest.parameters.width,
      height: manifest.parameters.height,
      imageCid: manifest.outputs.image.cid,
    });
    const storedImage = await tryLoad(() => deps.loadContent(manifest.outputs.image.cid));
    if ('error' in storedImage) {
      add({
        name: 'image-bytes',
        status: 'fail',
        expected: describe(out.png),
        detail: `stored image: ${storedImage.error}`,
      });
    } else {
      const same = equalBytes(out.png, storedImage.bytes);
      const sizeOk = manifest.outputs.image.size === storedImage.bytes.length;
      add({
        name: 'image-bytes',
        status: same && sizeOk ? 'pass' : 'fail',
        expected: describe(out.png),
        actual: `${describe(storedImage.bytes)}; manifest size ${manifest.outputs.image.size}`,
        ...(!same
          ? {
              detail: `re-rendered image differs from the stored one (${firstDifference(out.png, storedImage.bytes)})`,
            }
          : sizeOk
            ? {}
            : {
                detail: `the manifest states an image of ${manifest.outputs.image.size} bytes; the image has ${storedImage.bytes.length}`,
              }),
      });
    }
    const imageCid = out.image.cid.toString();
    add({
      name: 'image-cid',
      status: imageCid === manifest.outputs.image.cid ? 'pass' : 'fail',
      expected: imageCid,
      actual: manifest.outputs.image.cid,
    });
    const storedMetadata = await tryLoad(() => deps.loadContent(manifest.outputs.metadata.cid));
    if ('error' in storedMetadata) {
      add({
        name: 'metadata-bytes',
        status: 'fail',
        expected: describe(out.metadataBytes),
        detail: `stored metadata: ${storedMetadata.error}`,
      });
    } else {
      const same = equalBytes(out.metadataBytes, storedMetadata.bytes);
      add({
        name: 'metadata-bytes',
        status: same ? 'pass' : 'fail',
        expected: describe(out.metadataBytes),
        actual: describe(storedMetadata.bytes),
        ...(same
          ? {}
          : {
              detail: `rebuilt metadata differs from the stored one (${firstDifference(out.metadataBytes, storedMetadata.bytes)})`,
            }),
      });
    }
    const metadataCid = out.metadataAddress.cid.toString();
    add({
      name: 'metadata-cid',
      status: metadataCid === manifest.outputs.metadata.cid ? 'pass' : 'fail',
      expected: metadataCid,
      actual: manifest.outputs.metadata.cid,
    });
  }

  // 13. token-uri (only for the latest version, and only when the record carries it)
  if (record.tokenUri !== undefined) {
    if (version === versionCount - 1) {
      const expected = `ipfs://${manifest.outputs.metadata.cid}`;
      add({
        name: 'token-uri',
        status: record.tokenUri === expected ? 'pass' : 'fail',
        expected,
        actual: record.tokenUri,
      });
    } else {
      add({ name: 'token-uri', status: 'pass', detail: 'not the latest version; tokenURI names the latest' });
    }
  }

  // 14. version-chain
  if (version === 0) {
    const ok =
      manifest.parent === null &&
      (onChain.parentCommitment === undefined || /^0x0{64}$/.test(onChain.parentCommitment));
    add({
      name: 'version-chain',
      status: ok ? 'pass' : 'fail',
      expected: 'no parent (version 0)',
      actual: manifest.parent
        ? `parent ${manifest.parent.commitment}`
        : `no parent${onChain.parentCommitment ? `, on-chain parent ${onChain.parentCommitment}` : ''}`,
    });
  } else {
    const previous = record.versions[version - 1]!;
    const parent = manifest.parent;
    const problems: string[] = [];
    /** What the parent manifest's stored bytes hash to, when that is what differs. */
    let parentBytesHash: string | undefined;
    if (!parent) problems.push('manifest names no parent');
    else {
      if (parent.commitment !== previous.commitment.toLowerCase())
        problems.push('parent commitment is not the previous version');
      if (previous.manifestCid && parent.manifestCid !== parseCid(previous.manifestCid).toString()) {
        problems.push('parent manifest CID is not the previous version');
      }
    }
    if (
      onChain.parentCommitment &&
      onChain.parentCommitment.toLowerCase() !== previous.commitment.toLowerCase()
    ) {
      problems.push('on-chain parent is not the previous version');
    }
    // An update keeps the token's latent identity: same seed as its parent.
    if (parent && problems.length === 0) {
      const parentBytes = await tryLoad(() => deps.loadContent(parent.manifestCid));
      if ('error' in parentBytes) problems.push(`parent manifest: ${parentBytes.error}`);
      else if (keccak256(parentBytes.bytes) !== previous.commitment.toLowerCase()) {
        parentBytesHash = keccak256(parentBytes.bytes);
        problems.push(
          `the parent manifest's stored bytes hash to ${parentBytesHash}, not the previous commitment: the parent manifest was altered`,
        );
      } else {
        try {
          const parentSeed = parseManifest(parentBytes.bytes, parent.manifestCid).parameters.seed;
          if (parentSeed !== manifest.parameters.seed)
            problems.push(`seed changed from the parent's ${parentSeed}`);
        } catch (error) {
          problems.push(`parent manifest invalid: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    }
    add({
      name: 'version-chain',
      status: problems.length === 0 ? 'pass' : 'fail',
      expected: `parent ${previous.commitment}${previous.manifestCid ? ` (${previous.manifestCid})` : ''}`,
      actual: parent
        ? `parent ${parent.commitment} (${parent.manifestCid})${parentBytesHash ? `, whose stored bytes hash to ${parentBytesHash}` : ''}`
        : 'no parent',
      ...(problems.length ? { detail: problems.join('; ') } : {}),
    });
  }

  // 14b. policy-snapshot: re-derived when the guard's history is readable, else reported (informational).
  const snapshotCheck = await policySnapshotCheck(manifest, tokenId, onChain, version, deps);
  if (snapshotCheck.status === 'skip') informational.add(snapshotCheck);
  add(snapshotCheck);

  // 15. groth16 renders: the proven forecast (zk gate record, scale, input, rounds, ERC-7007 verify)
  if (manifest.proof.kind === 'groth16') {
    if (!deps.forecastProof) {
      add({
        name: 'zk-forecast-recorded',
        status: 'skip',
        detail: 'no reads of the zk gate and the NFT were wired; pass forecastProof dependencies',
      });
    } else {
      const commitments = record.versions.map((v) => v.commitment);
      const chainProof = (
        version === 0
          ? '0x'
          : concat([versionChainHead(commitments.slice(0, version)), ...commitments.slice(version + 1)])
      ) as Hex;
      const forecastProof = deps.forecastProof;
      const proven = await tryRead(() =>
        forecastProofChecks(
          { manifest, manifestBytes: mBytes, tokenId, version, chainProof },
          { ...forecastProof, loadModelFile: deps.loadModelFile },
        ),
      );
      if ('error' in proven)
        add({
          name: 'zk-forecast-recorded',
          status: 'fail',
          expected: `a forecast recorded by gate ${manifest.proof.gate}`,
          detail: `reading the zk gate or ERC-7007 verify failed: ${proven.error}`,
        });
      else checks.push(...proven.value);
    }
  }
  return report(manifestCid);
}

/** Verifies every version of a token, oldest first. */
export async function verifyAllVersions(tokenId: bigint, deps: VerifyDependencies): Promise<VerifyReport[]> {
  const record = await deps.readTokenRecord(tokenId);
  const reports: VerifyReport[] = [];
  for (let version = 0; version < record.versions.length; version += 1) {
    reports.push(await verifyAsset({ tokenId, version }, deps));
  }
  return reports;
}

/**
 * One line per check: `✓ name  value` (what was found), `✗ name  expected …  found …  (why)`,
 * `– name  (why skipped)`. What `provenant verify` prints.
 */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    // A token that was never minted has no version to name (the report's version is then -1).
    `token ${report.tokenId}${report.version >= 0 ? ` version ${report.version}` : ''}${report.manifestCid ? ` manifest ${report.manifestCid}` : ''}`,
  ];
  for (const check of report.checks) {
    const mark = check.status === 'pass' ? '✓' : check.status === 'fail' ? '✗' : '–';
    let line = `${mark} ${check.name}`;
    if (check.status === 'fail') {
      if (check.expected !== undefined) line += `  expected ${check.expected}`;
      if (check.actual !== undefined) line += `  found ${check.actual}`;
    } else if (check.status === 'pass') {
      const value = check.actual ?? check.expected;
      if (value !== undefined) line += `  ${value}`;
    }
    const showDetail = check.status !== 'pass' || check.actual === undefined;
    if (check.detail && showDetail) line += `  (${check.detail})`;
    lines.push(line);
  }
  const failed = report.checks.some((c) => c.status === 'fail');
  lines.push(
    report.ok
      ? 'verified'
      : failed || report.notChecked.length === 0
        ? 'NOT verified'
        : `NOT verified: ${report.notChecked.join(', ')} could not be checked (the – line says why)`,
  );
  return lines.join('\n');
}
