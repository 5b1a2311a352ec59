// Why: `provenant art show` tells a token's story from its manifests (which model, which rounds, which
// forecast, which files), not only the commitments the chain keeps; kept apart from the command wiring.
// A version's commitment is the sha2-256 digest of its metadata, and the metadata names its manifest
// (`"provenance":"ipfs://<manifest CID>"`): the show prints that link beside the manifest the log names.
import { formatUnits } from 'viem';
import { aggregatorRoundOf, phaseOf, proxyRoundLabel } from '../../chain/index.js';
import type { Manifest, TokenVersionRecord } from '../../provenance/index.js';

/** What a version's manifest says, in the words and units a collector reads. */
export type VersionStory = {
  model: { id: string; name: string; version: string; algorithm: string };
  oracle: {
    feed: string;
    decimals: number;
    rounds: number;
    firstRound: string;
    lastRound: string;
    /** The newest round's answer in the feed's units (`decimals` applied) and its time (UTC, ISO 8601). */
    lastAnswer: string;
    lastUpdatedAt: string;
  };
  /** The forecast the render used, or null when it used none. */
  forecast: { returnPpm: number; modelId: string | null } | null;
  /** `replay`: re-derived by `provenant verify`; `groth16`: a proof the gate verified on-chain. */
  proof:
    | { kind: 'replay' }
    | { kind: 'groth16'; gate: string; proofId: string; firstRound: string; lastRound: string };
  regime: string;
  image: { cid: string; size: number; width: number; height: number };
  /** The parent version: its manifest CID and its on-chain commitment (the sha2-256 digest of its metadata). */
  parent: { manifestCid: string; commitment: string } | null;
};

/**
 * One version as `art show --json` prints it: the chain's record (`commitment` is the sha2-256 digest of
 * the version's metadata, so `metadataCid` is its raw CIDv1), the metadata's provenance link, and the
 * story or why it is missing.
 */
export type ShownVersion = TokenVersionRecord & {
  version: number;
  /** The metadata's raw CIDv1 (`bafkrei…`), from the commitment: what `tokenURI` names for the latest version. */
  metadataCid: string;
  /** The metadata's `provenance` member (`ipfs://<manifest CID>`), read from the local content store. */
  provenance?: string;
  /** Why the metadata could not be read from the local content store, or names no manifest. */
  metadataProblem?: string;
  story?: VersionStory;
  /** Why the manifest could not be read from the local content store (missing, changed, not a manifest). */
  manifestProblem?: string;
};

/**
 * The metadata's provenance link against the manifest the version's log names: the link that binds the
 * manifest to the on-chain commitment (the contract's ERC-7007 `verify` checks the same member).
 */
export function provenanceLine(v: ShownVersion, contentDir: string): string {
  if (v.provenance === undefined)
    return `(metadata not readable from ${contentDir}: ${v.metadataProblem ?? 'unknown'}; run again with --ipfs-gateway <url>, or \`provenant content import\` a CAR that holds ipfs://${v.metadataCid}, to see which manifest it names)`;
  if (v.manifestCid === undefined) return `${v.provenance} (the log names no manifest to compare)`;
  return v.provenance === `ipfs://${v.manifestCid}`
    ? `${v.provenance} (the manifest the log names)`
    : `${v.provenance} (NOT the manifest the log names, ipfs://${v.manifestCid}; run \`provenant verify\`)`;
}

const isoOf = (seconds: string): string => {
  const ms = Number(seconds) * 1000;
  return Number.isFinite(ms) && ms >= 0 && ms <= 8.64e15
    ? new Date(ms).toISOString().replace('.000Z', 'Z')
    : seconds;
};

/** The parts of a parsed manifest `art show` prints. */
export function versionStory(m: Manifest): VersionStory {
  const rounds = m.inputs.oracle.rounds;
  const first = rounds[0];
  const last = rounds[rounds.length - 1];
  return {
    model: { id: m.model.id, name: m.model.name, version: m.model.version, algorithm: m.model.algorithm },
    oracle: {
      feed: m.inputs.oracle.feed,
      decimals: m.inputs.oracle.decimals,
      rounds: rounds.length,
      firstRound: first?.roundId ?? '',
      lastRound: last?.roundId ?? '',
      lastAnswer: last ? formatUnits(BigInt(last.answer), m.inputs.oracle.decimals) : '',
      lastUpdatedAt: last ? isoOf(last.updatedAt) : '',
    },
    forecast: m.inputs.forecast
      ? { returnPpm: m.inputs.forecast.returnPpm, modelId: m.inputs.forecast.modelId ?? null }
      : null,
    proof:
      m.proof.kind === 'groth16'
        ? {
            kind: 'groth16',
            gate: m.proof.gate,
            proofId: m.proof.forecastProof.proofId,
            firstRound: m.proof.roundIds[0] ?? '',
            lastRound: m.proof.roundIds[m.proof.roundIds.length - 1] ?? '',
          }
        : { kind: 'replay' },
    regime: m.marketState.regime,
    image: {
      cid: m.outputs.image.cid,
      size: m.outputs.image.size,
      width: m.parameters.width,
      height: m.parameters.height,
    },
    parent: m.parent,
  };
}

