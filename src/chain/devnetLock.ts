import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { NonRetryableError } from '../errors/index.js';

/**
 * The lock next to a devnet state file (`<state>.lock`). anvil rewrites its state file every few seconds
 * and on exit; two anvils on one file clobber each other (an orphan left by a SIGKILLed owner keeps
 * writing its OLD chain over the restarted run's). The lock names who runs on the file, so a start can
 * tell an orphan (owner dead, anvil alive: stop it) from a real second user (owner alive: refuse).
 */
export type DevnetLock = {
  version: 1;
  /** Absolute path of the state file. */
  statePath: string;
  /** The process that started the devnet (it stops anvil and removes the lock). */
  ownerPid: number;
  /** Milliseconds since the epoch when the owner wrote the lock. */
  ownerLockedAtMs: number;
  /** null between writing the lock and spawning anvil. */
  anvilPid: number | null;
  /** Milliseconds since the epoch just after anvil was spawned. */
  anvilStartedAtMs: number | null;
  /** The process that stops anvil when the owner dies, if one runs. */
  watchdogPid: number | null;
  rpcUrl: string | null;
  /** ISO time of the lock, for people reading the file. */
  startedAt: string;
};

/** Another live process runs a devnet on this state file. */
export class DevnetStateInUseError extends NonRetryableError {
  override name = 'DevnetStateInUseError';
  readonly ownerPid: number;
  readonly anvilPid: number | null;
  constructor(lock: DevnetLock, lockPath: string) {
    const self = lock.ownerPid === process.pid;
    super(
      self
        ? `The devnet state file ${lock.statePath} is already in use by a devnet of this process (anvil pid ${lock.anvilPid}).`
        : `The devnet state file ${lock.statePath} is in use by another Provenant process (pid ${lock.ownerPid}${lock.anvilPid ? `, its anvil has pid ${lock.anvilPid}` : ''}).`,
      {
        details: self
          ? 'Stop the running devnet (devnet.stop()) before starting another on the same state file, or use another state file.'
          : `Two nodes on one state file overwrite each other's chain. ${lock.rpcUrl ? `To use that running chain, pass --rpc-url ${lock.rpcUrl} to this command; or stop` : 'Stop'} that process first (Ctrl-C in its terminal, or \`kill ${lock.ownerPid}\`; it saves the state on the way out), or use another state file (\`--state\` of \`provenant devnet\`, \`devnet.stateFile\` in the config). The lock is ${lockPath}; it was written at ${lock.startedAt}.`,
        docsPath: 'docs/chain.md#devnet',
      },
    );
    this.ownerPid = lock.ownerPid;
    this.anvilPid = lock.anvilPid;
  }
}

export function devnetLockPath(statePath: string): string {
  return `${resolve(statePath)}.lock`;
}

export type AcquireDevnetLockParameters = {
  statePath: string;
  /** Told when an orphaned anvil was stopped. */
  onWarning?: ((message: string) => void) | undefined;
  /** How long an orphan gets to save its state after SIGTERM before SIGKILL. */
  orphanGraceMs?: number | undefined;
};

export type HeldDevnetLock = {
  path: string;
  /** Records the spawned anvil (and its watchdog) in the lock. */
  update: (fields: { anvilPid: number; watchdogPid: number | null; rpcUrl: string }) => void;
  /** Removes the lock if it is still ours. Idempotent. */
  release: () => void;
};

/**
 * Takes the lock on a state file. A lock whose processes are gone (or whose pids now belong to other
 * programs) is stale and replaced. A lock naming a live anvil on this state file whose owner is dead is
 * an orphan: it is stopped (SIGTERM, which makes anvil save its state, then SIGKILL after the grace
 * period) and the caller is told. A live owner means the file is really in use:
 * {@link DevnetStateInUseError}.
 */
