// Why: one decision's verification, step by step in the documented order; each step lives in its own
// module and reports through the same check recorder.
import { type Address, type Hex, keccak256 } from 'viem';
import { mintScanStart } from '../../chain/index.js';
import { checkRecorder, type RecordCheck, synthUnits } from './checks.js';
import { intentUsedCheck } from './intentUsedCheck.js';
import { parseSynthManifest, type SynthManifest } from './manifest.js';
import { modelReplayChecks } from './modelReplayChecks.js';
import { oracleBindingChecks } from './oracleBindingChecks.js';
import { oracleRoundsCheck } from './oracleRoundsCheck.js';
import type { SynthVerifyDependencies, SynthVerifyReport } from './types.js';
import { intentCaller, intentMintedLogs, vaultEvent } from './vaultLogs.js';
import { verifyZk } from './verifyZk.js';

/**
 * `provenant verify --synth`: re-derives each synthetic-vault decision from its manifest and checks it
 * against the chain, one named check at a time (expected vs actual), like `verify` does for artworks.
 *
 * Checks, in order (a failed `manifest-stored` or `manifest-format` stops the rest):
 * - `manifest-stored`   the content store holds bytes that hash to the journal's manifest CID
 * - `intent-id`         keccak256(manifest bytes) equals the intent id
 * - `intent-used`       the chain holds the decision's single-use key under the agent (`deps.agent`, else the
 *                       sender named by the intent's Minted/Repaid log): a nonce-checked mint (`mint`, or
 *                       `mintWithProof` for a front-run statement), keyed by the position's mint nonce, has
 *                       exactly one Minted log of the agent with the intent id (shown: the mint nonce its
 *                       transaction named); a repay's intent id is recorded (`intentUsed(agent, id)`); a
 *                       `proveAndMint` (no nonce, nothing recorded) has its statement recorded by the gate
 *                       and exactly one Minted log of the agent with the intent id
 * - `manifest-format`   a synth-decision manifest for this vault
 * - `vault-event`       the vault's Minted/Repaid log for the intent id carries the manifest's amount
 * - `model-file`        the model file named by the manifest hashes to its id
 * - `features-replay`   the manifest's features are the oracle features of its last 21 rounds' answers
 * - `forecast-replay`   the fixed-point forecaster on the manifest's features gives the manifest's forecast
 * - `oracle-rounds`     every (round id, answer) of the manifest equals the feed's `getRoundData`
 * - `oracle-feed`       the manifest's feed is the vault's `FEED()` (not any contract answering getRoundData)
 * - `oracle-window`     the rounds are one window: consecutive ids, oldest first, the newest the feed's
 *                       latest at the decision's Minted/Repaid log (its AnswerUpdated log before it, the
 *                       next round's not; a next round that does not exist even now was not published),
 *                       the art `verify`'s `oracle-window` (`oracleWindowVerdict`); not proven = fail
 * For `proof.kind === 'groth16'` (the zk mint path) also:
 * - `zk-circuit`        the verification key of the named circuit is available (committed zk/<name>/ or cache)
 * - `zk-commitment`     public signal 0 = registry `zkCommitmentOf(model)` = Poseidon commitment of the file
 * - `zk-rounds`         the proven rounds are the manifest's latest 21 rounds, ending at `lastRoundId`
 * - `zk-accumulator`    public signal 1 (accLast) = the Poseidon chain of those answers from the on-chain
 *                       accumulator value before them = the accumulator's on-chain value at `lastRoundId`
 * - `zk-forecast`       proven outputs = the fixed-point forecaster on the features of those answers
 * - `zk-calldata`       the mint transaction's statement (last round, public signals) is the manifest's; for
 *                       a front-run fallback (manifest `proof.sentAs: 'mintWithProof'`) the transaction is
 *                       `mintWithProof(amount, model, intent id, proof id)` with the manifest's amount, model,
 *                       intent id and the statement's proof id
 * - `zk-proof`          the transaction's Groth16 proof verifies (snarkjs) against the manifest's signals; for
 *                       a fallback, the proof of the transaction that recorded the statement (the gate's
 *                       ForecastProven log): re-verified when that transaction is a direct `submit` or
 *                       `proveAndMint` call, else the gate's on-chain verification is what is reported
 * - `zk-bound`          debt + amount ≤ the proven bound, and the vault's MintedWithProof log agrees
 *                       (proof id, amount, bound)
 * The proof points are not in the manifest (they are randomised); they are read from the transaction.
 */

