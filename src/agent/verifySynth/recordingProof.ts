// Why: a front-run fallback mint names a statement another transaction recorded; finding that
// transaction and its proof points is a search of its own.
import { type Address, decodeFunctionData, type Hex } from 'viem';
import { forecastProofGateAbi, scanLogs, syntheticVaultAbi } from '../../chain/index.js';
import type { Groth16Proof } from '../../zk/index.js';
import { groth16Of, type ProofCalldata } from './mintCallArgs.js';
import type { SynthVerifyDependencies } from './types.js';
import { zkContracts } from './zkContracts.js';

/**
 * The transaction that recorded `proofId` for `modelId` (the gate's ForecastProven log) and, when it is a
 * direct `ForecastProofGate.submit` or `SyntheticVault.proveAndMint` call, the statement and proof points
 * it carried (a call through another contract leaves only the gate's on-chain verification).
 */
export async function recordingProof(
  deps: SynthVerifyDependencies,
  modelId: Hex,
  proofId: Hex,
): Promise<
  | {
      hash: Hex;
      submitter: Address;
      statement: { lastRoundId: bigint; publicSignals: bigint[]; proof: Groth16Proof } | undefined;
    }
  | undefined
> {
  const { client } = deps;
  const { gate } = await zkContracts(deps);
  const logs = await scanLogs(client, { fromBlock: deps.fromBlock }, (from, to) =>
    client.getContractEvents({
      address: gate,
      abi: forecastProofGateAbi,
      eventName: 'ForecastProven',
      args: { proofId, modelId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  const log = logs[0];
  if (!log) return undefined;
  const tx = await client.getTransaction({ hash: log.transactionHash });
  const base = { hash: log.transactionHash, submitter: log.args.submitter };
  const statementOf = (p: ProofCalldata) => ({
    lastRoundId: p.lastRoundId,
    publicSignals: [...p.publicSignals],
    proof: groth16Of(p),
  });
  if (tx.to?.toLowerCase() === gate.toLowerCase()) {
    try {
      const d = decodeFunctionData({ abi: forecastProofGateAbi, data: tx.input });
      if (d.functionName === 'submit') {
        const [, lastRoundId, a, b, c, publicSignals] = d.args as readonly [
          Hex,
          bigint,
          ProofCalldata['a'],
          ProofCalldata['b'],
          ProofCalldata['c'],
          readonly bigint[],
        ];
        return { ...base, statement: statementOf({ lastRoundId, a, b, c, publicSignals }) };
      }
    } catch {}
  }
  if (tx.to?.toLowerCase() === deps.vault.toLowerCase()) {
    try {
      const d = decodeFunctionData({ abi: syntheticVaultAbi, data: tx.input });
      if (d.functionName === 'proveAndMint')
        return { ...base, statement: statementOf((d.args as readonly unknown[])[3] as ProofCalldata) };
    } catch {}
  }
  return { ...base, statement: undefined };
}