export async function acquireDevnetLock(parameters: AcquireDevnetLockParameters): Promise<HeldDevnetLock> {
  const statePath = resolve(parameters.statePath);
  const path = devnetLockPath(statePath);
  // A fresh state dir may not exist yet: the lock is taken before anvil creates the state file.
  mkdirSync(dirname(path), { recursive: true });
  const warn = parameters.onWarning ?? ((m: string) => process.stderr.write(`${m}\n`));
  const now = Date.now();
  let lock: DevnetLock = {
    version: 1,
    statePath,
    ownerPid: process.pid,
    ownerLockedAtMs: now,
    anvilPid: null,
    anvilStartedAtMs: null,
    watchdogPid: null,
    rpcUrl: null,
    startedAt: new Date(now).toISOString(),
  };
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 4) throw error;
    }
    const existing = readDevnetLock(path);
    if (existing) {
      const ownerAlive = isProcessAlive(existing.ownerPid, existing.ownerLockedAtMs);
      const anvilAlive =
        existing.anvilPid !== null &&
        isProcessAlive(existing.anvilPid, existing.anvilStartedAtMs ?? existing.ownerLockedAtMs) &&
        commandLineMentions(existing.anvilPid, existing.statePath);
      if (ownerAlive && (existing.ownerPid !== process.pid || anvilAlive)) {
        throw new DevnetStateInUseError(existing, path);
      }
      if (anvilAlive && existing.anvilPid !== null) {
        warn(
          `An orphaned anvil (pid ${existing.anvilPid}) was still running on ${statePath}: its owner (pid ${existing.ownerPid}) was killed. Stopping it (it saves its state first) before starting again.`,
        );
        await terminateProcess(existing.anvilPid, parameters.orphanGraceMs ?? 10_000);
      }
    }
    try {
      unlinkSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  let released = false;
  return {
    path,
    update(fields) {
      if (released) return;
      lock = { ...lock, ...fields, anvilStartedAtMs: Date.now() };
      const temporary = `${path}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(lock, null, 2)}\n`);
      renameSync(temporary, path);
    },
    release() {
      if (released) return;
      released = true;
      const current = readDevnetLock(path);
      if (
        current &&
        (current.ownerPid !== lock.ownerPid || current.ownerLockedAtMs !== lock.ownerLockedAtMs)
      ) {
        return; // someone else's lock by now: leave it
      }
      try {
        unlinkSync(path);
      } catch {}
    },
  };
}

/** The lock at `path`, or null when there is none or it does not parse (a stale lock either way). */
export function readDevnetLock(path: string): DevnetLock | null {
  let parsed: Partial<DevnetLock>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<DevnetLock>;
  } catch {
    return null;
  }
  if (!isPid(parsed.ownerPid) || typeof parsed.statePath !== 'string') return null;
  return {
    version: 1,
    statePath: parsed.statePath,
    ownerPid: parsed.ownerPid,
    ownerLockedAtMs: typeof parsed.ownerLockedAtMs === 'number' ? parsed.ownerLockedAtMs : Date.now(),
    anvilPid: isPid(parsed.anvilPid) ? parsed.anvilPid : null,
    anvilStartedAtMs: typeof parsed.anvilStartedAtMs === 'number' ? parsed.anvilStartedAtMs : null,
    watchdogPid: isPid(parsed.watchdogPid) ? parsed.watchdogPid : null,
    rpcUrl: typeof parsed.rpcUrl === 'string' ? parsed.rpcUrl : null,
    startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : '(unknown)',
  };
}

/**
 * True when `pid` is a running (not zombie) process. With `notStartedAfterMs`, on Linux a process that
 * started clearly later than that is a reuse of the pid, not the one recorded, and counts as gone. The
 * margin (30 s) is wide because boot-time arithmetic drifts; erring there only means refusing to start.
 */
export function isProcessAlive(pid: number, notStartedAfterMs?: number): boolean {
  if (!isPid(pid)) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (!stat) return true; // not Linux (or /proc hidden): trust the signal probe
  if (stat.state === 'Z' || stat.state === 'X') return false;
  if (notStartedAfterMs !== undefined && stat.startedAtMs !== null) {
    return stat.startedAtMs <= notStartedAfterMs + 30_000;
  }
  return true;
}

/**
 * A single process id. Zero and negative numbers are never accepted: `kill(0)` signals the whole process
 * group and `kill(-1)` every process the user may signal.
 */
function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function terminateProcess(pid: number, graceMs: number): Promise<void> {
  if (!isPid(pid)) throw new RangeError(`not a single process id: ${pid}`);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(pid, name);
    } catch {}
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  let killed = false;
  while (isProcessAlive(pid)) {
    if (!killed && Date.now() > deadline) {
      signal('SIGKILL');
      killed = true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** On Linux: whether the process's command line has `text` as an argument. Elsewhere: true. */
function commandLineMentions(pid: number, text: string): boolean {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return process.platform !== 'linux';
  }
  return raw.split('\0').some((argument) => argument === text || resolve(argument) === text);
}

let bootTimeMs: number | null | undefined;

function procStat(pid: number): { state: string; startedAtMs: number | null } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0] ?? '?';
  if (bootTimeMs === undefined) {
    const match = /^btime (\d+)$/m.exec(safeRead('/proc/stat'));
    bootTimeMs = match ? Number(match[1]) * 1000 : null;
  }
  const ticks = Number(fields[19]);
  // USER_HZ is 100 on every mainstream Linux architecture.
  const startedAtMs = bootTimeMs !== null && Number.isFinite(ticks) ? bootTimeMs + ticks * 10 : null;
  return { state, startedAtMs };
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
