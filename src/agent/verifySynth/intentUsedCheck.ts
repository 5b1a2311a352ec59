// Why: `intent-used` has three sources of truth (a nonce-checked mint's single Minted log, the vault's
// intent record for a repay, or the gate's statement record for a `proveAndMint`), and choosing between
// them is a job of its own.
import type { Address, Hex } from 'viem';
import { forecastProofGateAbi, type MintedLog, syntheticVaultAbi } from '../../chain/index.js';
import { parseSynthManifest, type SynthManifest } from './manifest.js';
import { sentMintNonce } from './mintCallArgs.js';
import type { SynthVerifyDependencies } from './types.js';
import { intentMintedLogs, mintedBy } from './vaultLogs.js';
import { statementId, zkContracts } from './zkContracts.js';

type CheckTuple = [string, boolean, unknown, unknown, string];

/**
 * `intent-used`: the chain holds the decision's single-use key, under the agent.
 * - a nonce-checked mint (`mint`, or `mintWithProof` for a front-run statement: manifest `proof.sentAs`):
 *   the vault keys it by the position's mint nonce and does not record the intent id, so exactly one
 *   Minted log of the vault carries the intent id for the agent (none: never minted; two: minted twice);
 *   the found value shows the mint nonce that transaction named (its calldata);
 * - a repay: the vault recorded the intent id for the agent (`intentUsed(agent, id)`);
 * - a zk mint sent as `proveAndMint` (no nonce, nothing recorded by the vault): the gate recorded the
 *   manifest's statement, the single-use key of that mint, and exactly one Minted log of the agent carries
 *   the intent id (the statement cannot be recorded twice, but the log is what ties this intent to it).
 * A manifest that does not parse (its own checks fail) is held to a Minted log, else to `intentUsed`.
 * Minted logs are scanned from `deps.fromBlock` (the deployment block), not from the manifest's read block:
 * an auditor's uniqueness check must not trust a block the agent chose. `minted`: the intent's Minted logs
 * when the caller has scanned them already (`intentMintedLogs` from `deps.fromBlock`); else scanned here.
 */
export async function intentUsedCheck(
  deps: SynthVerifyDependencies,
  caller: Address | undefined,
  intentId: Hex,
  manifestBytes: Uint8Array,
  minted?: readonly MintedLog[],
): Promise<CheckTuple> {
  const intentMints = () => minted ?? intentMintedLogs(deps.client, deps.vault, intentId, deps.fromBlock);
  let m: SynthManifest | undefined;
  try {
    m = parseSynthManifest(manifestBytes);
  } catch {}
  if (m?.action === 'mint' && m.proof?.kind === 'groth16' && m.proof.sentAs === undefined) {
    const statement = await statementRecorded(deps, {
      modelId: m.model.id,
      lastRoundId: BigInt(m.proof.lastRoundId),
      publicSignals: m.proof.publicSignals.map(BigInt),
    });
    const once = await mintedOnce(deps, caller, intentMints, false);
    return [
      'intent-used',
      statement[1] && once[1],
      `${statement[2]}, and ${once[2]}`,
      `${statement[3]}; ${once[3]}`,
      `${statement[4]}; ${once[4]}`,
    ];
  }
  if (m?.action === 'repay') return intentRecorded(deps, caller, intentId);
  const once = await mintedOnce(deps, caller, intentMints, true);
  if (once[1] || m?.action === 'mint') return once;
  // Unparseable manifest: a repay's record is the other way the intent id can have been used.
  const recorded = await intentRecorded(deps, caller, intentId);
  return recorded[1] ? recorded : once;
}

/**
 * Exactly one Minted log of the vault for (agent, intent id), scanned from the deployment (`deps.fromBlock`):
 * "exactly one" must not rest on the manifest's own read block (an agent writes its manifest, so a late
 * `inputs.readBlock` could hide an earlier mint of the same intent id). A nonce-checked
 * mint (`nonceChecked`) shows the mint nonce its transaction named; a `proveAndMint` names none.
 */
async function mintedOnce(
  deps: SynthVerifyDependencies,
  caller: Address | undefined,
  intentMints: () => readonly MintedLog[] | Promise<readonly MintedLog[]>,
  nonceChecked: boolean,
): Promise<CheckTuple> {
  const expected = nonceChecked
    ? 'one Minted log of the agent with this intent id (a mint is keyed by its mint nonce)'
    : 'one Minted log of the agent with this intent id';
  const where = `SyntheticVault Minted(owner ${caller ?? 'unknown: no Minted/Repaid log'}, intent id) logs${nonceChecked ? '; the nonce is the one the transaction named' : ''}`;
  if (caller === undefined) return ['intent-used', false, expected, 'no Minted log', where];
  const logs = mintedBy(await intentMints(), caller);
  if (logs.length !== 1)
    return [
      'intent-used',
      false,
      expected,
      logs.length === 0
        ? 'no Minted log'
        : `${logs.length} Minted logs (txs ${logs.map((l) => l.hash).join(', ')})`,
      where,
    ];
  const log = logs[0]!;
  if (!nonceChecked)
    return ['intent-used', true, expected, `one Minted log, tx ${log.hash}`, `${where}: tx ${log.hash}`];
  const nonce = await sentMintNonce(deps.client, log.hash);
  return [
    'intent-used',
    true,
    expected,
    nonce === undefined ? `minted in tx ${log.hash} (no nonce in its call)` : `mint nonce ${nonce}`,
    `${where}: tx ${log.hash}`,
  ];
}

/** A repay (or an older record): `intentUsed(agent, intent id)`. */
async function intentRecorded(
  deps: SynthVerifyDependencies,
  caller: Address | undefined,
  intentId: Hex,
): Promise<CheckTuple> {
  const used =
    caller !== undefined &&
    (await deps.client.readContract({
      address: deps.vault,
      abi: syntheticVaultAbi,
      functionName: 'intentUsed',
      args: [caller, intentId],
    }));
  const where = `SyntheticVault.intentUsed(${caller ?? 'no caller: no Minted/Repaid log'}, intent id)`;
  return ['intent-used', used, true, used, where];
}

/** A `proveAndMint`: the gate recorded the manifest's statement. */
async function statementRecorded(
  deps: SynthVerifyDependencies,
  statement: { modelId: Hex; lastRoundId: bigint; publicSignals: bigint[] },
): Promise<CheckTuple> {
  const { gate } = await zkContracts(deps);
  const proofId = statementId(statement.lastRoundId, statement.publicSignals);
  const record = await deps.client.readContract({
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'provenForecast',
    args: [statement.modelId, proofId],
  });
  const recorded = record.provenAt !== 0;
  return [
    'intent-used',
    recorded,
    'the statement recorded by the gate (proveAndMint keys a mint by its single-use statement)',
    recorded ? `recorded, proof id ${proofId}` : `not recorded, proof id ${proofId}`,
    'ForecastProofGate.provenForecast(model, keccak256(abi.encode(lastRoundId, publicSignals)))',
  ];
}
