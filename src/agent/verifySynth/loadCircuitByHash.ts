// Why: the zk checks need a circuit's verification key by hash; this is the default place to find it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CircuitLayout,
  committedDirFor,
  DEFAULT_CACHE_DIR,
  type VerificationKey,
} from '../../zk/index.js';

/** Committed circuit artefacts (`zk/<name>/layout.json` + `vkey.json`), else the zk cache. */
export function loadCircuitByHash(
  circuitHash: string,
): { layout: CircuitLayout; vkey: VerificationKey } | undefined {
  const dirs = [committedDirFor(circuitHash), join(DEFAULT_CACHE_DIR, circuitHash)];
  for (const dir of dirs) {
    if (!dir || !existsSync(join(dir, 'vkey.json')) || !existsSync(join(dir, 'layout.json'))) continue;
    const layout = JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8')) as CircuitLayout & {
      circuitHash?: string;
    };
    if (layout.circuitHash !== undefined && layout.circuitHash !== circuitHash) continue;
    return { layout, vkey: JSON.parse(readFileSync(join(dir, 'vkey.json'), 'utf8')) as VerificationKey };
  }
  return undefined;
}
