import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import {
  type PreparedCall,
  prepareCall,
  prepareMintSynth,
  prepareRepay,
  syntheticVaultAbi,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { canonicalJson, type ModelFile, sizePosition } from '../../models/index.js';
import { prove, type ZkArtifacts, type ZkRiskConfig, zkMaxDebtOf } from '../../zk/index.js';
import { heldBy } from '../approvalWaits.js';
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
   * `provenForecast` reads the gate's record (`ForecastProofGate.provenForecast(modelId, proofId)`, e.g.
   * `recordedForecast` of src/zk/onchain.ts): when given, a statement the gate already recorded — someone
   * copied the agent's proof from the mempool and submitted it first — is minted against through
   * `vault.mintWithProof` instead of `proveAndMint` (which the gate would refuse, `ZkProofAlreadyUsed`).
   */
  zk?:
    | {
        artifacts: ZkArtifacts;
        model: ModelFile;
        risk: ZkRiskConfig;
        collateralDecimals?: number;
        accumulatorAt: (roundId: bigint) => Promise<bigint>;
        provenForecast?: ((modelId: Hex, proofId: Hex) => Promise<RecordedForecast>) | undefined;
      }
    | undefined;
};

/** The gate's record of a statement (`ForecastProofGate.ProvenForecast`); `provenAt == 0` when none. */
export type RecordedForecast = {
  output0: bigint;
  output1: bigint;
  lastRoundId: bigint;
  provenAt: number | bigint;
};

/**
 * The gate holds a record under the agent's proof id (model, statement hash) whose rounds or outputs are
 * not those of the agent's proof: the agent's and the gate's readings of the statement disagree, so the
 * agent refuses to mint against it.
 */
export class ZkRecordedStatementMismatchError extends NonRetryableError {
  override name = 'ZkRecordedStatementMismatchError';
  readonly proofId: Hex;
  readonly differences: readonly string[];
  constructor(modelId: Hex, proofId: Hex, differences: readonly string[]) {
    super(
      `The zk gate's record of proof ${proofId} (model ${modelId}) is not this proof's statement: ${differences.join('; ')}.`,
      {
        details:
          'The statement was recorded by another transaction (a front-run), and the agent falls back to vault.mintWithProof only when the recorded statement is exactly its own. Check that the agent and the vault use the same ForecastProofGate (vault.zkConfig().gate) and circuit layout (value bits, outputs) before resuming.',
        docsPath: 'docs/agent.md',
      },
    );
    this.proofId = proofId;
    this.differences = differences;
  }
}

/** The gate's statement id (nullifier): keccak256(abi.encode(uint80 lastRoundId, uint256[] publicSignals)). */
export function statementIdOf(lastRoundId: bigint, publicSignals: readonly bigint[]): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'uint80' }, { type: 'uint256[]' }], [lastRoundId, publicSignals]),
  );
}

/**
 * What differs between the gate's record and the statement the agent proved (empty when they are the
 * same). The model commitment and the accumulator value are inside the proof id's hash and the record is
 * keyed by the model, so a record found under (modelId, proofId) was proven with them; the rounds and
 * the decoded outputs are compared field by field.
 */
export function recordedStatementDifferences(
  record: RecordedForecast,
  statement: { lastRoundId: bigint; outputs: readonly bigint[] },
): string[] {
  const out: string[] = [];
  if (record.lastRoundId !== statement.lastRoundId)
    out.push(`last round ${record.lastRoundId} recorded, ${statement.lastRoundId} proven`);
  const expected = [statement.outputs[0] ?? 0n, statement.outputs[1] ?? 0n];
  const recorded = [record.output0, record.output1];
  for (const i of [0, 1])
    if (recorded[i] !== expected[i]) out.push(`output${i} ${recorded[i]} recorded, ${expected[i]} proven`);
  return out;
}

