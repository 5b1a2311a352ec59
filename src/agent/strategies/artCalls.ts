import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Address, encodeAbiParameters, type Hex, keccak256, type PublicClient } from 'viem';
import {
  GUARD_FIELDS,
  type PreparedCall,
  policyGuardAbi,
  prepareCall,
  provenanceNFTAbi,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { POLICY_ACTIONS } from '../../policy/index.js';
import {
  CHUNK_SIZE,
  ContentExceedsRawBlockError,
  type ContentStore,
  type IpfsHttpOptions,
  pushToIpfs,
  type RenderedAsset,
} from '../../provenance/index.js';

/**
 * The NFT calls of an artwork, shared by the art strategy and `provenant art mint|evolve`: CIDs cross
 * the ABI as sha2-256 digests. A version's on-chain commitment is its metadata digest (for a mint, the
 * token id); the metadata names the manifest (`"provenance":"ipfs://<manifest CID>"`), whose digest is
 * emitted beside it. An evolve's idempotency key is derived from the version's commitment.
 */
const sha256 = (bytes: Uint8Array): Hex => `0x${createHash('sha256').update(bytes).digest('hex')}`;

// ---------------------------------------------------------------- content: local store, optional IPFS push

/**
 * Pushes a stored artwork (image, metadata, manifest) somewhere beyond the local store. Never throws:
 * a failure is reported through the publisher's own warning channel and never blocks the mint.
 */
export type AssetPublisher = (asset: RenderedAsset) => Promise<void>;

/**
 * Stores the image, the metadata and the manifest (before the transaction); returns the manifest CID.
 * With a `publish` hook (an IPFS endpoint is configured), the three files are pushed after they are
 * stored locally; the hook does not throw, so a push failure never blocks the mint.
 */
export async function storeAsset(
  content: ContentStore,
  asset: RenderedAsset,
  publish?: AssetPublisher | undefined,
): Promise<string> {
  await content.put(asset.png);
  await content.put(asset.metadataBytes);
  const manifestCid = await content.put(asset.manifestBytes);
  if (publish) await publish(asset);
  return manifestCid;
}

/** `ipfsAssetPublisher` settings: the `ipfs` config section with its secret resolved (see `ipfsSettings`). */
export type IpfsPublisherSettings = {
  apiUrl: string;
  pin: boolean;
  timeoutMs: number;
  authorization?: string | undefined;
  missingAuthorizationEnv?: string | undefined;
};

/**
 * A publisher that adds image, metadata and manifest to an IPFS node over its RPC API (`/api/v0/add`,
 * same CID settings as the local store; the node's CID is checked). Any failure becomes one `warn`
 * line naming the endpoint and the cause (never the authorization value); the files stay in the local
 * store and `provenant content push` sends them later.
 */
export function ipfsAssetPublisher(
  settings: IpfsPublisherSettings,
  warn: (message: string) => void,
  fetch?: typeof globalThis.fetch,
): AssetPublisher {
  if (settings.missingAuthorizationEnv)
    warn(
      `IPFS push: the config names ${settings.missingAuthorizationEnv} for the Authorization header, but it is not set; pushing without one.`,
    );
  const options: IpfsHttpOptions = {
    apiUrl: settings.apiUrl,
    pin: settings.pin,
    timeoutMs: settings.timeoutMs,
    ...(settings.authorization ? { authorization: settings.authorization } : {}),
    ...(fetch ? { fetch } : {}),
  };
  return async (asset) => {
    const files: [string, Uint8Array][] = [
      ['image', asset.png],
      ['metadata', asset.metadataBytes],
      ['manifest', asset.manifestBytes],
    ];
    for (const [name, bytes] of files) {
      try {
        await pushToIpfs(bytes, options);
      } catch (error) {
        // One line for the whole artwork: when the node is down, the next two would fail the same way.
        warn(
          `IPFS push of the ${name} to ${settings.apiUrl} failed (${(error as Error).message}); the artwork is stored locally and the mint goes on. Retry with \`provenant content push\`.`,
        );
        return;
      }
    }
  };
}

/**
 * The sha2-256 digest of a file the NFT names by raw CIDv1. Throws `ContentExceedsRawBlockError` when
 * the file does not fit one block (its real CID would be a dag-pb root, not this digest).
 */
export function rawBlockDigest(what: string, bytes: Uint8Array): Hex {
  if (bytes.length > CHUNK_SIZE) throw new ContentExceedsRawBlockError(what, bytes.length);
  return sha256(bytes);
}

// ---------------------------------------------------------------- the NFT calls

/**
 * The two digests a version crosses the ABI with: its commitment (the sha2-256 digest of its metadata,
 * checked to equal `asset.commitment`) and its manifest's digest (checked to equal `asset.manifestDigest`). Both files must be single raw blocks (`rawBlockDigest`).
 */
function versionDigests(asset: RenderedAsset): { metadataDigest: Hex; manifestDigest: Hex } {
  const manifestDigest = rawBlockDigest('manifest', asset.manifestBytes);
  const metadataDigest = rawBlockDigest('metadata', asset.metadataBytes);
  if (metadataDigest !== asset.commitment.toLowerCase())
    throw new AssetDigestMismatchError('metadata', 'commitment', asset.commitment, metadataDigest);
  if (manifestDigest !== asset.manifestDigest.toLowerCase())
    throw new AssetDigestMismatchError('manifest', 'manifestDigest', asset.manifestDigest, manifestDigest);
  return { metadataDigest, manifestDigest };
}

/** A rendered asset whose recorded digest is not the digest of its bytes (changed after rendering). */
export class AssetDigestMismatchError extends NonRetryableError {
  override name = 'AssetDigestMismatchError';
  constructor(what: string, field: string, recorded: Hex, actual: Hex) {
    super(
      `The rendered asset's ${field} is ${recorded}, but the sha2-256 digest of its ${what} bytes is ${actual}.`,
      {
        details: `The NFT records the ${what} by that digest, so the two must agree; the asset was changed after renderAsset produced it. Render it again instead of editing its bytes.`,
        docsPath: 'docs/provenance.md#content',
      },
    );
  }
}

/**
 * `ProvenanceNFT.mint` of a rendered version 0: `mint(to, modelId, metadataDigest, intentKey,
 * manifestDigest)`; the token id is the metadata digest (`asset.commitment`); `nonce` is the intent key.
 */
export function artMintCall(
  nft: Address,
  p: { to: Address; modelId: Hex; nonce: Hex; asset: RenderedAsset },
): PreparedCall {
  const { metadataDigest, manifestDigest } = versionDigests(p.asset);
  return prepareCall({
    address: nft,
    abi: provenanceNFTAbi,
    functionName: 'mint',
    args: [p.to, p.modelId, metadataDigest, p.nonce, manifestDigest],
    label: `mint art (${p.asset.manifest.marketState.regime})`,
  });
}

/**
 * `ProvenanceNFT.evolve` of a rendered version `parentVersion + 1`: `evolve(tokenId, parentVersion,
 * modelId, manifestDigest, metadataDigest)`, with its intent key (derived from the version's commitment).
 */
export function artEvolveCall(
  nft: Address,
  p: { tokenId: bigint; parentVersion: number; modelId: Hex; asset: RenderedAsset },
): { call: PreparedCall; key: Hex } {
  const { metadataDigest, manifestDigest } = versionDigests(p.asset);
  const call = prepareCall({
    address: nft,
    abi: provenanceNFTAbi,
    functionName: 'evolve',
    args: [p.tokenId, BigInt(p.parentVersion), p.modelId, manifestDigest, metadataDigest],
    label: `evolve art v${p.parentVersion + 1}`,
  });
  const key = keccak256(
    encodeAbiParameters([{ type: 'string' }, { type: 'bytes32' }], ['art-evolve', p.asset.commitment]),
  );
  return { call, key };
}

// ---------------------------------------------------------------- the manifest's policy snapshot

/** A manifest's `policy.snapshot`: flat, canonical (strings for integers, booleans, no floats). */
export type PolicySnapshot = Record<string, string | number | boolean>;

/** What the guard said about one action's policy at one block. */
export type ArtPolicyReading = {
  action: 'MINT' | 'UPDATE';
  blockNumber: bigint;
  policyId: Hex;
  asset: Address;
  epochLength: bigint;
  epochIndex: bigint;
  epochResetsAt: bigint;
  paused: boolean;
  globallyPaused: boolean;
  limits: Record<(typeof GUARD_FIELDS)[number], bigint>;
  usedThisEpoch: bigint;
  actionsThisEpoch: bigint;
  usedLifetime: bigint;
  modelId: Hex;
  modelAllowed: boolean;
  /** UPDATE only: actions left for this token in the current epoch (`subjectRemaining`). */
  subjectActionsLeft?: bigint | undefined;
};

/**
 * The guard's rules that govern one art action, as the manifest records them: the governed limits,
 * the usage and epoch reset, pauses, whether the model is allowed, and the block they were read at.
 * Keys are flat and sorted by the manifest's canonical JSON; every integer is a decimal string.
 */
export function policySnapshotOf(r: ArtPolicyReading): PolicySnapshot {
  const snapshot: PolicySnapshot = {
    action: r.action,
    asset: r.asset.toLowerCase(),
    blockNumber: r.blockNumber.toString(),
    'epoch.index': r.epochIndex.toString(),
    'epoch.length': r.epochLength.toString(),
    'epoch.resetsAt': r.epochResetsAt.toString(),
    'model.allowed': r.modelAllowed,
    'model.id': r.modelId.toLowerCase(),
    paused: r.paused,
    'paused.global': r.globallyPaused,
    policyId: r.policyId.toLowerCase(),
    'used.actionsThisEpoch': r.actionsThisEpoch.toString(),
    'used.lifetime': r.usedLifetime.toString(),
    'used.thisEpoch': r.usedThisEpoch.toString(),
  };
  for (const field of GUARD_FIELDS) snapshot[`limits.${field}`] = r.limits[field].toString();
  if (r.subjectActionsLeft !== undefined) snapshot['subject.actionsLeft'] = r.subjectActionsLeft.toString();
  return snapshot;
}

/**
 * Reads the art action's policy from the guard at one block (the latest unless given), for the
 * manifest: `MINT` for a new token, `UPDATE` (with the token's own remaining updates) for an evolve.
 */
export async function readArtPolicy(
  client: PublicClient,
  p: {
    guard: Address;
    nft: Address;
    action: 'MINT' | 'UPDATE';
    modelId: Hex;
    tokenId?: bigint | undefined;
    blockNumber?: bigint | undefined;
  },
): Promise<ArtPolicyReading> {
  const blockNumber = p.blockNumber ?? (await client.getBlockNumber());
  const action = POLICY_ACTIONS[p.action];
  const at = { address: p.guard, abi: policyGuardAbi, blockNumber } as const;
  const [policy, modelAllowed, globallyPaused, subject] = await Promise.all([
    client.readContract({ ...at, functionName: 'policyOf', args: [p.nft, action] }),
    client.readContract({ ...at, functionName: 'isModelAllowed', args: [p.modelId] }),
    client.readContract({ ...at, functionName: 'globallyPaused' }),
    p.action === 'UPDATE' && p.tokenId !== undefined
      ? client.readContract({ ...at, functionName: 'subjectRemaining', args: [p.nft, action, p.tokenId] })
      : Promise.resolve(undefined),
  ]);
  return {
    action: p.action,
    blockNumber,
    policyId: policy.policyId,
    asset: p.nft,
    epochLength: policy.epochLength,
    epochIndex: policy.epochIndex,
    epochResetsAt: policy.epochResetsAt,
    paused: policy.paused,
    globallyPaused,
    limits: { ...policy.limits },
    usedThisEpoch: policy.usedThisEpoch,
    actionsThisEpoch: policy.actionsThisEpoch,
    usedLifetime: policy.usedLifetime,
    modelId: p.modelId,
    modelAllowed,
    subjectActionsLeft: subject?.[0],
  };
}

/** `readArtPolicy` as the manifest's `policy` section (guard address + snapshot). */
export async function artPolicySection(
  client: PublicClient,
  p: Parameters<typeof readArtPolicy>[1],
): Promise<{ guard: Address; snapshot: PolicySnapshot }> {
  return { guard: p.guard, snapshot: policySnapshotOf(await readArtPolicy(client, p)) };
}

// ---------------------------------------------------------------- the manifest's code version

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let cachedCodeVersion: string | undefined;

/**
 * The code version a manifest records: `provenant <package.json version>`, plus `+<commit>` when the
 * repository is a git working tree and `git rev-parse HEAD` answers (omitted otherwise; never throws).
 * Read once per process. `verify` re-derives outputs, not this string, so it never breaks a replay;
 * tests that pin manifest bytes pass their own code version instead.
 */
export function codeVersion(options: { root?: string; git?: boolean } = {}): string {
  const useCache = options.root === undefined && options.git === undefined;
  if (useCache && cachedCodeVersion) return cachedCodeVersion;
  const root = options.root ?? REPO_ROOT;
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
    };
    if (typeof pkg.version === 'string' && pkg.version) version = pkg.version;
  } catch {
    // no readable package.json: the version stays 'unknown'
  }
  let text = `provenant ${version}`;
  const commit = options.git === false ? undefined : gitCommit(root);
  if (commit) text += `+${commit}`;
  if (useCache) cachedCodeVersion = text;
  return text;
}

function gitCommit(root: string): string | undefined {
  if (!existsSync(join(root, '.git'))) return undefined;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
    }).trim();
    return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}
