// `provenant verify` end to end on the embedded devnet (prints figures; not a test). The stack starts
// the way test/art.test.ts does (real March 2020 WTI/Brent rounds through 5 reporters), the agent key
// mints one artwork and evolves it once, then:
//  1. `verifyAsset` of the latest version with the real chain dependencies (RPC reads of the NFT,
//     the registry's approval logs, the oracle rounds; the content store on disk; the re-render);
//  2. the CLI process `node bin/provenant.js verify <id>`, startup included.
// Target (issue #5): verify of one token ≤ 3 s.
// Run: npx tsx bench/verify.bench.ts [runs=5] [size=512]
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { agentVerifyDependencies, buildReplay, openStack } from '../src/agent/index.js';
import { formatVerifyReport, mintedTokenIds, verifyAsset } from '../src/provenance/index.js';
import { DEVNET_AGENT_KEY, publishDay } from '../test/fixtures/chain.js';
import { runCli } from '../test/fixtures/cli.js';
import { timingSummary } from './timing.js';

const runs = Number(process.argv[2] ?? 5);
const size = Number(process.argv[3] ?? 512);
const run = promisify(execFile);

const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-verify-'));
process.env.PROVENANT_PRIVATE_KEY = DEVNET_AGENT_KEY;
const replay = buildReplay({ start: '2020-03-02', end: '2020-03-06', warmupDays: 22 });
const stack = await openStack({
  stateDir: dir,
  statePath: null,
  trainEnd: '2020-02-28',
  forecasterKind: 'ridge',
  genesisTimestamp: replay[0]!.timestamp - 86_400n,
});
try {
  let next = 0;
  while (next < replay.length - 1) await publishDay(stack, replay[next++]!);
  const cli = (...args: string[]) => runCli(['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, ...args]);
  const minted = await cli('art', 'mint', '--size', String(size));
  if (minted.code !== 0) throw new Error(`art mint failed: ${minted.err}`);
  const [tokenId] = await mintedTokenIds(stack.agent.publicClient, stack.addresses.nft);
  if (tokenId === undefined) throw new Error('no token minted');
  await publishDay(stack, replay[next++]!);
  const evolved = await cli('art', 'evolve', tokenId.toString(), '--size', String(size));
  if (evolved.code !== 0) throw new Error(`art evolve failed: ${evolved.err}`);

  const deps = agentVerifyDependencies({
    client: stack.agent.publicClient,
    addresses: stack.addresses,
    stateDir: dir,
    content: stack.content,
  });
  const inProcess: number[] = [];
  let last: Awaited<ReturnType<typeof verifyAsset>> | undefined;
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    last = await verifyAsset({ tokenId }, deps);
    inProcess.push(performance.now() - t0);
    if (!last.ok) throw new Error(`verify failed:\n${formatVerifyReport(last)}`);
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
  console.log(`  verifyAsset, real chain dependencies: ${timingSummary(inProcess)}`);
  console.log(
    `  node bin/provenant.js verify <id> (process, startup included): ${timingSummary(processRuns)}`,
  );
  console.log('  target: ≤ 3 s');
} finally {
  delete process.env.PROVENANT_PRIVATE_KEY;
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
}
