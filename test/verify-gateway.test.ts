import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ReplayEpoch, Stack } from '../src/agent/index.js';
import { main } from '../src/cli/main.js';
import { type FakeGateway, startGateway } from '../src/provenance/importFixtures.test-helpers.js';
import { addBytes, mintedTokenIds } from '../src/provenance/index.js';
import { DEVNET_AGENT_KEY, openReplayStack, publishDay } from './fixtures/chain.js';
import { runCli } from './fixtures/cli.js';

/**
 * An auditor without the agent's content: `verify` and `art show` on a state dir whose content/ folder is
 * gone, filled from a trustless gateway (a node:http server on 127.0.0.1 serving the raw blocks) or from a
 * CAR the agent exported (`content import`). Real anvil, real mint, real CLI.
 */
describe('verify and art show without the agent content: gateway and CAR import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-verify-gateway-'));
  const car = join(dir, 'agent.car');
  let stack: Stack;
  let gateway: FakeGateway;
  let token: string;
  const cli = (...args: string[]) => runCli(['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, ...args]);
  /** A command's result plus what it wrote with process.stderr.write (the "fetched" line). */
  const withStderr = async (run: () => Promise<{ code: number; out: string; err: string }>) => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      return { ...(await run()), stderr: written.join('') };
    } finally {
      spy.mockRestore();
    }
  };
  const dropContent = () => {
    rmSync(join(dir, 'content'), { recursive: true, force: true });
  };

  beforeAll(async () => {
    process.env.PROVENANT_PRIVATE_KEY = DEVNET_AGENT_KEY;
    let acting: ReplayEpoch[];
    ({ stack, acting } = await openReplayStack({
      stateDir: dir,
      statePath: null,
      start: '2020-03-02',
      end: '2020-03-04',
      warmupDays: 22,
      trainEnd: '2020-02-28',
    }));
    for (const day of acting) await publishDay(stack, day);
    const minted = await cli('art', 'mint', '--size', '64');
    expect(minted.err).toBe('');
    expect(minted.code).toBe(0);
    const [tokenId] = await mintedTokenIds(stack.agent.publicClient, stack.addresses.nft);
    token = String(tokenId);
    expect(await main(['node', 'provenant', '--state-dir', dir, 'content', 'export', car])).toBe(0);
    // The gateway serves every block of every file the agent stored; then the agent's copy goes away.
    const files = await Promise.all(
      readdirSync(join(dir, 'content')).map((cid) => addBytes(readFileSync(join(dir, 'content', cid)))),
    );
    gateway = await startGateway(files.flatMap((f) => f.blocks));
    renameSync(join(dir, 'content'), join(dir, 'content.agent'));
  }, 240_000);
  afterAll(async () => {
    delete process.env.PROVENANT_PRIVATE_KEY;
    await gateway?.close();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('without content and without a gateway, verify cannot pass', async () => {
    dropContent();
    const r = await cli('verify', token);
    expect(r.code).toBe(1);
    expect(r.out).toContain('is not in the local content store');
  });

  test('verify --ipfs-gateway fetches the files (each block verified), says so on stderr, passes, and leaves them stored', async () => {
    dropContent();
    const r = await withStderr(() => cli('verify', token, '--ipfs-gateway', gateway.url));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/verified$/m);
    expect(r.stderr).toMatch(new RegExp(`fetched 3 file\\(s\\) from ${gateway.url} into `));
    expect(readdirSync(join(dir, 'content')).sort()).toHaveLength(3);
    // Stored now: a second run fetches nothing.
    const asked = gateway.requests.length;
    const again = await withStderr(() => cli('verify', token, '--ipfs-gateway', gateway.url));
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('fetched');
    expect(gateway.requests.length).toBe(asked);
  });

  test('art show --ipfs-gateway tells the story from fetched metadata and manifest', async () => {
    dropContent();
    const r = await withStderr(() => cli('art', 'show', token, '--json', '--ipfs-gateway', gateway.url));
    expect(r.code).toBe(0);
    const shown = JSON.parse(r.out) as { versions: { provenance?: string; manifestProblem?: string }[] };
    expect(shown.versions[0]?.provenance).toMatch(/^ipfs:\/\//);
    expect(shown.versions[0]?.manifestProblem).toBeUndefined();
    expect(r.stderr).toContain('fetched 2 file(s) from');
  });

  test('a dead gateway: verify fails naming the gateway (redacted) and the fix', async () => {
    dropContent();
    const closed = await startGateway();
    await closed.close();
    const port = new URL(closed.url).port;
    const r = await cli('verify', token, '--ipfs-gateway', `http://user:s3cret@127.0.0.1:${port}/key/`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `IPFS gateway http://…@127\\.0\\.0\\.1:${port}/… did not serve block \\w+: connection failed \\(ECONNREFUSED\\)`,
      ),
    );
    expect(r.err).toContain('provenant content import <file.car>');
    expect(`${r.out}${r.err}`).not.toContain('s3cret');
    const content = join(dir, 'content');
    expect(existsSync(content) ? readdirSync(content) : []).toEqual([]);
  });

  test('content import of the agent CAR, then verify without any gateway', async () => {
    dropContent();
    expect(await main(['node', 'provenant', '--state-dir', dir, 'content', 'import', car])).toBe(0);
    const r = await cli('verify', token);
    expect(r.code).toBe(0);
  });
});
