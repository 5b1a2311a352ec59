import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { startDevnet } from './devnet.js';
import { DevnetStateInUseError, devnetLockPath, isProcessAlive, readDevnetLock } from './devnetLock.js';
import { DevnetPortError, portErrorFromAnvilOutput } from './devnetPort.js';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'provenant.js');
const cleanups: (() => unknown)[] = [];

/** A lock's pid, asserted to be one real process (never 0 or -1, which signal groups or everyone). */
function pidOf(value: number | null | undefined): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`expected a process id in the lock, got ${value}`);
  }
  return value;
}

/** SIGKILL one leftover process of this test, if it is still there. */
function killIfAlive(pid: number): void {
  if (isProcessAlive(pid)) process.kill(pidOf(pid), 'SIGKILL');
}
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** `provenant devnet --state <file>` as a real child process; resolves once it says it runs. */
async function startOwner(statePath: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, 'devnet', '--state', statePath], {
    cwd: mkdtempSync(join(tmpdir(), 'pv-owner-')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cleanups.push(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));
  let output = '';
  await new Promise<void>((resolveReady, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Devnet running at')) resolveReady();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`provenant devnet exited (${code}): ${output}`)));
  });
  return child;
}

async function rpc(rpcUrl: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

function savedBlockNumber(statePath: string): number {
  const state = JSON.parse(readFileSync(statePath, 'utf8')) as { best_block_number: number | string };
  return Number(state.best_block_number);
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

/** Polls until the pid is gone (a zombie counts as gone); false if it outlives `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('startDevnet: a killed owner does not lose chain state', () => {
  test('behavior: SIGKILL of `provenant devnet` leaves no orphan; the next run keeps old and new blocks', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'pv-devnet-')), 'state.json');
    const owner = await startOwner(statePath);
    const lock = readDevnetLock(devnetLockPath(statePath));
    expect(lock?.ownerPid).toBe(owner.pid);
    const anvilPid = pidOf(lock?.anvilPid);
    const watchdogPid = pidOf(lock?.watchdogPid);
    cleanups.push(() => killIfAlive(anvilPid));
    expect(isProcessAlive(anvilPid)).toBe(true);
    await rpc(lock?.rpcUrl ?? '', 'anvil_mine', ['0x3']);

    // While the owner lives, a second start on the same file is refused and names it.
    const refused = await startDevnet({ statePath }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DevnetStateInUseError);
    expect((refused as Error).message).toContain(`pid ${owner.pid}`);
    // …and says how to use the chain that runs there instead (a command's --rpc-url).
    expect((refused as Error).message).toContain(`pass --rpc-url ${lock?.rpcUrl} to this command`);

    await killed(owner);
    // The watchdog stops the orphan (SIGTERM: it saves its 3 blocks) without anyone's help.
    expect(await goneWithin(anvilPid, 15_000)).toBe(true);
    expect(await goneWithin(watchdogPid, 15_000)).toBe(true);

    const warnings: string[] = [];
    const restarted = await startDevnet({ statePath, onWarning: (m) => warnings.push(m) });
    cleanups.push(restarted.stop);
    expect(warnings).toEqual([]);
    expect(await rpc(restarted.rpcUrl, 'eth_blockNumber')).toBe('0x3');
    await rpc(restarted.rpcUrl, 'anvil_mine', ['0x64']);
    await restarted.stop();
    expect(savedBlockNumber(statePath)).toBe(103);
    expect(existsSync(devnetLockPath(statePath))).toBe(false);
  });

  test('behavior: an orphan whose watchdog died too is stopped by the next start, which says so', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'pv-devnet-')), 'state.json');
    const owner = await startOwner(statePath);
    const lock = readDevnetLock(devnetLockPath(statePath));
    const anvilPid = pidOf(lock?.anvilPid);
    cleanups.push(() => killIfAlive(anvilPid));
    await rpc(lock?.rpcUrl ?? '', 'anvil_mine', ['0x5']);
    process.kill(pidOf(lock?.watchdogPid), 'SIGKILL');
    await killed(owner);
    expect(isProcessAlive(anvilPid)).toBe(true); // the audit's orphan: child of PID 1, still saving

    const warnings: string[] = [];
    const restarted = await startDevnet({ statePath, onWarning: (m) => warnings.push(m) });
    cleanups.push(restarted.stop);
    expect(warnings.join('\n')).toContain(
      `An orphaned anvil (pid ${anvilPid}) was still running on ${statePath}`,
    );
    expect(isProcessAlive(anvilPid)).toBe(false);
    expect(await rpc(restarted.rpcUrl, 'eth_blockNumber')).toBe('0x5');
    await rpc(restarted.rpcUrl, 'anvil_mine', ['0x64']);
    await restarted.stop();
    expect(savedBlockNumber(statePath)).toBe(105);
  });

  test('behavior: a stale lock (dead pids) is replaced; stop() removes the lock', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'pv-devnet-')), 'state.json');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.once('exit', r));
    const lockPath = devnetLockPath(statePath);
    writeFileSync(
      lockPath,
      JSON.stringify({
        statePath,
        ownerPid: dead.pid,
        ownerLockedAtMs: Date.now() - 3_600_000,
        anvilPid: dead.pid,
      }),
    );
    const warnings: string[] = [];
    const devnet = await startDevnet({ statePath, onWarning: (m) => warnings.push(m) });
    cleanups.push(devnet.stop);
    expect(warnings).toEqual([]);
    expect(readDevnetLock(lockPath)).toMatchObject({ ownerPid: process.pid, anvilPid: devnet.process.pid });
    await devnet.stop();
    expect(existsSync(lockPath)).toBe(false);
  });

  test('error: a second devnet of the same process on the same state file is refused', async () => {
    const statePath = join(mkdtempSync(join(tmpdir(), 'pv-devnet-')), 'state.json');
    const devnet = await startDevnet({ statePath });
    cleanups.push(devnet.stop);
    await expect(startDevnet({ statePath })).rejects.toThrow(
      `is already in use by a devnet of this process (anvil pid ${devnet.process.pid})`,
    );
    await devnet.stop();
  });
});

describe('startDevnet: port errors', () => {
  test('error: a port in use is named, with advice about --port, not about npm ci; the lock is released', async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as { port: number }).port;
    const statePath = join(mkdtempSync(join(tmpdir(), 'pv-devnet-')), 'state.json');
    const error = await startDevnet({ port, statePath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DevnetPortError);
    expect((error as DevnetPortError).reason).toBe('in-use');
    expect((error as Error).message.replaceAll(String(port), '<port>')).toMatchInlineSnapshot(`
      "The devnet port <port> on 127.0.0.1 is already in use.

      Another program listens there; find it with \`ss -ltnp 'sport = :<port>'\` (or \`lsof -i :<port>\`). Pass another --port from 1024 to 65535, or --port 0 to pick a free one.

      Docs: docs/chain.md#devnet"
    `);
    expect(existsSync(devnetLockPath(statePath))).toBe(false);
  });

  test('error: invalid, privileged and fetch-blocked ports are refused before anything starts', async () => {
    for (const [port, reason] of [
      [1, 'privileged'],
      [1023, 'privileged'],
      [6000, 'blocked'],
      [70_000, 'invalid'],
      [Number.NaN, 'invalid'],
    ] as const) {
      const error = await startDevnet({ port }).catch((e: unknown) => e);
      expect(error, String(port)).toBeInstanceOf(DevnetPortError);
      expect((error as DevnetPortError).reason).toBe(reason);
    }
  });

  test("behavior: anvil's own bind errors map to the port advice", () => {
    expect(
      portErrorFromAnvilOutput('Error: Address already in use (os error 98).', 18545, '127.0.0.1')?.reason,
    ).toBe('in-use');
    expect(portErrorFromAnvilOutput('Error: Permission denied (os error 13)', 80, '127.0.0.1')?.reason).toBe(
      'denied',
    );
    expect(portErrorFromAnvilOutput('Error: failed to load state', 18545, '127.0.0.1')).toBeNull();
  });
});
