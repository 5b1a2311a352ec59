// `provenant verify` end to end on the embedded devnet (prints figures; not a test). The stack starts
// the way test/art.test.ts does (real March 2020 WTI/Brent rounds through 5 reporters), the agent key
// mints one artwork and evolves it `evolves` times (a new oracle round before each), then, each run
// with fresh dependencies (their read caches are per run, as in one `provenant verify` process):
//  1. `verifyAsset` of the latest version with the real chain dependencies (RPC reads of the NFT,
//     the registry's approval logs, the oracle rounds; the content store on disk; the re-render);
//  2. `verifyAllVersions` of the token (what `verify --all` runs per token);
//  3. the CLI process `node bin/provenant.js verify <id>`, startup included.
// 1 and 2 also print the JSON-RPC requests they sent (counted at the transport).
// Target (issue #5): verify of one token ≤ 3 s.
// Run: npx tsx bench/verify.bench.ts [runs=5] [size=512] [evolves=3]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPublicClient, http } from 'viem';
import { agentVerifyDependencies, buildReplay, openStack } from '../src/agent/index.js';
import {
  formatVerifyReport,
  mintedTokenIds,
  verifyAllVersions,
  verifyAsset,
} from '../src/provenance/index.js';
import { DEVNET_AGENT_KEY, publishDay } from '../test/fixtures/chain.js';
import { runCli } from '../test/fixtures/cli.js';
import { timingSummary } from './timing.js';

const runs = Number(process.argv[2] ?? 5);
const size = Number(process.argv[3] ?? 512);
const evolves = Number(process.argv[4] ?? 3);
const run = promisify(execFile);

const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-verify-'));
process.env.PROVENANT_PRIVATE_KEY = DEVNET_AGENT_KEY;
const replay = buildReplay({ start: '2020-03-02', end: '2020-03-12', warmupDays: 22 });
const stack = await openStack({
  stateDir: dir,
  statePath: null,
  trainEnd: '2020-02-28',
  forecasterKind: 'ridge',
  genesisTimestamp: replay[0]!.timestamp - 86_400n,
});
try {
  let next = 0;
  if (replay.length < evolves + 2) throw new Error(`the replay has too few days for ${evolves} evolve(s)`);
  while (next < replay.length - evolves) await publishDay(stack, replay[next++]!);
  const cli = (...args: string[]) => runCli(['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, ...args]);
  const minted = await cli('art', 'mint', '--size', String(size));
  if (minted.code !== 0) throw new Error(`art mint failed: ${minted.err}`);
  const [tokenId] = await mintedTokenIds(stack.agent.publicClient, stack.addresses.nft);
  if (tokenId === undefined) throw new Error('no token minted');
  for (let e = 0; e < evolves; e += 1) {
    await publishDay(stack, replay[next++]!);
    const evolved = await cli('art', 'evolve', tokenId.toString(), '--size', String(size));
    if (evolved.code !== 0) throw new Error(`art evolve failed: ${evolved.err}`);
  }

  /** Fresh dependencies on a client that counts the JSON-RPC requests it sends. */
  const counted = () => {
    const sent = { requests: 0, byMethod: new Map<string, number>() };
    const client = createPublicClient({
      transport: http(stack.devnet.rpcUrl, {
        onFetchRequest: async (request) => {
          const body = (await request.clone().json()) as { method: string } | { method: string }[];
          for (const { method } of Array.isArray(body) ? body : [body]) {
            sent.requests += 1;
            sent.byMethod.set(method, (sent.byMethod.get(method) ?? 0) + 1);
          }
        },
      }),
    });
    const deps = agentVerifyDependencies({
      client,
      addresses: stack.addresses,
      stateDir: dir,
      content: stack.content,
    });
    return { deps, sent };
  };
  /** `n JSON-RPC requests (method n, …)`, most sent first. */
  const describeRequests = (sent: ReturnType<typeof counted>['sent']) =>
    `${sent.requests} JSON-RPC requests (${[...sent.byMethod]
      .sort((a, b) => b[1] - a[1])
      .map(([m, n]) => `${m} ${n}`)
      .join(', ')})`;
  const inProcess: number[] = [];
  const inProcessRequests: string[] = [];
  let last: Awaited<ReturnType<typeof verifyAsset>> | undefined;
  for (let i = 0; i < runs; i += 1) {
    const { deps, sent } = counted();
    const t0 = performance.now();
    last = await verifyAsset({ tokenId }, deps);
    inProcess.push(performance.now() - t0);
    inProcessRequests.push(describeRequests(sent));
    if (!last.ok) throw new Error(`verify failed:\n${formatVerifyReport(last)}`);
  }
  const allVersions: number[] = [];
  const allVersionsRequests: string[] = [];
  for (let i = 0; i < runs; i += 1) {
    const { deps, sent } = counted();
    const t0 = performance.now();
    const reports = await verifyAllVersions(tokenId, deps);
    allVersions.push(performance.now() - t0);
    allVersionsRequests.push(describeRequests(sent));
    const failed = reports.find((r) => !r.ok);
    if (failed) throw new Error(`verify failed:\n${formatVerifyReport(failed)}`);
  }

  const processRuns: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await run(
      process.execPath,
      [
        'bin/provenant.js',
        '--rpc-url',
        stack.devnet.rpcUrl,
        '--state-dir',
        dir,
        'verify',
        tokenId.toString(),
      ],
      { cwd: new URL('..', import.meta.url).pathname, maxBuffer: 16 << 20 },
    ); // rejects on a non-zero exit code
    processRuns.push(performance.now() - t0);
  }

  console.log(formatVerifyReport(last!));
  console.log(
    `\nverify of one ${size}×${size} token (version ${last!.version}, ${last!.checks.length} checks) on the embedded devnet:`,
  );
  console.log(`  verifyAsset, real chain dependencies: ${timingSummary(inProcess)}; ${inProcessRequests[0]}`);
  console.log(
    `  verifyAllVersions (${evolves + 1} versions, as verify --all per token): ${timingSummary(allVersions)}; ${allVersionsRequests[0]}`,
  );
  console.log(
    `  node bin/provenant.js verify <id> (process, startup included): ${timingSummary(processRuns)}`,
  );
  console.log('  target: ≤ 3 s');
} finally {
  delete process.env.PROVENANT_PRIVATE_KEY;
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
}
