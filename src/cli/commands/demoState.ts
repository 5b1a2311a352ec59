import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { concat, type Hex, keccak256 } from 'viem';
import { artifacts } from '../../chain/index.js';

const MARKER = 'demo-code.json';

/** keccak256 over every deployable contract's name and creation bytecode: changes with any contract. */
export function contractsFingerprint(): Hex {
  const parts = Object.entries(artifacts)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([name, { bytecode }]) => [keccak256(new TextEncoder().encode(name)), bytecode as Hex]);
  return keccak256(concat(parts));
}

/**
 * A resumed demo must run on the contracts its journal and chain were made with: when the state dir
 * holds a demo made by other contract code (or by a version that did not record it), it is moved aside
 * to `<stateDir>.previous-<time>` — nothing is deleted — and the demo starts fresh. Returns the new
 * location of the old state, if it was moved. Records the current fingerprint in the state dir.
 */
export function prepareDemoStateDir(stateDir: string, now: Date = new Date()): string | undefined {
  const fingerprint = contractsFingerprint();
  const marker = join(stateDir, MARKER);
  const hasState =
    existsSync(join(stateDir, 'journal.sqlite')) || existsSync(join(stateDir, 'devnet-state.json'));
  let moved: string | undefined;
  if (hasState && recordedFingerprint(marker) !== fingerprint) {
    moved = `${stateDir}.previous-${now.toISOString().replace(/[:.]/g, '-')}`;
    renameSync(stateDir, moved);
  }
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(marker, `${JSON.stringify({ fingerprint }, null, 2)}\n`);
  return moved;
}

function recordedFingerprint(marker: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(marker, 'utf8')) as { fingerprint?: string }).fingerprint;
  } catch {
    return undefined;
  }
}
