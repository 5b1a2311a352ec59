// Why: each public signal of the proven statement is checked against its own source (registry,
// accumulator, forecaster); one named step per signal.
import { feedAccumulatorAbi, modelRegistryAbi } from '../../chain/index.js';
import { inferFixed, type ModelFile, oracleFeaturesFixed } from '../../models/index.js';
import { accumulate, type CircuitLayout, decodePublicSignals, zkCommitment } from '../../zk/index.js';
import { eqList, type RecordCheck } from './checks.js';
import type { SynthGroth16Proof, SynthManifest } from './manifest.js';
import type { SynthVerifyDependencies } from './types.js';
import { zkContracts } from './zkContracts.js';

export type DecodedSignals = ReturnType<typeof decodePublicSignals>;

/** The manifest's public signals decoded with the circuit's layout; undecodable fails `zk-commitment`. */
export function decodedSignals(
  proof: SynthGroth16Proof,
  layout: CircuitLayout,
  check: RecordCheck,
): DecodedSignals | undefined {
  try {
    if (proof.publicSignals.length !== layout.publicSignalCount)
      throw new RangeError(
        `${proof.publicSignals.length} public signals, the circuit has ${layout.publicSignalCount}`,
      );
    return decodePublicSignals(layout, proof.publicSignals);
  } catch (error) {
    check('zk-commitment', false, 'decodable public signals', (error as Error).message);
    return undefined;
  }
}

/** `zk-commitment`: public signal 0 = registry `zkCommitmentOf(model)` = Poseidon commitment of the file. */
export async function zkCommitmentCheck(
  m: SynthManifest,
  model: ModelFile,
  decoded: DecodedSignals,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<void> {
  const registered = BigInt(
    await deps.client.readContract({
      address: deps.registry,
      abi: modelRegistryAbi,
      functionName: 'zkCommitmentOf',
      args: [m.model.id],
    }),
  );
  const ofFile = zkCommitment(model);
  // As bytes32 hex, the form the registry stores and `zk info`, `zk prove` and `model show` print.
  const hex = (v: bigint) => `0x${v.toString(16).padStart(64, '0')}`;
  check(
    'zk-commitment',
    decoded.commitment === registered && registered === ofFile,
    `registry ${hex(registered)}, model file ${hex(ofFile)}`,
    `proven ${hex(decoded.commitment)}`,
  );
}

/**
 * `zk-accumulator`: accLast is the chain of the proven answers from the accumulator's value before them,
 * and the accumulator's on-chain value at the statement's last round.
 */
export async function zkAccumulatorCheck(
  proof: SynthGroth16Proof,
  latest: string[],
  answers: bigint[],
  decoded: DecodedSignals,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<void> {
  try {
    const accumulator = await (await zkContracts(deps)).accumulator();
    const readAcc = (roundId: bigint) =>
      deps.client.readContract({
        address: accumulator,
        abi: feedAccumulatorAbi,
        functionName: 'accumulatorAt',
        args: [roundId],
      });
    const first = BigInt(latest[0] ?? '0');
    const [before, onchain] = await Promise.all([readAcc(first - 1n), readAcc(BigInt(proof.lastRoundId))]);
    const chained = accumulate(before, answers);
    check(
      'zk-accumulator',
      chained === decoded.accLast && onchain === decoded.accLast,
      `chain of the ${answers.length} answers ${chained}, accumulator ${onchain}`,
      `proven ${decoded.accLast}`,
    );
  } catch (error) {
    check('zk-accumulator', false, 'the accumulator value at the last round', (error as Error).message);
  }
}

/** `zk-forecast`: proven outputs = the forecaster on the proven answers' features = the manifest's replay. */
export function zkForecastCheck(
  model: ModelFile,
  answers: bigint[],
  outputs: number[],
  decoded: DecodedSignals,
  check: RecordCheck,
): void {
  let provenReplay: number[] | string;
  try {
    provenReplay = inferFixed(model, oracleFeaturesFixed(answers, model.scaleBits).map(Number));
  } catch (error) {
    provenReplay = (error as Error).message;
  }
  check(
    'zk-forecast',
    Array.isArray(provenReplay) && eqList(decoded.outputs, provenReplay) && eqList(provenReplay, outputs),
    provenReplay,
    decoded.outputs,
    'fixed-point forecaster on the oracle features of the proven answers',
  );
}
