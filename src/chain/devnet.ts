import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { DevnetStartError } from './errors.js';

export type StartDevnetParameters = {
  /** 0 (default) picks a free loopback port. */
  port?: number | undefined;
  host?: string | undefined;
  chainId?: number | undefined;
  /** Load chain state from this file if it exists and dump to it periodically and on stop. */
  statePath?: string | null | undefined;
  stateIntervalSeconds?: number | undefined;
  /** Milliseconds to wait for the node to answer. */
  startupTimeoutMs?: number | undefined;
  /**
   * Genesis timestamp (seconds) for a new chain, e.g. the first date of replayed market history. With
   * it, a chain loaded from a state file also keeps its own clock (anvil would otherwise jump to the
   * wall clock on restart), so replayed history resumes at the time it stopped.
   */
  genesisTimestamp?: bigint | undefined;
  /** Told when a damaged state file was replaced by its last good copy. */
  onWarning?: ((message: string) => void) | undefined;
};

export type Devnet = {
  rpcUrl: string;
  port: number;
  chainId: number;
  statePath: string | null;
  /** Stops anvil (SIGTERM), which writes the state file first. Idempotent. */
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

/** Starts anvil from node_modules on a loopback port and resolves once it answers JSON-RPC. */
export async function startDevnet(parameters: StartDevnetParameters = {}): Promise<Devnet> {
  const host = parameters.host ?? '127.0.0.1';
  const chainId = parameters.chainId ?? 31337;
  const port = parameters.port || (await findFreePort(host));
  const statePath = parameters.statePath ?? null;
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
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  let stopped = false;

  const rpcUrl = `http://${host}:${port}`;
  const deadline = Date.now() + (parameters.startupTimeoutMs ?? 20_000);
  while (true) {
    if (child.exitCode !== null) {
      throw new DevnetStartError(`anvil exited with code ${child.exitCode}: ${lastLines(output)}`);
    }
    if (await answers(rpcUrl)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new DevnetStartError(
        `anvil did not answer on ${rpcUrl} within the startup timeout: ${lastLines(output)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  if (parameters.genesisTimestamp !== undefined && resumed) {
    const latest = await rpc(rpcUrl, 'eth_getBlockByNumber', ['latest', false]);
    const timestamp = BigInt((latest as { timestamp: string }).timestamp);
    await rpc(rpcUrl, 'anvil_setTime', [Number(timestamp + 1n)]);
  }

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  };
  return { rpcUrl, port, chainId, statePath, stop, process: child };
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
