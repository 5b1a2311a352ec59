import { type Address, type Hex, keccak256 } from 'viem';
import {
  type PreparedCall,
  prepareCall,
  prepareMintSynth,
  prepareRepay,
  syntheticVaultAbi,
} from '../../chain/index.js';
import { canonicalJson, type ModelFile, sizePosition } from '../../models/index.js';
import { prove, type ZkArtifacts, type ZkRiskConfig, zkMaxDebtOf } from '../../zk/index.js';
import type { Intent, Strategy } from './types.js';

const E18 = 10n ** 18n;
const toUnits = (amount: number) => BigInt(Math.floor(amount * 1e6)) * 10n ** 12n;
const fromUnits = (units: bigint) => Number(units / 10n ** 12n) / 1e6;

export type SynthStrategyParameters = {
  vault: Address;
  modelId: Hex;
  /**
   * Zero-knowledge path (issue 8), used when `options.zk` is true: each mint carries a Groth16 proof that
   * the registered model (private weights) turned the WTI feed's latest 21 answers — bound to the chain
   * through the feed accumulator, features derived in the circuit — into the forecast, sent as one
   * `vault.proveAndMint` (the gate checks the proof, the vault bounds the size by the proven forecast).
   * `risk` must equal the vault's `zkConfig`; collateral decimals default to 6. `accumulatorAt` reads the
   * feed accumulator's chain value after a round (the proof starts from the one before its first answer).
   */
  zk?:
    | {
        artifacts: ZkArtifacts;
        model: ModelFile;
        risk: ZkRiskConfig;
        collateralDecimals?: number;
        accumulatorAt: (roundId: bigint) => Promise<bigint>;
      }
    | undefined;
};

/**
 * synth: mint or burn toward the risk-adjusted position. Size = volatility targeting with a cap
 * (`sizePosition`; 'always-long' by default: the forecast volatility sets the size, or 'long-only':
 * nothing while the forecast mean is negative) times the agent's capital, in sWTI at the oracle price.
 * Each decision is a content-addressed manifest whose keccak256 is the vault's intent id, so the chain
 * refuses to execute the same decision twice.
 */
