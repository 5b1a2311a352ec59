// Why: `intent-used` has two sources of truth (the vault's intent record, or the gate's statement record
// for a `proveAndMint`), and choosing between them is a job of its own.
import type { Address, Hex } from 'viem';
import { forecastProofGateAbi, syntheticVaultAbi } from '../../chain/index.js';
import { parseSynthManifest } from './manifest.js';
import type { SynthVerifyDependencies } from './types.js';
import { statementId, zkContracts } from './zkContracts.js';

/**
 * `intent-used`: the vault recorded the intent id — or, for a zk mint sent as `proveAndMint` (which
 * does not record it), the gate recorded the manifest's statement, the single-use key of that mint.
 */
export async function intentUsedCheck(
  deps: SynthVerifyDependencies,
  caller: Address | undefined,
  intentId: Hex,
  manifestBytes: Uint8Array,
): Promise<[string, boolean, unknown, unknown, string]> {
  const { client, vault } = deps;
  const used =
    caller !== undefined &&
    (await client.readContract({
      address: vault,
      abi: syntheticVaultAbi,
      functionName: 'intentUsed',
      args: [caller, intentId],
    }));
  const where = `SyntheticVault.intentUsed(${caller ?? 'no caller: no Minted/Repaid log'}, intent id)`;
  if (used) return ['intent-used', true, true, true, where];
  let statement: { modelId: Hex; lastRoundId: bigint; publicSignals: bigint[] } | undefined;
  try {
    const m = parseSynthManifest(manifestBytes);
    // A fallback mint (`mintWithProof`) records its intent id: the gate's record does not stand for it.
    if (m.proof?.kind === 'groth16' && m.proof.sentAs === undefined)
      statement = {
        modelId: m.model.id,
        lastRoundId: BigInt(m.proof.lastRoundId),
        publicSignals: m.proof.publicSignals.map(BigInt),
      };
  } catch {}
  if (!statement) return ['intent-used', false, true, false, where];
  const { gate } = await zkContracts(deps);
  const proofId = statementId(statement.lastRoundId, statement.publicSignals);
  const record = await client.readContract({
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
