// Why: the zk mint path adds its own checks (circuit, signals, calldata, proof, bound); this runs them in
// the documented order for a groth16 manifest.
import type { Hex } from 'viem';
import type { ModelFile } from '../../models/index.js';
import { eqList, type RecordCheck, show, synthUnits } from './checks.js';
import { loadCircuitByHash } from './loadCircuitByHash.js';
import type { SynthGroth16Proof, SynthManifest } from './manifest.js';
import { type MintCall, mintCallArgs } from './mintCallArgs.js';
import type { SynthVerifyDependencies } from './types.js';
import { statementId } from './zkContracts.js';
import { zkProofChecks } from './zkProofChecks.js';
import { decodedSignals, zkAccumulatorCheck, zkCommitmentCheck, zkForecastCheck } from './zkSignalChecks.js';

/** The `zk-*` checks of a groth16 manifest (see verifySynthDecision.ts for what each one proves). */
export async function verifyZk(
  m: SynthManifest,
  model: ModelFile,
  outputs: number[],
  intentId: Hex,
  txHash: Hex | undefined,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<void> {
  const proof = m.proof as SynthGroth16Proof;
  const circuit = (deps.loadCircuit ?? loadCircuitByHash)(proof.circuit);
  if (
    !check(
      'zk-circuit',
      circuit !== undefined,
      `vkey of circuit ${proof.circuit}`,
      circuit ? 'found' : 'none',
    )
  )
    return;
  const { layout, vkey } = circuit!;
  const decoded = decodedSignals(proof, layout, check);
  if (!decoded) return;

  await zkCommitmentCheck(m, model, decoded, deps, check);

  // The proven rounds: the manifest's latest `layout.answers` rounds, ending at the statement's round.
  const window = m.inputs.rounds.slice(-layout.answers);
  const latest = window.map(([id]) => id);
  check(
    'zk-rounds',
    eqList(proof.roundIds, latest) && proof.lastRoundId === latest.at(-1),
    `rounds ${show(latest)}`,
    `rounds ${show(proof.roundIds)}, last ${proof.lastRoundId}`,
  );

  // accLast: the chain of those answers from the accumulator's value before them, and the value on-chain.
  const answers = window.map(([, a]) => BigInt(a));
  await zkAccumulatorCheck(proof, latest, answers, decoded, deps, check);
  zkForecastCheck(model, answers, outputs, decoded, check);

  // the proof points and the statement as sent to the vault
  const proofId = statementId(BigInt(proof.lastRoundId), proof.publicSignals.map(BigInt));
  const sent = txHash ? await mintCallArgs(deps.client, txHash) : undefined;
  await zkProofChecks({ m, proof, vkey, intentId, txHash, proofId, sent, deps, check });

  if (m.action === 'mint') zkBoundCheck(m, proof, proofId, sent, check);
}

/** `zk-bound`: debt + amount ≤ the proven bound, and the vault's MintedWithProof log agrees. */
function zkBoundCheck(
  m: SynthManifest,
  proof: SynthGroth16Proof,
  proofId: Hex,
  sent: MintCall | undefined,
  check: RecordCheck,
): void {
  const maxDebt = BigInt(proof.maxDebt);
  const after = BigInt(m.position.debt) + BigInt(m.amount);
  const event = sent?.mintedWithProof;
  const eventOk =
    event !== undefined &&
    event.proofId === proofId &&
    event.amount === BigInt(m.amount) &&
    event.maxDebt === maxDebt;
  const u = synthUnits;
  check(
    'zk-bound',
    after <= maxDebt && eventOk,
    `debt+amount ${after} ≤ ${maxDebt}; MintedWithProof(${proofId.slice(0, 10)}…, ${m.amount}, ${maxDebt})`,
    event
      ? `MintedWithProof(${event.proofId.slice(0, 10)}…, ${event.amount}, ${event.maxDebt})`
      : 'no MintedWithProof log',
    undefined,
    {
      expected: `debt+amount ${u(after)} ≤ bound ${u(maxDebt)}; MintedWithProof(${proofId.slice(0, 10)}…, amount ${u(m.amount)}, bound ${u(maxDebt)})`,
      actual: event
        ? `MintedWithProof(${event.proofId.slice(0, 10)}…, amount ${u(event.amount)}, bound ${u(event.maxDebt)})`
        : 'no MintedWithProof log',
    },
  );
}