export function synthStrategy(parameters: SynthStrategyParameters): Strategy {
  return {
    name: 'synth',
    async decide(context) {
      const { inference, options, observation } = context;
      const vol = Math.max(inference.forecast.vol, inference.ewmaVol);
      const sizing = sizePosition({
        forecastMean: inference.forecast.mean,
        forecastVol: vol,
        targetVol: options.targetVol,
        cap: options.maxPositionFraction,
        mode: options.sizingMode,
      });
      const targetUsd = sizing.size * options.capitalUsd;
      const target = toUnits(targetUsd / inference.price);
      const { debt, synthBalance } = context.portfolio;
      let delta = target - debt;
      // Rebalance band: trade only when the position is off target by more than `rebalanceBand` (no churn on noise).
      const band = (target * BigInt(Math.round(options.rebalanceBand * 10_000))) / 10_000n;
      const threshold = band > E18 ? band : E18;
      if (delta > -threshold && delta < threshold) return [];
      // zk path: prove the forecast on the latest 21 rounds — only when a mint is due (a proof takes ~1 s);
      // the mint may not pass the proven bound, and a bound below the debt leaves nothing to mint.
      const zk =
        options.zk && parameters.zk && delta > 0n ? await proveForecast(parameters.zk, context) : undefined;
      if (zk && zk.maxDebt - debt < delta) {
        delta = zk.maxDebt - debt;
        if (delta < threshold) return [];
      }
      const latest = observation.wti.at(-1)!;
      const base = {
        format: 'provenant-manifest/1',
        kind: 'synth-decision',
        chainId: context.chainId,
        vault: parameters.vault.toLowerCase(),
        epoch: context.epoch,
        date: observation.date,
        model: { id: parameters.modelId },
        inputs: {
          feed: observation.feeds.WTI.toLowerCase(),
          decimals: observation.decimals,
          rounds: observation.wti.map((r) => [r.roundId.toString(), r.answer.toString()]),
        },
        features: inference.features.map((v) => v.toPrecision(12)),
        forecast: { mean: inference.forecast.mean.toPrecision(12), vol: vol.toPrecision(12) },
        sizing: {
          size: sizing.size.toPrecision(12),
          capped: sizing.capped,
          targetVol: options.targetVol,
          cap: options.maxPositionFraction,
          capitalUsd: options.capitalUsd,
        },
        price: latest.answer.toString(),
        position: { debt: debt.toString(), target: target.toString() },
        // The statement proven (public signals and rounds) — deterministic, unlike the proof points.
        proof: zk
          ? {
              kind: 'groth16',
              circuit: zk.artifacts.circuitHash,
              roundIds: zk.roundIds.map(String),
              lastRoundId: zk.lastRoundId.toString(),
              publicSignals: zk.proof.publicSignals,
              maxDebt: zk.maxDebt.toString(),
            }
          : { kind: 'replay' },
      };
      const make = (action: 'mint' | 'repay', amount: bigint, resizedFrom?: bigint): Intent => {
        const manifest = {
          ...base,
          action,
          amount: amount.toString(),
          ...(resizedFrom !== undefined ? { resizedFrom: resizedFrom.toString() } : {}),
        };
        const bytes = new TextEncoder().encode(canonicalJson(manifest));
        const key = keccak256(bytes);
        const call =
          action === 'mint'
            ? zk
              ? prepareProveAndMint(parameters.vault, parameters.modelId, amount, key, zk)
              : prepareMintSynth(parameters.vault, { amount, modelId: parameters.modelId, intentId: key })
            : prepareRepay(parameters.vault, { owner: context.agent, amount, intentId: key });
        return {
          key,
          strategy: 'synth',
          kind: action === 'mint' ? 'synth-mint' : 'synth-repay',
          call,
          sizeUsd: fromUnits(amount) * inference.price,
          summary: `${action} ${fromUnits(amount).toFixed(2)} sWTI (target ${fromUnits(target).toFixed(2)}, debt ${fromUnits(debt).toFixed(2)}, size ${sizing.size.toFixed(3)}×)`,
          decision: {
            action,
            amount: amount.toString(),
            target: target.toString(),
            debt: debt.toString(),
            size: sizing.size,
            forecast: inference.forecast,
            vol,
          },
          manifest: { cid: '', commitment: key, bytes },
          resize: (refusal) => {
            const remaining = refusal.args.remaining as bigint | undefined;
            if (action !== 'mint' || remaining === undefined || remaining < E18) return undefined;
            return make('mint', remaining, amount);
          },
        };
      };
      if (delta > 0n) return [make('mint', delta)];
      // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers)
      const repay = -delta < synthBalance ? -delta : synthBalance;
      return repay >= E18 ? [make('repay', repay)] : [];
    },
  };
}

type ProvenForecast = {
  artifacts: ZkArtifacts;
  proof: Awaited<ReturnType<typeof prove>>;
  roundIds: bigint[];
  lastRoundId: bigint;
  maxDebt: bigint;
};

/**
 * Proves the epoch's forecast on the WTI rounds the agent observed: the circuit derives the same
 * fixed-point features the agent used from those answers, so the proven forecast is the one acted on.
 */
async function proveForecast(
  zk: NonNullable<SynthStrategyParameters['zk']>,
  context: Parameters<Strategy['decide']>[0],
): Promise<ProvenForecast> {
  const { observation } = context;
  const rounds = observation.wti.slice(-zk.artifacts.layout.answers);
  const accPrev = await zk.accumulatorAt(rounds[0]!.roundId - 1n);
  const proof = await prove(zk.artifacts, zk.model, { answers: rounds.map((r) => r.answer), accPrev });
  const maxDebt = zkMaxDebtOf({
    collateral: context.portfolio.collateral,
    collateralDecimals: zk.collateralDecimals ?? 6,
    answer: rounds.at(-1)!.answer,
    answerDecimals: observation.decimals,
    output1: proof.outputs[1]!,
    config: zk.risk,
  });
  const roundIds = rounds.map((r) => r.roundId);
  return { artifacts: zk.artifacts, proof, roundIds, lastRoundId: roundIds.at(-1)!, maxDebt };
}

function prepareProveAndMint(
  vault: Address,
  modelId: Hex,
  amount: bigint,
  intentId: Hex,
  zk: ProvenForecast,
): PreparedCall {
  const { a, b, c, publicSignals } = zk.proof.calldata;
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'proveAndMint',
    args: [amount, modelId, intentId, { lastRoundId: zk.lastRoundId, a, b, c, publicSignals }],
    label: 'prove and mint sWTI',
  });
}