/**
 * synth: mint or burn toward the risk-adjusted position. Size = volatility targeting with a cap
 * (`sizePosition`; 'always-long' by default: the forecast volatility sets the size, or 'long-only':
 * nothing while the forecast mean is negative) times the agent's capital, in sWTI at the oracle price.
 * Each decision is a content-addressed manifest whose keccak256 is the vault's intent id (emitted in its
 * `Minted`/`Repaid` log); the chain refuses to execute the same decision twice by the mint's nonce (`mint`,
 * `mintWithProof`), the gate's single-use statement (`proveAndMint`) or the recorded intent id (`repay`).
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
      // A mint (repay) of this vault waits for a person's approval or is not settled: one decision at a time.
      if (heldBy(context.waiting ?? [], delta > 0n ? 'synth-mint' : 'synth-repay', parameters.vault))
        return [];
      // zk path: prove the forecast on the latest 21 rounds — only when a mint is due (a proof takes ~1 s);
      // the mint may not pass the proven bound, and a bound below the debt leaves nothing to mint.
      const zk =
        options.zk && parameters.zk && delta > 0n
          ? await proveForecast(parameters.zk, parameters.modelId, context)
          : undefined;
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
          // The block the rounds were read at: verify --synth's oracle-window asks that the window was the
          // latest there, so a round landing before the mint is mined is not taken for a stale window.
          readBlock: observation.blockNumber.toString(),
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
              // Front-run: the gate already holds this statement, so the mint names it by its proof id.
              ...(zk.recorded ? { sentAs: 'mintWithProof', proofId: zk.proofId } : {}),
            }
          : { kind: 'replay' },
      };
      // The nonce-checked mints (`mint`, `mintWithProof`) name the position's mint nonce as read with it; a
      // resize after a refusal keeps it (the refused mint did not land), and one synth mint is decided per
      // epoch (a second waits for the first to settle: `heldBy`), so no two in flight share or skip one.
      // `proveAndMint` names none (its key is the proof's statement). Not in the manifest: the intent id is
      // the decision, the nonce only where in the position's sequence it is sent.
      const nonce = context.portfolio.mintNonce;
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
              ? zk.recorded
                ? prepareMintWithProof(parameters.vault, parameters.modelId, amount, key, zk.proofId, nonce)
                : prepareProveAndMint(parameters.vault, parameters.modelId, amount, key, zk)
              : prepareMintSynth(parameters.vault, {
                  amount,
                  modelId: parameters.modelId,
                  intentId: key,
                  nonce,
                })
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
            // The block the rounds were read at (the manifest's inputs.readBlock): the mint can only land
            // after it, so the agent's Minted-log checks (`mintLanded`) scan from there, not the deployment.
            readBlock: observation.blockNumber.toString(),
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
  /** The statement id the gate records (and refuses twice). */
  proofId: Hex;
  /** True when the gate already recorded this very statement (another account submitted it first). */
  recorded: boolean;
};

/**
 * Proves the epoch's forecast on the WTI rounds the agent observed: the circuit derives the same
 * fixed-point features the agent used from those answers, so the proven forecast is the one acted on.
 * Then, when it can read the gate, checks whether the statement is already recorded (see `recorded`).
 */
async function proveForecast(
  zk: NonNullable<SynthStrategyParameters['zk']>,
  modelId: Hex,
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
  const lastRoundId = roundIds.at(-1)!;
  const proofId = statementIdOf(lastRoundId, proof.calldata.publicSignals);
  // A statement is recorded once: when someone else submitted it (a copy of an earlier proof of the same
  // rounds, taken from the mempool), proveAndMint would revert `ZkProofAlreadyUsed`, on every retry.
  // Mint against the record instead, if it is exactly this statement.
  let recorded = false;
  if (zk.provenForecast) {
    const record = await zk.provenForecast(modelId, proofId);
    if (BigInt(record.provenAt) !== 0n) {
      const differences = recordedStatementDifferences(record, { lastRoundId, outputs: proof.outputs });
      if (differences.length > 0) throw new ZkRecordedStatementMismatchError(modelId, proofId, differences);
      recorded = true;
    }
  }
  return { artifacts: zk.artifacts, proof, roundIds, lastRoundId, maxDebt, proofId, recorded };
}

/**
 * `vault.mintWithProof`: a mint sized by a forecast the gate already recorded under `proofId`, keyed by the
 * position's mint `nonce` like `mint`.
 */
function prepareMintWithProof(
  vault: Address,
  modelId: Hex,
  amount: bigint,
  intentId: Hex,
  proofId: Hex,
  nonce: bigint,
): PreparedCall {
  return prepareCall({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'mintWithProof',
    args: [amount, modelId, intentId, proofId, nonce],
    label: 'mint sWTI with a recorded proof',
  });
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
