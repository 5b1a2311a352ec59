// Why: every model command but `register` starts from a registered model named by id or prefix, and refuses
// an unknown one the same way.
import type { Address } from 'viem';
import { type ModelRecord, type ProvenantClients, readModel } from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { resolveModelId } from '../synth.js';

/** The registered model `text` names (an id or a unique prefix), or a refusal naming how to register it. */
export async function requireModel(
  clients: ProvenantClients,
  registry: Address,
  text: string,
): Promise<ModelRecord> {
  const id = await resolveModelId(clients, registry, text);
  const m = await readModel(clients, registry, id);
  if (!m)
    throw new NonRetryableError(`Model ${id} is not registered.`, {
      details: 'Register it with `provenant model register <file>`.',
    });
  return m;
}