/** Verifies one synth decision; never throws for a mismatch (it becomes a failed check). */
export async function verifySynthDecision(
  ref: { intentId: Hex; manifestCid: string },
  deps: SynthVerifyDependencies,
): Promise<SynthVerifyReport> {
  const report: SynthVerifyReport = {
    intentId: ref.intentId,
    manifestCid: ref.manifestCid,
    ok: false,
    checks: [],
  };
  const { check, finish } = checkRecorder(report);
  const { client, vault } = deps;

  // manifest bytes, intent id
  const bytes = await storedManifest(ref.manifestCid, deps, check);
  if (!bytes) return finish();
  check('intent-id', keccak256(bytes) === ref.intentId, ref.intentId, keccak256(bytes));
  // The decision's Repaid log comes after the block its rounds were read at (inputs.readBlock): scan from
  // there (less a reorg margin), not from the deployment; older manifests lack it.
  const logsFrom = mintScanStart(deps.fromBlock, readBlockOf(bytes));
  // Minted logs, though, are scanned once from the deployment: `intent-used`'s "exactly one" must not rest
  // on the manifest's read block, and the same scan names the caller and the vault event.
  const minted = await intentMintedLogs(client, vault, ref.intentId, deps.fromBlock);
  const agent = deps.agent ?? (await intentCaller(client, vault, ref.intentId, logsFrom, minted));
  check(...(await intentUsedCheck(deps, agent, ref.intentId, bytes, minted)));

  const m = synthManifestOf(bytes, vault, report, check);
  if (!m) return finish();

  // the vault's record of the decision
  const tx = await vaultEvent(client, vault, ref.intentId, m.action, logsFrom, agent, minted);
  if (!tx) check('vault-event', false, `${m.action === 'mint' ? 'Minted' : 'Repaid'} log`, 'none');
  else
    check('vault-event', tx.amount === BigInt(m.amount), m.amount, tx.amount.toString(), `tx ${tx.hash}`, {
      expected: synthUnits(m.amount),
      actual: synthUnits(tx.amount),
    });

  // model + forecast replay
  const { model, outputs } = await modelReplayChecks(m, deps, check);

  // every oracle round the manifest names
  await oracleRoundsCheck(m, client, check);

  await oracleBindingChecks(m, tx, deps, check);

  if (m.proof?.kind === 'groth16' && model)
    await verifyZk(m, model, outputs, ref.intentId, tx?.hash, deps, check);
  return finish();
}

/** The manifest's `inputs.readBlock` when the bytes parse and carry one (a malformed value is ignored). */
function readBlockOf(bytes: Uint8Array): string | undefined {
  try {
    const readBlock = parseSynthManifest(bytes).inputs?.readBlock;
    return typeof readBlock === 'string' ? readBlock : undefined;
  } catch {
    return undefined;
  }
}

/** `manifest-stored`: the manifest's bytes from the content store, or undefined (a failed check). */
async function storedManifest(
  manifestCid: string,
  deps: SynthVerifyDependencies,
  check: RecordCheck,
): Promise<Uint8Array | undefined> {
  try {
    const bytes = await deps.content.get(manifestCid);
    check('manifest-stored', true, manifestCid, manifestCid);
    return bytes;
  } catch (error) {
    check('manifest-stored', false, manifestCid, (error as Error).message);
    return undefined;
  }
}

/**
 * `manifest-format`: the bytes are a synth-decision manifest for this vault. Fills the report's action,
 * date, amount and proof kind from the manifest as soon as it parses; undefined when the check failed.
 */
function synthManifestOf(
  bytes: Uint8Array,
  vault: Address,
  report: SynthVerifyReport,
  check: RecordCheck,
): SynthManifest | undefined {
  let m: SynthManifest;
  try {
    m = parseSynthManifest(bytes);
  } catch (error) {
    check('manifest-format', false, 'canonical JSON', (error as Error).message);
    return undefined;
  }
  report.action = m.action;
  report.date = m.date;
  report.amount = m.amount;
  report.proofKind = m.proof?.kind;
  const formatOk =
    m.format === 'provenant-manifest/1' &&
    m.kind === 'synth-decision' &&
    m.vault === vault.toLowerCase() &&
    (m.action === 'mint' || m.action === 'repay') &&
    Array.isArray(m.features) &&
    Array.isArray(m.inputs?.rounds);
  if (
    !check(
      'manifest-format',
      formatOk,
      `provenant-manifest/1 synth-decision for ${vault.toLowerCase()}`,
      `${m.format} ${m.kind} for ${m.vault}`,
    )
  )
    return undefined;
  return m;
}
