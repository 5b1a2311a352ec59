// Why: an auditor checks that the bytes behind a registered model's URI are the model; `model show` reports it.
import type { Hex } from 'viem';

/**
 * Where an auditor finds the bytes of a registered model, and whether they are the model: the file behind
 * `metadataURI` (ipfs://<cid>) in the local content store, else `<stateDir>/models/<id>.json`, must hash
 * (keccak256) to the model id.
 */
export async function modelFileStatus(
  stateDir: string,
  modelId: Hex,
  metadataURI: string,
): Promise<{ status: 'matches' | 'differs' | 'not-stored'; path?: string; text: string }> {
  const { ContentStore } = await import('../../../provenance/index.js');
  const { keccak256 } = await import('viem');
  const { existsSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const cid = metadataURI.startsWith('ipfs://') ? metadataURI.slice('ipfs://'.length) : undefined;
  const store = new ContentStore(stateDir);
  if (cid) {
    let path: string | undefined;
    try {
      path = store.pathOf(cid);
    } catch {}
    if (path && existsSync(path)) {
      let bytes: Uint8Array;
      try {
        bytes = await store.get(cid);
      } catch (error) {
        return {
          status: 'differs',
          path,
          text: `${path} is damaged: ${(error as Error).message.split('\n')[0]}`,
        };
      }
      const id = keccak256(bytes);
      return id === modelId
        ? { status: 'matches', path, text: `${path} (${metadataURI}) hashes to the model id` }
        : {
            status: 'differs',
            path,
            text: `${path} (${metadataURI}) hashes to ${id}, NOT the model id: the URI does not name this model's file`,
          };
    }
  }
  const local = join(stateDir, 'models', `${modelId}.json`);
  if (existsSync(local)) {
    const id = keccak256(new Uint8Array(readFileSync(local)));
    return id === modelId
      ? { status: 'matches', path: local, text: `${local} hashes to the model id` }
      : { status: 'differs', path: local, text: `${local} hashes to ${id}, NOT the model id` };
  }
  return {
    status: 'not-stored',
    text: `not in ${store.dir} or ${join(stateDir, 'models')}: fetch ${cid ? metadataURI : 'the file'} and check that its keccak256 is the model id`,
  };
}
