import type { Address, Hex } from 'viem';
import {
  ModelRegistrationMismatchError,
  modelRegistryAbi,
  type ProvenantClients,
  readRegistration,
  registrationDifferences,
  writeContract,
} from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';
import type { ModelFile } from '../models/index.js';
import { zkCommitmentHex } from '../zk/index.js';

/**
 * Sets the model's zk commitment (Poseidon over its weights, src/zk/commitment.ts) on the signer's OWN
 * registration of the model unless one is set already. The registry accepts it only from that
 * registration's owner and before its approval, so call it right after registration. Other owners'
 * registrations of the id (a squatter's, with any commitment) do not matter: approval names the owner.
 * Refuses (ModelRegistrationMismatchError) when our registration already carries another commitment.
 * Returns the commitment in force on our registration.
 */
export async function ensureZkCommitment(
  clients: ProvenantClients,
  registry: Address,
  model: { id: Hex; model: ModelFile },
): Promise<Hex> {
  const owner = clients.account.address;
  const existing = await readRegistration(clients, registry, model.id, owner);
  if (!existing)
    throw new NonRetryableError(
      `Model ${model.id} has no registration by ${owner}, so its zk commitment cannot be set.`,
      {
        details: 'Register it first (`ensureModelRegistered`), then set the commitment before approval.',
      },
    );
  const commitment = zkCommitmentHex(model.model);
  const none = `0x${'00'.repeat(32)}` as const;
  const differences = registrationDifferences(existing, {
    owner,
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
