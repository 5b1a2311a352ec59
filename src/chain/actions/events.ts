import type { Abi } from 'viem';
import { artifacts } from '../generated/contracts.js';

/** Every event of every deployable project contract, de-duplicated, so any receipt decodes. */
export const projectEventsAbi: Abi = (() => {
  const seen = new Map<string, Abi[number]>();
  for (const { abi } of Object.values(artifacts) as { abi: Abi }[]) {
    for (const item of abi) {
      if (item.type !== 'event') continue;
      const key = `${item.name}(${item.inputs.map((i) => `${i.type}${i.indexed ? '!' : ''}`).join(',')})`;
      if (!seen.has(key)) seen.set(key, item);
    }
  }
  return [...seen.values()];
})();