/**
 * `first..last`, or `first..last (n)` with the count, and on a Chainlink proxy (ids `phase << 64 | n`,
 * 20 digits) the aggregator rounds they are, so a window across an upgrade shows it:
 * `… (21: phase 1 #95..phase 2 #5)`. Plain ids as they are.
 */
export function roundRangeText(first: string, last: string, count?: number): string {
  const range = `${first}..${last}`;
  const counted = (note: string) =>
    count === undefined
      ? note
        ? `${range} (${note})`
        : range
      : `${range} (${count}${note ? `: ${note}` : ''})`;
  if (!/^\d+$/.test(first) || !/^\d+$/.test(last)) return counted('');
  const [a, b] = [BigInt(first), BigInt(last)];
  if (phaseOf(a) === 0n && phaseOf(b) === 0n) return counted('');
  const end = phaseOf(a) === phaseOf(b) ? `#${aggregatorRoundOf(b)}` : proxyRoundLabel(b);
  return counted(`${proxyRoundLabel(a)}..${end}`);
}

/** `+0.0743%` from 743 ppm: a return in percent, four decimals, integers only. */
export function ppmAsPercent(ppm: number): string {
  const sign = ppm < 0 ? '-' : '+';
  const abs = Math.abs(ppm);
  return `${sign}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}%`;
}

function forecastLine(s: VersionStory): string {
  if (!s.forecast) return 'none (the render used no forecast)';
  const by = s.forecast.modelId ? `by forecaster ${s.forecast.modelId}` : 'naming no forecaster';
  const how =
    s.proof.kind === 'groth16'
      ? `proven: Groth16 proof ${s.proof.proofId} on rounds ${roundRangeText(s.proof.firstRound, s.proof.lastRound)}, recorded by gate ${s.proof.gate}`
      : 're-derived by `provenant verify` from the rounds (replay)';
  return `${s.forecast.returnPpm} ppm (${ppmAsPercent(s.forecast.returnPpm)} expected next return) ${by}; ${how}`;
}

/** The lines of one version: where the chain put it, then what its manifest says. */
export function versionLines(v: ShownVersion, contentDir: string): string[] {
  const where =
    v.blockNumber !== undefined
      ? ` in block ${v.blockNumber}${v.logIndex !== undefined ? ` (log ${v.logIndex})` : ''}`
      : '';
  const lines = [
    `v${v.version}  ${v.version === 0 ? 'minted' : 'evolved'}${where}`,
    `    commitment  ${v.commitment} (sha2-256 of the metadata${v.version === 0 ? '; the token id' : ''})`,
    `    metadata    ${v.metadataCid}`,
    `    provenance  ${provenanceLine(v, contentDir)}`,
    `    manifest    ${v.manifestCid ?? '(no manifest CID in the log)'}`,
  ];
  const s = v.story;
  if (!s) {
    lines.push(
      `    (manifest not readable from ${contentDir}: ${v.manifestProblem ?? 'unknown'}; run again with --ipfs-gateway <url>, or \`provenant content import\` a CAR that holds ipfs://${v.manifestCid ?? '…'}, to see this version's story)`,
    );
    return lines;
  }
  lines.push(
    `    model       ${s.model.name} ${s.model.version} (${s.model.algorithm}) ${s.model.id}${v.modelId && v.modelId.toLowerCase() !== s.model.id ? `; the log names ${v.modelId}` : ''}`,
    `    prices      feed ${s.oracle.feed}, rounds ${roundRangeText(s.oracle.firstRound, s.oracle.lastRound, s.oracle.rounds)}; latest ${s.oracle.lastAnswer} at ${s.oracle.lastUpdatedAt}`,
    `    forecast    ${forecastLine(s)}`,
    `    market      ${s.regime}`,
    `    image       ${s.image.cid} (PNG ${s.image.width}×${s.image.height}, ${s.image.size} bytes)`,
  );
  if (s.parent) lines.push(`    parent      ${s.parent.manifestCid} (commitment ${s.parent.commitment})`);
  return lines;
}

/** tokenURI against the latest version's metadata CID (the raw CIDv1 of its commitment; `verify`'s token-uri check). */
export function tokenUriLine(tokenUri: string | undefined, versions: readonly ShownVersion[]): string {
  const latest = versions.length - 1;
  const cid = versions[latest]?.metadataCid;
  if (tokenUri === undefined) return '— (not read)';
  if (cid === undefined) return `${tokenUri} (no version recorded: not compared)`;
  return tokenUri === `ipfs://${cid}`
    ? `${tokenUri} (the metadata of v${latest}, the latest)`
    : `${tokenUri} (NOT the metadata of v${latest}, the latest: ipfs://${cid}; run \`provenant verify\`)`;
}

/** How to get the bytes behind the CIDs, and how to check them. */
export function fetchLines(tokenId: bigint, contentDir: string): string[] {
  return [
    `Files: each CID above is the file ${contentDir}/<cid> (the name is the hash of the bytes; every read re-checks it).`,
    '  `provenant content export <file.car>` writes them all as a CAR for any IPFS node; once pushed, any gateway serves ipfs://<cid>.',
    `Check: \`provenant verify ${tokenId} --all\` re-derives every version from its manifest and the chain.`,
  ];
}
