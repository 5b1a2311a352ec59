import { sha256 } from 'viem';
import { z } from 'zod';
import { NonRetryableError } from '../errors/index.js';
import { canonicalJson } from '../models/index.js';
import { parseCid } from './cid.js';

/**
 * The provenance manifest of one render (a mint or a metadata update): everything needed to re-run
 * the generator and check every input against the chain. Stored as canonical JSON (keys sorted, no
 * whitespace, UTF-8); content-addressed by the raw CIDv1 (sha2-256) of those bytes.
 *
 * What goes on-chain is not the manifest but the version's metadata: its commitment is the sha2-256
 * digest of the metadata JSON, which names this manifest (`"provenance":"ipfs://<manifest CID>"`).
 * So the manifest names the image but not the metadata (that would be a hash cycle); the metadata is
 * derived from the manifest, after it (format `/2`; `/1` named the metadata CID and was committed as
 * keccak256 of its own bytes).
 *
 * Nothing time-dependent is recorded (no wall-clock timestamp): the same render produces the same
 * manifest bytes, hence the same metadata and commitment, so a restarted agent that renders again
 * gets the same token id and the contract refuses the duplicate mint.
 */
export const MANIFEST_FORMAT = 'provenant-manifest/2' as const;

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'expected 0x followed by 64 lowercase hex digits');
const address = z.string().regex(/^0x[0-9a-f]{40}$/, 'expected a lowercase 0x address (40 hex digits)');
const hexBytes = z.string().regex(/^0x([0-9a-f]{2})*$/, 'expected lowercase 0x-hex bytes');
const uintString = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, 'expected a non-negative integer as a decimal string');
const intString = z.string().regex(/^(0|-?[1-9][0-9]*)$/, 'expected an integer as a decimal string');
const cidString = z.string().refine(
  (s) => {
    try {
      return parseCid(s).toString() === s;
    } catch {
      return false;
    }
  },
  { message: 'expected a CID in its canonical string form (bafy…/bafk… or Qm…)' },
);
const safeInt = z.number().int().refine(Number.isSafeInteger, 'expected a safe integer');
const ppm = safeInt.refine((v) => Math.abs(v) <= 1_000_000_000, 'expected |ppm| ≤ 1,000,000,000');

export const OracleRoundSchema = z.strictObject({
  roundId: uintString,
  answer: intString,
  updatedAt: uintString,
});

export const MarketStateSchema = z.strictObject({
  rounds: safeInt.min(2),
  return1Ppm: ppm,
  returnNPpm: ppm,
  volatilityPpm: ppm.refine((v) => v >= 0, 'volatility is never negative'),
  forecastPpm: ppm,
  regime: z.enum(['calm', 'trending-up', 'trending-down', 'volatile']),
});

/**
 * How the render's forecast input is proven. `replay`: re-run by `provenant verify` only. `groth16`: the
 * market state's forecast is a forecast `ForecastProofGate` recorded after verifying a Groth16 proof of
 * the registered forecaster on the oracle's rounds (`inputs.forecast.returnPpm` is derived from
 * `outputs[0]` by `fixedToPpm`). Canonical JSON turns `forecastProof` into exactly the byte string
 * `"forecastProof":{"modelId":"0x…","proofId":"0x…"}` that `ForecastAigcVerifier` (ERC-7007 `verify`)
 * looks for.
 */
export const ProofSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('replay') }),
  z.strictObject({
    kind: z.literal('groth16'),
    forecastProof: z.strictObject({ modelId: hex32, proofId: hex32 }),
    /** The ForecastProofGate that recorded the forecast. */
    gate: address,
    /** The oracle rounds whose answers the proof derived its features from (oldest first): the gate event's firstRoundId..lastRoundId. */
    roundIds: z.array(uintString).min(1),
    /** The proven outputs (fixed-point at `scaleBits`): [mean log return, expected |return|]. */
    outputs: z.array(intString).length(2),
    scaleBits: safeInt.min(0).max(62),
  }),
]);

