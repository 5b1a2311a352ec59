import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { acquireDevnetLock, type HeldDevnetLock } from './devnetLock.js';
import { assertPortFree, portErrorFromAnvilOutput, validateDevnetPort } from './devnetPort.js';
import { DevnetStartError } from './errors.js';

export type StartDevnetParameters = {
  /** 0 (default) picks a free loopback port. Privileged (< 1024) and fetch-blocked ports are refused. */
  port?: number | undefined;
  host?: string | undefined;
  chainId?: number | undefined;
  /** Load chain state from this file if it exists and dump to it periodically and on stop. */
  statePath?: string | null | undefined;
  stateIntervalSeconds?: number | undefined;
  /** Milliseconds to wait for the node to answer. */
  startupTimeoutMs?: number | undefined;
  /**
   * Genesis timestamp (seconds) for a new chain, e.g. the first date of replayed market history; a new
   * chain without it starts at the wall clock. Ignored for a chain loaded from a state file.
   */
  genesisTimestamp?: bigint | undefined;
  /**
   * A chain loaded from a state file keeps its own clock (default true): anvil would otherwise stamp the
   * next block at the wall clock, moving a replayed demo chain from 2020 to today for good. `false` only
   * to reproduce that (tests of the refusal that follows).
   */
  keepSavedClock?: boolean | undefined;
  /** Told when a damaged state file was replaced by its last good copy. */
  onWarning?: ((message: string) => void) | undefined;
};

export type Devnet = {
  rpcUrl: string;
  port: number;
  chainId: number;
  /** Absolute path of the state file, or null. */
  statePath: string | null;
  /** `<state>.lock` while the devnet runs (removed by `stop()`), or null without a state file. */
  lockPath: string | null;
  /** Stops anvil (SIGTERM), which writes the state file first, and removes the lock. Idempotent. */
  stop: () => Promise<void>;
  process: ChildProcess;
};

/** The well-known anvil development mnemonic; its keys are public and only ever fund the devnet. */
export const DEVNET_MNEMONIC = 'test test test test test test test test test test test junk';

/** Path of the anvil binary shipped in the `@foundry-rs/anvil-<os>-<arch>` npm package. */
export function anvilBinaryPath(): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPackage = `@foundry-rs/anvil-${process.platform}-${arch}`;
  try {
    const packageJson = require.resolve(`${platformPackage}/package.json`);
    const binary = join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
    if (existsSync(binary)) return binary;
  } catch {}
  throw new DevnetStartError(`${platformPackage} is not installed`);
}

export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Watchdog run with `node -e` beside anvil: its stdin is a pipe from the owner, which the kernel closes
 * when the owner dies in any way (SIGKILL included). On that end-of-file it stops anvil like a clean
 * stop would (SIGTERM: anvil saves its state), then SIGKILL after the grace period. It also leaves when
 * anvil is gone. anvil has no option to exit with its parent or on stdin EOF, and Node cannot set
 * PR_SET_PDEATHSIG, so this is the portable way to keep a killed owner from leaving an orphan behind.
 */
const WATCHDOG_SOURCE = `
const fs = require('node:fs');
const pid = Number(process.argv[1]);
const graceMs = Number(process.argv[2]);
if (!Number.isInteger(pid) || pid <= 0) process.exit(2); // never kill(0) or kill(-1)
const alive = () => {
  try { process.kill(pid, 0); } catch (error) { if (error.code !== 'EPERM') return false; }
  try { return !/\\) [ZX] /.test(fs.readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return true; }
};
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  try { process.kill(pid, 'SIGTERM'); } catch { process.exit(0); }
  const deadline = Date.now() + graceMs;
  setInterval(() => {
    if (!alive()) process.exit(0);
    if (Date.now() > deadline) { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); }
  }, 50);
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
setInterval(() => { if (!stopping && !alive()) process.exit(0); }, 2000);
`;

/**
 * Starts anvil from node_modules on a loopback port and resolves once it answers JSON-RPC.
 *
 * With a state file, the devnet takes `<state>.lock` first: an orphaned anvil left on the same file by
 * a killed owner is stopped (it would otherwise keep saving its old chain over the new one), and a
 * live owner makes the start fail with `DevnetStateInUseError`. A watchdog stops anvil when this
 * process dies without calling `stop()`. A port that is invalid, privileged, fetch-blocked or taken
 * fails up front with `DevnetPortError`.
 */
