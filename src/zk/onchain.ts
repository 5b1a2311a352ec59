import type { Address, Hex } from 'viem';
import {
  forecastProofGateAbi,
  medianOracleAbi,
  type ProvenantClients,
  syntheticVaultAbi,
  type WriteReturnType,
  writeContract,
} from '../chain/index.js';
import type { ModelFile } from '../models/index.js';
import { ZkCircuitError } from './errors.js';
import { type ForecastProof, prove } from './prover.js';
import type { ZkArtifacts } from './setup.js';

/**
 * The chain side of the zk path: read the oracle rounds a proof must carry, prove with exactly those
 * answers, submit to `ForecastProofGate`, and mint through `SyntheticVault.mintWithProof`.
 */

/** The feed's latest `count` rounds (oldest first), as the gate will read them with `getRoundData`. */
export async function latestRounds(
  clients: ProvenantClients,
  feed: Address,
  count: number,
): Promise<{ roundIds: bigint[]; answers: bigint[]; updatedAt: bigint[] }> {
  const latest = BigInt(
    await clients.publicClient.readContract({
      address: feed,
      abi: medianOracleAbi,
      functionName: 'latestRound',
    }),
  );
  if (latest < BigInt(count))
    throw new ZkCircuitError(`feed ${feed} has ${latest} rounds; the proof needs the latest ${count}`);
  const roundIds = Array.from({ length: count }, (_, k) => latest - BigInt(count - 1 - k));
  const rounds = await Promise.all(
    roundIds.map((id) =>
      clients.publicClient.readContract({
        address: feed,
        abi: medianOracleAbi,
        functionName: 'getRoundData',
        args: [id],
      }),
    ),
  );
  return {
    roundIds,
    answers: rounds.map((r) => r[1]),
    updatedAt: rounds.map((r) => r[3]),
  };
}

/** Proves `model` on `features` with the feed's latest rounds as the public oracle answers. */
export async function proveFromChain(
  clients: ProvenantClients,
  parameters: { feed: Address; artifacts: ZkArtifacts; model: ModelFile; features: readonly number[] },
): Promise<ForecastProof & { roundIds: bigint[] }> {
  const rounds = await latestRounds(clients, parameters.feed, parameters.artifacts.layout.answers);
  const proof = await prove(parameters.artifacts, parameters.model, {
    features: parameters.features,
    answers: rounds.answers,
  });
  return { ...proof, roundIds: rounds.roundIds };
}

/** Submits a proof to the gate; returns the proof id (the statement's nullifier) and the receipt. */
export async function submitForecastProof(
  clients: ProvenantClients,
  gate: Address,
  parameters: { modelId: Hex; roundIds: readonly bigint[]; calldata: ForecastProof['calldata'] },
): Promise<WriteReturnType & { proofId: Hex }> {
  const { a, b, c, publicSignals } = parameters.calldata;
  const proofId = await clients.publicClient.readContract({
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'proofIdOf',
    args: [parameters.roundIds.map(BigInt), publicSignals],
  });
  const result = await writeContract(clients, {
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'submit',
    args: [parameters.modelId, parameters.roundIds.map(BigInt), a, b, c, publicSignals],
    label: 'submit forecast proof',
  });
  return { ...result, proofId };
}

/** The largest debt the proven forecast allows `owner`'s position (the vault's risk rule). */
export async function zkMaxDebt(
  clients: ProvenantClients,
  vault: Address,
  parameters: { owner: Address; modelId: Hex; proofId: Hex },
): Promise<bigint> {
  return clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'zkMaxDebt',
    args: [parameters.owner, parameters.modelId, parameters.proofId],
  });
}

/** Mints through the vault's zk path. */
export async function mintWithProof(
  clients: ProvenantClients,
  vault: Address,
  parameters: { amount: bigint; modelId: Hex; intentId: Hex; proofId: Hex },
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'mintWithProof',
    args: [parameters.amount, parameters.modelId, parameters.intentId, parameters.proofId],
    label: 'mint with proof',
  });
}