export const ManifestSchema = z
  .strictObject({
    format: z.literal(MANIFEST_FORMAT),
    kind: z.literal('nft-render'),
    chainId: safeInt.positive(),
    asset: z.strictObject({
      contract: address.optional(),
      /**
       * Absent for the mint (the token id is then the sha2-256 digest of the metadata derived from this
       * manifest); present for updates.
       */
      tokenId: uintString.optional(),
      /** 0 for the mint, k for the k-th update. */
      version: safeInt.nonnegative(),
    }),
    model: z.strictObject({
      /** keccak256 of the model file's canonical bytes. */
      id: hex32,
      kind: z.literal('generator'),
      name: z.string().min(1),
      version: z.string().min(1),
      algorithm: z.string().min(1),
    }),
    code: z.strictObject({ version: z.string().min(1) }),
    inputs: z.strictObject({
      oracle: z.strictObject({
        feed: address,
        decimals: safeInt.min(0).max(36),
        rounds: z.array(OracleRoundSchema).min(2, 'at least two oracle rounds'),
      }),
      forecast: z.strictObject({ returnPpm: ppm, modelId: hex32.optional() }).optional(),
    }),
    marketState: MarketStateSchema,
    parameters: z.strictObject({
      width: safeInt.min(1).max(4096),
      height: safeInt.min(1).max(4096),
      nonce: hexBytes.refine((v) => v.length > 2, 'expected at least one byte'),
      salt: hexBytes,
      seed: hex32,
    }),
    outputs: z.strictObject({
      image: z.strictObject({
        cid: cidString,
        mediaType: z.literal('image/png'),
        size: safeInt.nonnegative(),
      }),
    }),
    proof: ProofSchema,
    agent: address,
    policy: z.strictObject({
      guard: address.optional(),
      snapshot: z.record(z.string(), z.union([z.string(), safeInt, z.boolean()])),
    }),
    /**
     * The previous version: its manifest's CID and its on-chain commitment (the sha2-256 digest of its
     * metadata JSON; for version 0 that is the token id). Null for the mint.
     */
    parent: z.union([z.null(), z.strictObject({ manifestCid: cidString, commitment: hex32 })]),
  })
  .superRefine((m, ctx) => {
    const mint = m.asset.version === 0;
    if (mint && m.asset.tokenId !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['asset', 'tokenId'],
        message:
          'a mint (version 0) has no tokenId: it is the sha2-256 digest of the metadata derived from the manifest',
      });
    }
    if (!mint && m.asset.tokenId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['asset', 'tokenId'],
        message: 'an update (version ≥ 1) names its tokenId',
      });
    }
    if (mint !== (m.parent === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['parent'],
        message: mint ? 'a mint has no parent' : 'an update names its parent version',
      });
    }
  });

export type Manifest = z.infer<typeof ManifestSchema>;

export class InvalidManifestError extends NonRetryableError {
  override name = 'InvalidManifestError';
  readonly issues: string[];
  constructor(problem: string, issues: string[] = [], source?: string) {
    super(`Invalid provenance manifest${source ? ` ${source}` : ''}: ${problem}`, {
      metaMessages: issues.length ? issues.map((i) => `- ${i}`) : undefined,
      details: `A manifest is canonical JSON in the '${MANIFEST_FORMAT}' format (keys sorted, no whitespace); addresses and hashes in lowercase hex, big integers as decimal strings.`,
      docsPath: 'docs/provenance.md#manifest',
    });
    this.issues = issues;
  }
}

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map(
    (issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
}

/** Validates a manifest object; throws `InvalidManifestError` listing every problem with its path. */
export function validateManifest(value: unknown, source?: string): Manifest {
  const result = ManifestSchema.safeParse(value);
  if (!result.success)
    throw new InvalidManifestError('schema violations', formatIssues(result.error), source);
  return result.data;
}

/** The canonical bytes of a manifest: what is stored and content-addressed (its raw CIDv1 names it). */
export function manifestBytes(manifest: Manifest): Uint8Array {
  return new TextEncoder().encode(canonicalJson(validateManifest(manifest)));
}

/**
 * A version's on-chain commitment: the sha2-256 digest of its metadata JSON bytes (0x, lowercase), the
 * digest inside the metadata's raw CIDv1. Version 0's is the token id.
 */
export function versionCommitment(metadataBytes: Uint8Array): `0x${string}` {
  return sha256(metadataBytes);
}

/**
 * Parses manifest bytes; they must be valid UTF-8 (no byte-order mark, no invalid sequence), valid
 * JSON, match the schema and be canonical: the canonical encoding of the parsed manifest must be
 * exactly the given bytes, so one manifest has one byte string and one commitment.
 */
export function parseManifest(bytes: Uint8Array, source?: string): Manifest {
  // The CID of another file of the asset (its image or metadata) is the usual mistake: say which it is.
  const kind = otherAssetFile(bytes);
  if (kind)
    throw new InvalidManifestError(
      `these bytes are ${kind}, not a provenance manifest; the manifest's CID is the one the version's metadata names as "provenance" and its Minted/Evolved log records (\`provenant art show <tokenId>\`)`,
      [],
      source,
    );
  let text: string;
  try {
    // ignoreBOM keeps a leading BOM in the text (it then fails the canonical comparison below).
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InvalidManifestError(
      `not valid UTF-8 (${bytes.length} bytes); a manifest is canonical JSON encoded as UTF-8`,
      [],
      source,
    );
  }
  if (text.startsWith('\uFEFF'))
    throw new InvalidManifestError(
      'bytes are not canonical JSON: they start with a byte-order mark (EF BB BF); remove it',
      [],
      source,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidManifestError(`not JSON (${(error as Error).message})`, [], source);
  }
  const manifest = validateManifest(value, source);
  const canonical = new TextEncoder().encode(canonicalJson(manifest));
  if (!sameBytes(canonical, bytes)) {
    throw new InvalidManifestError(
      `bytes are not canonical JSON (${bytes.length} bytes given, the canonical encoding has ${canonical.length}), so its CID, the metadata naming it and the commitment would not reproduce`,
      [],
      source,
    );
  }
  return manifest;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

/** 'a PNG image' / 'NFT metadata JSON' when `bytes` are one of an asset's other files, else undefined. */
function otherAssetFile(bytes: Uint8Array): string | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'a PNG image';
  try {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Record<
      string,
      unknown
    >;
    if (
      value &&
      typeof value === 'object' &&
      'image' in value &&
      'attributes' in value &&
      !('format' in value)
    )
      return 'NFT metadata JSON (name, image, attributes)';
  } catch {}
  return undefined;
}
