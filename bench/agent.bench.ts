// Agent benchmarks on the embedded devnet (prints figures; not a test):
//  1. guarded actions per second: real sWTI mints through PolicyGuard, pipelined by the transaction
//     manager versus the usual agent-kit loop (send one, wait for its receipt, send the next);
//  2. epoch latency (median, p95) over a short real-data demo run.
// Run: npx tsx bench/agent.bench.ts [mints=100] [days=60]
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAbiParameters, encodeFunctionData, keccak256 } from 'viem';
import { openStack, runDemo, timestampOf } from '../src/agent/index.js';
import {
  createMemoryTxStore,
  createTxManager,
  passProposalOnDevnet,
  policyGuardAbi,
  prepareMintSynth,
  readMintNonce,
  syntheticVaultAbi,
  writeContract,
} from '../src/chain/index.js';
import { publishNextRound } from '../src/oracle/index.js';
import { POLICY_ACTIONS } from '../src/policy/index.js';
import { releaseCurves } from '../src/zk/index.js';

const mints = Number(process.argv[2] ?? 100);
const days = Number(process.argv[3] ?? 60);
const E18 = 10n ** 18n;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

async function guardedThroughput() {
  const stateDir = mkdtempSync(join(tmpdir(), 'provenant-bench-'));
  const stack = await openStack({
    stateDir,
    statePath: null,
    genesisTimestamp: timestampOf('2019-01-02') - 86_400n,
    trainEnd: '2018-12-31',
    forecasterKind: 'ridge',
  });
  try {
    const a = stack.addresses;
    // Governance raises the mint rate limit to its ceiling so the bench is limited by the chain, not the policy.
    const limits = await stack.deployer.publicClient.readContract({
      address: a.guard,
      abi: policyGuardAbi,
      functionName: 'limitsOf',
      args: [a.vault, POLICY_ACTIONS.SYNTH_MINT],
    });
    const calls = [
      {
        target: a.guard,
        data: encodeSetLimits(a.vault, { ...limits, rateLimit: 1000n, epochCap: 10_000n * E18 }),
        label: 'bench limits',
      },
    ];
    await passProposalOnDevnet(
      stack.deployer,
      { governor: a.governor, timelock: a.timelock },
      { description: 'bench: raise mint rate limit', calls },
    );
    const block = await stack.deployer.publicClient.getBlock();
    await publishNextRound(
      stack.relayer,
      { accounts: stack.reporterAccounts },
      { feed: a.feeds.WTI, answer: 46_54_000_000n, observedAt: block.timestamp },
    );
    const key = (tag: string, i: number) =>
      keccak256(encodeAbiParameters([{ type: 'string' }, { type: 'uint256' }], [tag, BigInt(i)]));
    const measure = async (mode: string, n: number) => {
      // Baseline: one at a time, each receipt awaited before the next send (the usual agent-kit loop).
      // Each mint names the position's mint nonce, which the previous mint moved on.
      let nonce = await readMintNonce(stack.agent, a.vault, stack.agentAccount.address);
      let t = performance.now();
      for (let i = 0; i < n; i++) {
        await writeContract(stack.agent, {
          address: a.vault,
          abi: syntheticVaultAbi,
          functionName: 'mint',
          args: [10n * E18, stack.forecaster.id, key(`${mode}-baseline`, i), nonce++],
        });
      }
      const baseline = n / ((performance.now() - t) / 1000);
      // Pipelined: the transaction manager reserves consecutive nonces and keeps them all in flight.
      // The agent passes the gas its preflight estimated; here a fixed limit above a mint's cost. Mints in
      // flight together carry consecutive mint nonces (account nonce order is mining order), from the one
      // read after the baseline; a refused one would make the rest revert MintNonceMismatch.
      const first = await readMintNonce(stack.agent, a.vault, stack.agentAccount.address);
      if (first !== nonce) throw new Error(`mint nonce ${first} after the baseline, expected ${nonce}`);
      const intents = Array.from({ length: n }, (_, i) => {
        const call = prepareMintSynth(a.vault, {
          amount: 10n * E18,
          modelId: stack.forecaster.id,
          intentId: key(`${mode}-pipelined`, i),
          nonce: first + BigInt(i),
        });
        return {
          key: key(`${mode}-pipelined`, i),
          label: call.label,
          to: call.to,
          data: call.data,
          gas: 400_000n,
        };
      });
      // A fresh manager: the baseline above used the same key outside it, so it must sync its nonce again.
      const tx = createTxManager({
        clients: stack.agent,
        account: stack.agentAccount,
        store: createMemoryTxStore(),
        pollIntervalMs: 50,
      });
      t = performance.now();
      const settled = await tx.sendMany(intents);
      const pipelined = n / ((performance.now() - t) / 1000);
      const failed = settled.find((s) => !s.ok);
      if (failed && !failed.ok) throw failed.error;
      console.log(`guarded sWTI mints, ${mode} (${n} each way):`);
      console.log(`  baseline (send, wait receipt, next)  ${baseline.toFixed(1)} actions/s`);
      console.log(`  pipelined (tx manager, sendMany)     ${pipelined.toFixed(1)} actions/s`);
      console.log(
        `  ratio                                ${(pipelined / baseline).toFixed(2)}× (target ≥ 3×)`,
      );
    };
    // anvil's automine mines every transaction in its own block the moment it arrives: the hardest case
    // for pipelining (no waiting for blocks to hide). Then 1-second blocks, like a real chain.
    await measure('automine', mints);
    await stack.deployer.testClient!.setAutomine(false);
    await stack.deployer.testClient!.setIntervalMining({ interval: 1 });
    await measure('1-second blocks', Math.min(mints, 20));
  } finally {
    await stack.close();
  }
}

function encodeSetLimits(asset: `0x${string}`, limits: Record<string, bigint>) {
  return encodeFunctionData({
    abi: policyGuardAbi,
    functionName: 'setLimits',
    args: [asset, POLICY_ACTIONS.SYNTH_MINT, limits as never],
  });
}

async function epochLatency() {
  const stateDir = mkdtempSync(join(tmpdir(), 'provenant-bench-'));
  const start = '2020-01-02';
  const end = new Date(Date.parse(`${start}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const result = await runDemo({
    stateDir,
    start,
    end,
    persist: false,
    agent: { art: { size: 512, evolveEveryEpochs: 20, maxTokens: 12 } },
  });
  try {
    console.log(
      `epoch latency over ${result.epochMs.length} real-data epochs (${start} … ${end}), observe → record:`,
    );
    console.log(
      `  median ${quantile(result.epochMs, 0.5).toFixed(0)} ms, p95 ${quantile(result.epochMs, 0.95).toFixed(0)} ms, max ${Math.max(...result.epochMs).toFixed(0)} ms`,
    );
  } finally {
    result.journal.close();
    await result.stack.close();
  }
}

await guardedThroughput();
await epochLatency();
// The demo's zk mints start snarkjs' curve worker threads; stop them so the process exits (as the CLI does).
await releaseCurves();
