import { type Address, encodeAbiParameters, type Hex, keccak256, type PublicClient } from 'viem';
import { isRoundWindow } from '../../chain/index.js';
import {
  fixedToPpm,
  inferFixed,
  type ModelFile,
  marketStateFromRounds,
  ORACLE_FEATURE_ANSWERS,
  oracleFeaturesFixed,
} from '../../models/index.js';
import { type ContentStore, type Manifest, renderAsset } from '../../provenance/index.js';
import { type AssetPublisher, artEvolveCall, artMintCall, artPolicySection, storeAsset } from './artCalls.js';
import type { Intent, Strategy } from './types.js';

/** One token the agent minted, with its versions (rebuilt from confirmed intents in the journal). */
export type ArtToken = {
  tokenId: bigint;
  nonce: Hex;
  /** Per version: its manifest CID and its on-chain commitment (the sha2-256 digest of its metadata). */
  versions: { version: number; manifestCid: string; commitment: Hex }[];
};

export type ArtStrategyParameters = {
  nft: Address;
  guard: Address;
  model: ModelFile;
  modelId: Hex;
  content: ContentStore;
  /** Reads the guard's MINT / UPDATE policy for the manifest's policy snapshot (at the observation's block). */
  client: PublicClient;
  /** `provenant <version>+<commit>`: see `codeVersion()`. */
  codeVersion: string;
  /** Pushes image, metadata and manifest after they are stored locally (IPFS configured); never blocks. */
  publish?: AssetPublisher | undefined;
  /** Tokens minted so far and the regime seen last epoch. */
  state: () => { tokens: ArtToken[]; lastRegime: string | undefined };
  /**
   * The forecaster the agent runs (its model file and id = keccak256 of the file). A `replay` render's
   * forecast is this model's fixed-point output on the manifest's 21 newest rounds, recorded with the
   * model id so `provenant verify` re-derives it (`forecast-replay`). Required: a manifest never carries
   * a forecast that names no forecaster (verify fails such a forecast).
   */
  forecaster: { model: ModelFile; id: Hex };
  /**
   * Rounds of WTI history the market state is derived from (default 21: the forecaster's features need
   * the 21 newest answers, so they are all among the manifest's rounds; at least 21).
   */
  window?: number;
  /** Remembers the regime seen this epoch (the agent journals it). */
  onRegime?: (regime: string) => void;
  /** The token's latest version on-chain; an evolve is built only when the journal agrees with it. */
  latestVersionOnChain?: (tokenId: bigint) => Promise<number>;
  /**
   * The latest forecast the zk gate recorded for the agent's forecaster (a verified Groth16 proof), if
   * any. When it was made on prices inside the artwork's own window (its last round at most
   * `window - 1` rounds behind the artwork's latest round), the artwork's market state uses that
   * proven forecast and the manifest's proof is `groth16`, so ERC-7007 `verify` on the NFT answers
   * true for it; otherwise the render uses the current inference and its proof is `replay`.
   */
  provenForecast?: () => Promise<ProvenForecastRef | undefined>;
};

/** A forecast `ForecastProofGate` recorded (from its `ForecastProven` event). */
export type ProvenForecastRef = {
  gate: Address;
  modelId: Hex;
  proofId: Hex;
  /** The rounds whose answers the proof carried, oldest first. */
  roundIds: readonly bigint[];
  /** Fixed-point outputs at `scaleBits`: [mean log return, expected |return|]. */
  outputs: readonly [bigint, bigint];
  scaleBits: number;
};

/**
 * art: mint a market-art NFT when the market regime changes (calm, trending, volatile), and evolve the
 * newest token every `evolveEveryEpochs` epochs, within the guard's mint cap and per-token rate limit.
 * Image, metadata and manifest go to the content store before the transaction (and to IPFS when a
 * `publish` hook is given, without blocking). A version's on-chain commitment is the sha2-256 digest
 * of its metadata (for a mint, the token id), and the metadata names the manifest by CID
 * (`"provenance":"ipfs://<manifest CID>"`). The manifest's policy snapshot is the guard's MINT (or
 * UPDATE) policy read at render time (`artPolicySection`).
 */
