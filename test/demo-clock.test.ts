import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { DemoClockError, runDemo } from '../src/agent/index.js';
import { startDevnet } from '../src/chain/index.js';

// Review 6, defect 2: `provenant devnet --state <demo state>` ran the saved chain at wall-clock time; one
// mined block moved the replayed chain from 2020 to today for good, and a resumed demo then stamped every
// later round with today's date while exiting 0. Now the devnet command keeps the chain's own clock, and a
// demo refuses to resume on a chain whose clock is past the next market day it would publish.

const root = mkdtempSync(join(tmpdir(), 'provenant-demo-clock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const demo = (stateDir: string, end: string) =>
  runDemo({
    stateDir,
    start: '2020-02-03',
    end,
    warmupDays: 25,
    persist: true,
    agent: { art: { size: 32, evolveEveryEpochs: 50, maxTokens: 1 } },
  });

/** Latest block time of a saved chain, read keeping its clock. */
async function savedClock(statePath: string): Promise<Date> {
  const devnet = await startDevnet({ statePath });
  try {
    const res = await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getBlockByNumber',
        params: ['latest', false],
      }),
    });
    const { result } = (await res.json()) as { result: { timestamp: string } };
    return new Date(Number(BigInt(result.timestamp)) * 1000);
  } finally {
    await devnet.stop();
  }
}

/**
 * Mines one block on a saved chain through `provenant devnet` (its arguments: `--state <file>`, or the state
 * dir whose devnet-state.json it loads by default), then stops it with Ctrl-C. Returns what it printed.
 */
async function mineThroughCli(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['bin/provenant.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Devnet running at (http:\/\/\S+) /.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`devnet exited ${code}: ${out}`)));
  });
  await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }),
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGINT');
  await exited;
  return out;
}

describe('a replayed chain keeps its clock; a demo refuses to resume on a chain past its next day', () => {
  test('`provenant devnet --state` on a demo state keeps the 2020 clock', async () => {
    const stateDir = join(root, 'cli');
    const first = await demo(stateDir, '2020-02-05');
    expect(first.completed).toBe(true);
    // `agent status` shows the demo's last epoch as the last run, in the demo's own count.
    expect(first.journal.state.get<{ outcome: string }>('agent.lastRun')?.outcome).toMatch(
      /^demo epoch (\d+)\/\1 \(market day 2020-02-05\) ran/,
    );
    first.journal.close();
    await first.stack.close();
    const statePath = join(stateDir, 'devnet-state.json');
    const before = await savedClock(statePath);
    expect(before.getUTCFullYear()).toBe(2020);
    // A command that sends a transaction on the saved chain (the faucet) keeps its clock too (user walk,
    // session 9: it moved the chain to today, every price read stale and the demo refused to resume).
    const faucet = spawnSync(
      process.execPath,
      ['bin/provenant.js', '--state-dir', stateDir, 'faucet', '10'],
      {
        encoding: 'utf8',
      },
    );
    expect(faucet.status, faucet.stderr).toBe(0);
    expect((await savedClock(statePath)).getUTCFullYear()).toBe(2020);
    await mineThroughCli(['devnet', '--state', statePath]);
    const after = await savedClock(statePath);
    expect(after.getUTCFullYear()).toBe(2020);
    expect(after.getTime()).toBeLessThan(Date.parse('2020-02-06T00:00:00Z'));
    // Without --state, `provenant devnet` serves the state dir's saved chain (devnet.stateFile), as the
    // other commands do, and keeps its clock too.
    const printed = await mineThroughCli(['--state-dir', stateDir, 'devnet']);
    expect(printed).toContain(`state in ${statePath}`);
    const again = await savedClock(statePath);
    expect(again.getTime()).toBeGreaterThan(after.getTime());
    expect(again.getTime()).toBeLessThan(Date.parse('2020-02-06T00:00:00Z'));
  }, 180_000);

  test('a saved chain moved to the wall clock is refused on resume (DemoClockError), naming --fresh', async () => {
    const stateDir = join(root, 'wall');
    const first = await demo(stateDir, '2020-02-05');
    first.journal.close();
    await first.stack.close();
    const statePath = join(stateDir, 'devnet-state.json');
    // What the devnet command did before: a start without keeping the clock, and one block mined.
    const wall = await startDevnet({ statePath, keepSavedClock: false });
    await fetch(wall.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'evm_mine', params: [] }),
    });
    await wall.stop();
    expect((await savedClock(statePath)).getUTCFullYear()).toBeGreaterThan(2020);
    const refused = await demo(stateDir, '2020-02-07').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DemoClockError);
    expect((refused as Error).message).toMatch(
      /clock is at 20\d\d-\d\d-\d\d, past the next market day it would publish \(2020-02-06\)/,
    );
    expect((refused as DemoClockError).details).toMatch(/provenant demo --fresh/);
  }, 180_000);
});