export async function startDevnet(parameters: StartDevnetParameters = {}): Promise<Devnet> {
  const host = parameters.host ?? '127.0.0.1';
  const chainId = parameters.chainId ?? 31337;
  if (parameters.port !== undefined) validateDevnetPort(parameters.port, host);
  const statePath = parameters.statePath ? resolve(parameters.statePath) : null;
  const lock = statePath
    ? await acquireDevnetLock({ statePath, onWarning: parameters.onWarning, orphanGraceMs: STOP_GRACE_MS })
    : null;
  try {
    return await launch(parameters, host, chainId, statePath, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

const STOP_GRACE_MS = 10_000;

async function launch(
  parameters: StartDevnetParameters,
  host: string,
  chainId: number,
  statePath: string | null,
  lock: HeldDevnetLock | null,
): Promise<Devnet> {
  let port: number;
  if (parameters.port) {
    port = parameters.port;
    await assertPortFree(port, host);
  } else {
    port = await findFreePort(host);
  }
  const args = [
    '--host',
    host,
    '--port',
    String(port),
    '--chain-id',
    String(chainId),
    '--mnemonic',
    DEVNET_MNEMONIC,
  ];
  args.push(
    '--accounts',
    '52',
    '--balance',
    '1000000',
    '--gas-limit',
    '60000000',
    '--code-size-limit',
    '65536',
  );
  if (statePath) guardStateFile(statePath, parameters.onWarning);
  const resumed = Boolean(statePath && existsSync(statePath));
  if (parameters.genesisTimestamp !== undefined && !resumed) {
    args.push('--timestamp', parameters.genesisTimestamp.toString());
  }
  if (statePath) {
    mkdirSync(dirname(statePath), { recursive: true });
    // Only the latest state is dumped (not every block's): the file stays a few MB, so periodic dumps
    // are cheap. Reads at past blocks (getRoundData, events) do not need historical states.
    args.push('--state', statePath, '--state-interval', String(parameters.stateIntervalSeconds ?? 5));
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let hasExited = false;
  const exited = new Promise<void>((resolveExit) =>
    child.once('exit', () => {
      hasExited = true;
      resolveExit();
    }),
  );
  const spawnFailed = new Promise<Error>((resolveError) => child.once('error', resolveError));
  const watchdog = child.pid === undefined ? null : startWatchdog(child.pid);
  const stopWatchdog = () => {
    if (watchdog && watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill('SIGKILL');
    watchdog?.stdin?.destroy();
  };
  // anvil gone on its own (crash, or killed from outside): the watchdog has nothing left to guard.
  void exited.then(stopWatchdog);

  const rpcUrl = `http://${host}:${port}`;
  if (child.pid !== undefined)
    lock?.update({ anvilPid: child.pid, watchdogPid: watchdog?.pid ?? null, rpcUrl });
  const deadline = Date.now() + (parameters.startupTimeoutMs ?? 20_000);
  const fail = async (reason: string): Promise<never> => {
    if (!hasExited) {
      child.kill('SIGKILL');
      await exited;
    }
    stopWatchdog();
    throw portErrorFromAnvilOutput(output, port, host) ?? new DevnetStartError(reason);
  };
  let spawnError: Error | undefined;
  void spawnFailed.then((error) => {
    spawnError = error;
  });
  while (true) {
    if (spawnError) await fail(`could not run ${anvilBinaryPath()}: ${spawnError.message}`);
    if (hasExited) {
      await fail(
        `anvil exited with ${child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode}`}: ${lastLines(output)}`,
      );
    }
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      await fail(`anvil did not answer on ${rpcUrl} within the startup timeout: ${lastLines(output)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  if (resumed && parameters.keepSavedClock !== false) {
    const latest = await rpc(rpcUrl, 'eth_getBlockByNumber', ['latest', false]);
    const timestamp = BigInt((latest as { timestamp: string }).timestamp);
    await rpc(rpcUrl, 'anvil_setTime', [Number(timestamp + 1n)]);
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // The watchdog first: once anvil is gone its pid may be reused, and the watchdog must not signal it.
      stopWatchdog();
      if (!hasExited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      lock?.release();
    })();
    return stopping;
  };
  return { rpcUrl, port, chainId, statePath, lockPath: lock?.path ?? null, stop, process: child };
}

function startWatchdog(anvilPid: number): ChildProcess | null {
  try {
    const watchdog = spawn(
      process.execPath,
      ['-e', WATCHDOG_SOURCE, String(anvilPid), String(STOP_GRACE_MS)],
      {
        stdio: ['pipe', 'ignore', 'ignore'],
        // Not in the owner's process group: a Ctrl-C in the terminal reaches the owner, which stops anvil
        // cleanly; the watchdog only acts on the owner's death.
        detached: true,
      },
    );
    watchdog.on('error', () => {});
    watchdog.stdin?.on('error', () => {});
    // Neither keeps the owner alive; if the owner exits without stop(), the pipe closes and anvil stops.
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return watchdog;
  } catch {
    return null;
  }
}

/**
 * anvil rewrites its state file in place; a process killed mid-write leaves it truncated and anvil then
 * refuses to start. Before each start: a state file that parses is copied to `<file>.bak` (the last
 * good state); one that does not parse is moved aside and the `.bak` restored, with a warning.
 */
export function guardStateFile(statePath: string, onWarning?: (message: string) => void): void {
  if (!existsSync(statePath)) return;
  const backup = `${statePath}.bak`;
  let valid = true;
  try {
    JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    valid = false;
  }
  if (valid) {
    copyFileSync(statePath, backup);
    return;
  }
  const damaged = `${statePath}.damaged-${Date.now()}`;
  renameSync(statePath, damaged);
  if (existsSync(backup)) {
    copyFileSync(backup, statePath);
    (onWarning ?? ((m: string) => process.stderr.write(`${m}\n`)))(
      `Devnet state file ${statePath} was damaged (kept as ${damaged}); restored the last good copy from ${backup}. Transactions after that copy are lost from the devnet; the agent reconciles its journal with the chain.`,
    );
  } else {
    throw new DevnetStartError(
      `the state file ${statePath} is damaged and there is no backup (moved it to ${damaged})`,
    );
  }
}

async function rpc(rpcUrl: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new DevnetStartError(`${method} failed: ${body.error.message}`);
  return body.result;
}

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ') || '(no output)';
}