export function artStrategy(parameters: ArtStrategyParameters): Strategy {
  const window = parameters.window ?? ORACLE_FEATURE_ANSWERS;
  if (window < ORACLE_FEATURE_ANSWERS)
    throw new RangeError(
      `art window ${window} is shorter than the ${ORACLE_FEATURE_ANSWERS} rounds the forecaster's features need; the manifest could not carry the forecast's inputs`,
    );
  return {
    name: 'art',
    async decide(context) {
      const { observation, options, chainId } = context;
      const rounds = observation.wti
        .slice(-window)
        .map((r) => ({ roundId: r.roundId, answer: r.answer, updatedAt: r.updatedAt }));
      // Fewer than 21 consecutive rounds: no re-derivable forecast, so the render states none (forecastPpm 0).
      const replay = replayForecast(parameters.forecaster, rounds);
      const { forecast, proof } = forecastInput(
        await parameters.provenForecast?.(),
        rounds.at(-1)?.roundId,
        window - 1,
        replay,
      );
      const regime = marketStateFromRounds(rounds, observation.decimals, forecast).regime;
      const { tokens, lastRegime } = parameters.state();
      parameters.onRegime?.(regime);
      const common = {
        chainId,
        contract: parameters.nft,
        oracle: { feed: observation.feeds.WTI, decimals: observation.decimals, rounds },
        ...(forecast ? { forecast } : {}),
        ...(proof ? { proof } : {}),
        salt: parameters.nft,
        width: options.art.size,
        height: options.art.size,
        agent: context.agent,
        codeVersion: parameters.codeVersion,
      };
      const policy = (action: 'MINT' | 'UPDATE', tokenId?: bigint) =>
        artPolicySection(parameters.client, {
          guard: parameters.guard,
          nft: parameters.nft,
          action,
          modelId: parameters.modelId,
          tokenId,
          // The block the rounds were read at: the snapshot records it, and verify's oracle-window
          // checks the window was the latest there (a round landing before the mint is then no ✗).
          blockNumber: observation.blockNumber,
        });
      const regimeChanged = lastRegime !== undefined && regime !== lastRegime;
      if ((tokens.length === 0 || regimeChanged) && tokens.length < options.art.maxTokens) {
        const nonce = keccak256(
          encodeAbiParameters(
            [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint256' }],
            ['art-mint', BigInt(chainId), parameters.nft, BigInt(context.epoch)],
          ),
        );
        const asset = await renderAsset(parameters.model, {
          ...common,
          policy: await policy('MINT'),
          version: 0,
          nonce,
          parent: null,
        });
        const manifestCid = await storeAsset(parameters.content, asset, parameters.publish);
        const call = artMintCall(parameters.nft, {
          to: context.agent,
          modelId: parameters.modelId,
          nonce,
          asset,
        });
        return [
          intent(
            nonce,
            'art-mint',
            call,
            tokens.length === 0
              ? `mint the first market art (${regime})`
              : `mint market art: regime ${lastRegime} → ${regime}`,
            {
              tokenId: asset.tokenId.toString(),
              nonce,
              version: 0,
              manifestCid,
              commitment: asset.commitment,
              regime,
              proof: proof ? { kind: 'groth16', proofId: proof.forecastProof.proofId } : { kind: 'replay' },
            },
            asset,
            manifestCid,
          ),
        ];
      }
      const latest = tokens.at(-1);
      if (latest && context.epoch % options.art.evolveEveryEpochs === 0) {
        const parent = latest.versions.at(-1)!;
        const onChain = await parameters.latestVersionOnChain?.(latest.tokenId);
        if (onChain !== undefined && onChain !== parent.version) return []; // the journal lags the chain: reconcile first
        const version = parent.version + 1;
        const asset = await renderAsset(parameters.model, {
          ...common,
          policy: await policy('UPDATE', latest.tokenId),
          tokenId: latest.tokenId,
          version,
          nonce: latest.nonce,
          parent: { manifestCid: parent.manifestCid, commitment: parent.commitment },
        });
        const manifestCid = await storeAsset(parameters.content, asset, parameters.publish);
        const { call, key } = artEvolveCall(parameters.nft, {
          tokenId: latest.tokenId,
          parentVersion: parent.version,
          modelId: parameters.modelId,
          asset,
        });
        return [
          intent(
            key,
            'art-evolve',
            call,
            `evolve token ${latest.tokenId.toString(16).slice(0, 8)}… to v${version} (${regime})`,
            {
              tokenId: latest.tokenId.toString(),
              nonce: latest.nonce,
              version,
              manifestCid,
              commitment: asset.commitment,
              regime,
              proof: proof ? { kind: 'groth16', proofId: proof.forecastProof.proofId } : { kind: 'replay' },
            },
            asset,
            manifestCid,
          ),
        ];
      }
      return [];
    },
  };
}

/**
 * The `replay` forecast of a render, re-derivable from the manifest alone: the forecaster's fixed-point
 * output on the oracle features (`oracleFeaturesFixed` at the model's `scaleBits`) of the answers of the
 * 21 newest rounds (by round id, consecutive ids, so the newest is the round the forecast is made at),
 * `returnPpm = fixedToPpm(outputs[0], scaleBits)`: |q|·10^6 / 2^s rounded half away from zero, in
 * integers. Recorded with `modelId` (keccak256 of the model file). Undefined with fewer than 21 rounds
 * or non-consecutive ids (the render then states no forecast: `forecastPpm` 0).
 * `OracleFeatureError` when an answer is not positive.
 */
export function replayForecast(
  forecaster: { model: ModelFile; id: Hex },
  rounds: readonly { roundId: bigint; answer: bigint }[],
): { returnPpm: number; modelId: Hex; output: bigint } | undefined {
  const window = [...rounds]
    .sort((a, b) => (a.roundId < b.roundId ? -1 : a.roundId > b.roundId ? 1 : 0))
    .slice(-ORACLE_FEATURE_ANSWERS);
  if (window.length < ORACLE_FEATURE_ANSWERS) return undefined;
  // Consecutive in the feed's order, across at most one aggregator upgrade (what the agent's window read gives).
  if (!isRoundWindow(window.map((r) => r.roundId))) return undefined;
  const s = forecaster.model.scaleBits;
  const features = oracleFeaturesFixed(
    window.map((r) => r.answer),
    s,
  );
  const output = BigInt(inferFixed(forecaster.model, features.map(Number))[0]!);
  return { returnPpm: fixedToPpm(output, s), modelId: forecaster.id.toLowerCase() as Hex, output };
}

/**
 * The forecast the render uses: the gate's latest proven forecast when it is recent enough (with the
 * `groth16` proof section that names it), else the `replay` forecast (`replayForecast`: the forecaster's
 * output with its model id, which `verify` re-derives), or none. Every forecast returned names its model.
 */
export function forecastInput(
  proven: ProvenForecastRef | undefined,
  latestRoundId: bigint | undefined,
  maxLagRounds: number,
  replay: { returnPpm: number; modelId: Hex } | undefined,
): {
  forecast?: { returnPpm: number; modelId: Hex };
  proof?: Extract<Manifest['proof'], { kind: 'groth16' }>;
} {
  const last = proven?.roundIds.at(-1);
  if (
    !proven ||
    last === undefined ||
    latestRoundId === undefined ||
    last > latestRoundId ||
    latestRoundId - last > BigInt(maxLagRounds)
  ) {
    if (!replay) return {};
    return { forecast: { returnPpm: replay.returnPpm, modelId: replay.modelId.toLowerCase() as Hex } };
  }
  const modelId = proven.modelId.toLowerCase() as Hex;
  return {
    forecast: { returnPpm: fixedToPpm(proven.outputs[0], proven.scaleBits), modelId },
    proof: {
      kind: 'groth16',
      forecastProof: { modelId, proofId: proven.proofId.toLowerCase() as Hex },
      gate: proven.gate.toLowerCase() as Hex,
      roundIds: proven.roundIds.map(String),
      outputs: proven.outputs.map(String),
      scaleBits: proven.scaleBits,
    },
  };
}

function intent(
  key: Hex,
  kind: 'art-mint' | 'art-evolve',
  call: Intent['call'],
  summary: string,
  decision: Record<string, unknown>,
  asset: { manifestBytes: Uint8Array; commitment: Hex },
  manifestCid: string,
): Intent {
  return {
    key,
    strategy: 'art',
    kind,
    call,
    sizeUsd: 0,
    summary,
    decision,
    manifest: { cid: manifestCid, commitment: asset.commitment, bytes: asset.manifestBytes },
  };
}
