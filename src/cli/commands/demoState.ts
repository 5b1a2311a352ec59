import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { concat, type Hex, keccak256 } from 'viem';
import {
  artifacts,
  DevnetStateInUseError,
  devnetLockPath,
  isProcessAlive,
  readDevnetLock,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';

/** The embedded devnet's chain id: the only deployments a demo state dir may hold. */
const DEVNET_CHAIN_ID = 31337;

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
  if (hasState && recordedFingerprint(marker) !== fingerprint) moved = moveAside(stateDir, 'previous', now);
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

/** `demo --fresh` would move a state dir that is not the demo's alone, or one a running devnet uses. */
export class DemoStateNotMovableError extends NonRetryableError {
  override name = 'DemoStateNotMovableError';
}

/**
 * `demo --fresh`: the previous demo state is moved aside to `<stateDir>.before-fresh-<time>` (nothing
 * is deleted) and the demo starts over in an empty dir. Returns where it went (undefined: there was none).
 */
export function moveDemoStateAside(stateDir: string, now: Date = new Date()): string | undefined {
  if (!existsSync(stateDir)) return undefined;
  return moveAside(resolve(stateDir), 'before-fresh', now);
}

/**
 * Renames the whole state dir, after checking it is the demo's to move: no live process runs a devnet
 * on its state file (the running anvil would keep writing into the moved dir while a new demo starts,
 * and its lock would vanish), and it holds no deployment of another chain than the devnet's (a real
 * deployment's manifest would silently leave the dir the operator points every command at).
 */
function moveAside(stateDir: string, tag: string, now: Date): string {
  const lockPath = devnetLockPath(join(stateDir, 'devnet-state.json'));
  const lock = readDevnetLock(lockPath);
  if (lock && lock.ownerPid !== process.pid && isProcessAlive(lock.ownerPid, lock.ownerLockedAtMs))
    throw new DevnetStateInUseError(lock, lockPath);
  // An orphan: its owner died (SIGKILL) but its anvil still rewrites the state file, by path, so it would
  // write into the new demo's dir. Starting the demo without --fresh stops orphans (acquireDevnetLock).
  if (lock?.anvilPid && isProcessAlive(lock.anvilPid, lock.anvilStartedAtMs ?? lock.ownerLockedAtMs))
    throw new DemoStateNotMovableError(
      `An anvil (pid ${lock.anvilPid}) left running by a stopped Provenant process still writes to ${lock.statePath}.`,
      {
        details: `Stop it first (\`kill ${lock.anvilPid}\`; or run \`provenant demo\` once without --fresh, which stops it and resumes), then run --fresh again.`,
        docsPath: 'docs/chain.md#devnet',
      },
    );
  const deployments = join(stateDir, 'deployments');
  const others = existsSync(deployments)
    ? readdirSync(deployments).filter((f) => /^\d+\.json$/.test(f) && f !== `${DEVNET_CHAIN_ID}.json`)
    : [];
  if (others.length)
    throw new DemoStateNotMovableError(
      `The state dir ${stateDir} holds deployments of other chains (${others.map((f) => `chain ${f.slice(0, -5)}`).join(', ')}), not only the demo's devnet.`,
      {
        details:
          'The demo would move them aside with its own state. Run the demo with a state dir of its own (--state-dir <dir>), or move those deployments out first.',
        docsPath: 'docs/config.md',
      },
    );
  const moved = `${stateDir}.${tag}-${now.toISOString().replace(/[:.]/g, '-')}`;
  renameSync(stateDir, moved);
  return moved;
}
