import type { Address, Hex } from 'viem';
import { modelRegistryAbi, type ProvenantClients, writeContract } from '../chain/index.js';
import type { ModelFile } from '../models/index.js';
import { zkCommitmentHex } from '../zk/index.js';

/**
 * Sets the model's zk commitment (Poseidon over its weights, src/zk/commitment.ts) in the registry
 * unless one is set already. The registry accepts it only from the model's owner and before approval,
 * so call it right after registration. Returns the commitment in force.
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
  if (existing.zkCommitment !== `0x${'00'.repeat(32)}`) return existing.zkCommitment;
  const commitment = zkCommitmentHex(model.model);
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
