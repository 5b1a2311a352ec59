import { type Address, type Hex, zeroAddress } from 'viem';
import {
  ModelRegistrationMismatchError,
  modelRegistryAbi,
  type ProvenantClients,
  registrationDifferences,
  writeContract,
} from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';
import type { ModelFile } from '../models/index.js';
import { zkCommitmentHex } from '../zk/index.js';

/**
 * Sets the model's zk commitment (Poseidon over its weights, src/zk/commitment.ts) in the registry
 * unless one is set already. The registry accepts it only from the model's owner and before approval,
 * so call it right after registration. Refuses (ModelRegistrationMismatchError) when the model is
 * registered by another owner or already carries another commitment (someone registered the published
 * id first: proofs would be checked against their commitment). Returns the commitment in force.
 */
export async function ensureZkCommitment(
  clients: ProvenantClients,
  registry: Address,
  model: { id: Hex; model: ModelFile },
): Promise<Hex> {
  const existing = await clients.publicClient.readContract({
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'getModel',
    args: [model.id],
  });
  if (existing.owner === zeroAddress)
    throw new NonRetryableError(`Model ${model.id} is not registered, so its zk commitment cannot be set.`, {
      details: 'Register it first (`ensureModelRegistered`), then set the commitment before approval.',
    });
  const commitment = zkCommitmentHex(model.model);
  const none = `0x${'00'.repeat(32)}` as const;
  const differences = registrationDifferences(existing, {
    owner: clients.account.address,
    shares: existing.shares,
    zkCommitment: existing.zkCommitment === none ? none : commitment,
  });
  if (differences.length > 0)
    throw new ModelRegistrationMismatchError(model.id, differences, 'setting the zk commitment');
  if (existing.zkCommitment !== none) return existing.zkCommitment;
  if (existing.approved) return existing.zkCommitment; // locked: approved without a commitment
  await writeContract(clients, {
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'setZkCommitment',
    args: [model.id, commitment],
    label: 'set zk commitment',
  });
  return commitment;
}
