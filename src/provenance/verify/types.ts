// Why: the records verify reads, the reads it needs and the report it makes, shared by every check.
import type { ForecastProofDependencies } from '../forecastProofChecks.js';
import type { Manifest } from '../manifest.js';

export type Hex = `0x${string}`;

/** One version of a token as the chain records it. */
export type TokenVersionRecord = {
  /**
   * The 32-byte commitment: the sha2-256 digest of the version's metadata JSON (the digest of its raw
   * CIDv1; version 0's is the token id). ProvenanceNFT keeps only a hash-chain head over them; version
   * n ≥ 1's comes from its Evolved log (`metadataDigest`) and is bound by the `chain-head` check.
   */
  commitment: Hex;
  /**
   * The manifest CID the version's Minted/Evolved log records (raw CIDv1 of its `manifestDigest`):
   * `manifest-commitment` requires the committed metadata to name this manifest.
   */
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
  /** `tokenURI(tokenId)`, if read; checked against the metadata CID (of the commitment) of the latest version. */
  tokenUri?: string;
  /**
   * The on-chain version chain, if read: `verify` recomputes the head from `versions` (the
   * commitments in the logs) and reports `chain-head`.
   */
  chain?: VersionChain;
};

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
   * The token. Optional with `manifestCid`: an update's manifest names its token; a mint's token id is
   * the sha2-256 digest of the metadata derived from the manifest.
   */
  tokenId?: bigint;
  /**
   * Default: the version whose Minted/Evolved log records `manifestCid` (else the version the manifest
   * states), else the latest version.
   */
  version?: number;
  /**
   * Verify this manifest: it must be the one the version's committed metadata names (and its log
   * records). Without it the manifest is the one the committed metadata names.
   */
  manifestCid?: string;
};

export type CheckStatus = 'pass' | 'fail' | 'skip';

export type VerifyCheck = {
  /** e.g. 'metadata-commitment', 'oracle-input[2]'. */
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
  'metadata-commitment',
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
  'token-uri',
  'version-chain',
  'policy-snapshot',
  'chain-head',
] as const;
