// Why: the CLI and the demo verify from a state directory; this builds the dependencies that implies.
import type { Address, PublicClient } from 'viem';
import { type ChainPosition, type ContentStore, readRoundPublication } from '../../provenance/index.js';
import { registryBackedModelLoader } from '../verifyDeps.js';
import type { SynthVerifyDependencies } from './types.js';

/**
 * Dependencies for a state directory: model files from `<stateDir>/models` (or the shipped ones), else the
 * content store under the model's registered metadataURI.
 */
export function synthVerifyDependencies(parameters: {
  client: PublicClient;
  stateDir: string;
  vault: Address;
  registry: Address;
  content: ContentStore;
  fromBlock?: bigint | undefined;
  /** The agent account (intent ids are per caller); default: read from the intent's vault log. */
  agent?: Address | undefined;
}): SynthVerifyDependencies {
  const { stateDir, ...rest } = parameters;
  const published = new Map<string, Promise<ChainPosition | undefined>>();
  return {
    ...rest,
    loadModelFile: registryBackedModelLoader(stateDir, rest.client, rest.registry, rest.content),
    roundPublication: (feed, roundId) => {
      const key = `${feed.toLowerCase()}:${roundId}`;
      let read = published.get(key);
      if (!read) {
        read = readRoundPublication(rest.client, feed, roundId, rest.fromBlock);
        published.set(key, read);
        // A failed read (a node hiccup) is not remembered: the next decision asks again.
        read.catch(() => published.delete(key));
      }
      return read;
    },
  };
}
