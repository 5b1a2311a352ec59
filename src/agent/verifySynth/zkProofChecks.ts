// Why: the statement and points that reached the vault are checked apart from what the manifest claims;
// a front-run fallback mint takes its points from the transaction that recorded the statement.
import type { Hex } from 'viem';
import { type Groth16Proof, type VerificationKey, verifyProof } from '../../zk/index.js';
import { eqList, type RecordCheck, show } from './checks.js';
import type { SynthGroth16Proof, SynthManifest } from './manifest.js';
import type { MintCall } from './mintCallArgs.js';
import { recordingProof } from './recordingProof.js';
import type { SynthVerifyDependencies } from './types.js';

export type ZkProofCheckParameters = {
  m: SynthManifest;
  proof: SynthGroth16Proof;
  vkey: VerificationKey;
  intentId: Hex;
  txHash: Hex | undefined;
  /** The statement id of the manifest's statement (`statementId`). */
  proofId: Hex;
  /** The mint transaction's call, when there is one and it decodes. */
  sent: MintCall | undefined;
  deps: SynthVerifyDependencies;
  check: RecordCheck;
};

/** `zk-calldata` and `zk-proof`: the mint transaction's statement and the Groth16 points behind it. */
export async function zkProofChecks(p: ZkProofCheckParameters): Promise<void> {
  const { m, proof, vkey, intentId, txHash, proofId, sent, check } = p;
  const sentAs = proof.sentAs ?? 'proveAndMint';
  const verifyPoints = async (points: Groth16Proof, where: string) => {
    let valid = false;
    let why: string | undefined;
    try {
      valid = await verifyProof(vkey, points, proof.publicSignals);
    } catch (error) {
      why = (error as Error).message;
    }
    check(
      'zk-proof',
      valid,
      'valid',
      valid ? 'valid' : (why ?? 'invalid'),
      `snarkjs groth16 verify, ${where}`,
    );
  };
  if (!sent) {
    check('zk-calldata', false, `a ${sentAs} transaction for the intent`, 'none found');
    check('zk-proof', false, 'proof points', 'none');
  } else if (sent.via === 'proveAndMint') {
    check(
      'zk-calldata',
      sentAs === 'proveAndMint' &&
        String(sent.lastRoundId) === proof.lastRoundId &&
        eqList(sent.publicSignals, proof.publicSignals),
      `${sentAs}: last round ${proof.lastRoundId} signals ${show(proof.publicSignals)}`,
      `proveAndMint: last round ${sent.lastRoundId} signals ${show(sent.publicSignals)}`,
      `tx ${txHash}`,
    );
    await verifyPoints(sent.proof, 'committed vkey');
  } else {
    // Front-run fallback: the mint names the statement another transaction recorded.
    check(
      'zk-calldata',
      sentAs === 'mintWithProof' &&
        sent.proofId === proofId &&
        sent.modelId.toLowerCase() === m.model.id.toLowerCase() &&
        sent.intentId.toLowerCase() === intentId.toLowerCase() &&
        sent.amount === BigInt(m.amount),
      `${sentAs}(${m.amount}, ${m.model.id}, ${intentId}, ${proofId})`,
      `mintWithProof(${sent.amount}, ${sent.modelId}, ${sent.intentId}, ${sent.proofId})`,
      `tx ${txHash}`,
    );
    await recordedProofCheck(p, verifyPoints);
  }
}

/** `zk-proof` for a fallback mint: the points of the transaction that recorded the statement. */
async function recordedProofCheck(
  { m, proof, proofId, deps, check }: ZkProofCheckParameters,
  verifyPoints: (points: Groth16Proof, where: string) => Promise<void>,
): Promise<void> {
  const recording = await recordingProof(deps, m.model.id, proofId);
  if (!recording) check('zk-proof', false, `a ForecastProven log for proof ${proofId}`, 'none');
  else if (!recording.statement)
    check(
      'zk-proof',
      true,
      'valid',
      'verified on-chain by the gate',
      `ForecastProven in tx ${recording.hash} (submitter ${recording.submitter}); the transaction is not a direct submit or proveAndMint call, so its points were not re-verified off-chain`,
    );
  else if (
    String(recording.statement.lastRoundId) !== proof.lastRoundId ||
    !eqList(recording.statement.publicSignals, proof.publicSignals)
  )
    check(
      'zk-proof',
      false,
      `the recording transaction proves last round ${proof.lastRoundId} signals ${show(proof.publicSignals)}`,
      `last round ${recording.statement.lastRoundId} signals ${show(recording.statement.publicSignals)}`,
      `tx ${recording.hash}`,
    );
  else
    await verifyPoints(
      recording.statement.proof,
      `committed vkey, points of the recording tx ${recording.hash} (submitter ${recording.submitter})`,
    );
}
