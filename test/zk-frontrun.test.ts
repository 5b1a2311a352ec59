import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, decodeFunctionData, type Hex, keccak256, pad, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_FEED_RULES } from '../src/agent/demo.js';
import {
  type Agent,
  agentZk,
  buildReplay,
  createAgent,
  type EpochReport,
  journalPath,
  openStack,
  parseAgentOptions,
  publishMarketDay,
  type Stack,
  synthDecisions,
  synthStrategy,
  synthVerifyDependencies,
  verifySynthDecision,
} from '../src/agent/index.js';
import { type Journal, openJournal } from '../src/agent/journal/index.js';
import {
  forecastProofGateAbi,
  readIntentUsed,
  readMintedLogs,
  readMintNonce,
  readPosition,
  syntheticVaultAbi,
  type TxManager,
} from '../src/chain/index.js';
import { createTxManager } from '../src/chain/tx/index.js';
import { canonicalJson } from '../src/models/index.js';
import { proveFromChain, releaseCurves, submitForecastProof } from '../src/zk/index.js';
import { recordedForecast } from '../src/zk/onchain.js';
import { show } from './fixtures/replayAgent.js';

/**
 * The agent survives a front-run of its zk proof. The gate is open (anyone may submit a valid proof) and
 * records a statement once; a watcher who copies the agent's `proveAndMint` proof from the mempool and
 * submits it first makes the agent's transaction revert `ZkProofAlreadyUsed`. The agent then decides again
 * in the same epoch, finds the statement recorded, checks that the record is exactly its statement, and
 * mints through `vault.mintWithProof`, which `provenant verify --synth` still verifies.
 */
const START = '2020-01-02';
const REPLAY = buildReplay({ start: START, end: START, warmupDays: 70 });
const ACTING = REPLAY.find((e) => !e.warmup)!;

let dir: string;
let stack: Stack;
let journal: Journal;
let agent: Agent;
let gate: Address;
/** When set, every proveAndMint the agent sends is first copied to the gate by another account. */
let frontRun = false;
const frontRuns: { proofId: Hex; hash: Hex }[] = [];

const dayBefore = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** The transaction manager as a watcher sees it: the agent's calldata is public before it is mined. */
function frontRunningTx(tx: TxManager): TxManager {
  return {
    ...tx,
    sendMany: async (intents) => {
      for (const intent of intents) {
        if (!frontRun || intent.to.toLowerCase() !== stack.addresses.vault.toLowerCase()) continue;
        const call = decodeFunctionData({ abi: syntheticVaultAbi, data: intent.data });
        if (call.functionName !== 'proveAndMint') continue;
        const [, modelId, , proof] = call.args;
        const sent = await submitForecastProof(stack.users[0]!, gate, {
          modelId,
          lastRoundId: proof.lastRoundId,
          calldata: {
            a: [proof.a[0], proof.a[1]],
            b: [
              [proof.b[0][0], proof.b[0][1]],
              [proof.b[1][0], proof.b[1][1]],
            ],
            c: [proof.c[0], proof.c[1]],
            publicSignals: [...proof.publicSignals],
          },
        });
        frontRuns.push({ proofId: sent.proofId, hash: sent.hash });
      }
      return tx.sendMany(intents);
    },
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-zk-frontrun-'));
  const options = parseAgentOptions({ zk: true });
  stack = await openStack({
    stateDir: dir,
    statePath: null,
    genesisTimestamp: REPLAY[0]!.timestamp - 86_400n,
    trainEnd: dayBefore(START),
    forecasterKind: options.forecaster,
    requireZk: true,
  });
  gate = stack.addresses.zkGate!;
  const reporters = { accounts: stack.reporterAccounts, spreadPpm: 500 };
  for (const epoch of REPLAY) await publishMarketDay(stack, reporters, epoch);
  journal = openJournal(journalPath(dir));
  const tx = createTxManager({ clients: stack.agent, account: stack.agentAccount, store: journal.txStore() });
  const zk = (await agentZk(stack, options))!;
  agent = createAgent({
    clients: stack.agent,
    account: stack.agentAccount,
    addresses: stack.addresses,
    journal,
    tx: frontRunningTx(tx),
    options,
    feedRules: { ...DEFAULT_FEED_RULES, decimals: 8 },
    forecaster: {
      model: stack.forecaster.model,
      id: stack.forecaster.id,
      reference: stack.forecaster.reference,
    },
    content: stack.content,
    decimals: 8,
    strategies: [
      synthStrategy({
        vault: stack.addresses.vault,
        modelId: stack.forecaster.id,
        zk: {
          ...zk,
          provenForecast: (modelId, proofId) => recordedForecast(stack.agent, gate, modelId, proofId),
        },
      }),
    ],
  });
  await agent.recover();
}, 180_000);

afterAll(async () => {
  journal?.close();
  await stack?.close();
  await releaseCurves();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The epoch's last synth mint (a mint over the guard's cap is refused at preflight, then resized). */
const mintOf = (report: EpochReport) => report.intents.filter((i) => i.kind === 'synth-mint').slice(-1);
const callOf = (key: Hex) => {
  const row = journal.intents.get(key)!;
  return decodeFunctionData({ abi: syntheticVaultAbi, data: (row.payload as { data: Hex }).data });
};

/**
 * The gate's storage slot of `_proven[modelId][proofId]` (the mapping is its only state variable, slot 0):
 * output0 (int64) | output1 (int64) << 64 | lastRoundId (uint80) << 128 | provenAt (uint40) << 208.
 */
const recordSlot = (modelId: Hex, proofId: Hex): Hex =>
  keccak256(`${proofId}${keccak256(`${modelId}${pad(toHex(0), { size: 32 }).slice(2)}`).slice(2)}`);

describe('a front-run zk proof (ZkProofAlreadyUsed)', () => {
  let mintKey: Hex;
  let proofId: Hex;

  test('a recorded statement that differs from the proof is refused (ZkRecordedStatementMismatchError)', async () => {
    const test = stack.deployer.testClient!;
    const snapshot = await test.snapshot();
    try {
      // A watcher holds a proof of the statement the agent is about to prove (the statement of a round
      // is deterministic: the rounds, the model and the accumulator fix it) and submits it first.
      const copy = await proveFromChain(stack.users[0]!, {
        feed: stack.addresses.feeds.WTI,
        accumulator: stack.addresses.zkAccumulator!,
        artifacts: (await agentZk(stack, parseAgentOptions({ zk: true })))!.artifacts,
        model: stack.forecaster.model,
      });
      const sent = await submitForecastProof(stack.users[0]!, gate, {
        modelId: stack.forecaster.id,
        lastRoundId: copy.lastRoundId,
        calldata: copy.calldata,
      });
      // The gate's record then disagrees with the statement (output1 + 1 in its storage slot).
      const slot = recordSlot(stack.forecaster.id, sent.proofId);
      const word = BigInt((await stack.agent.publicClient.getStorageAt({ address: gate, slot })) ?? '0x0');
      await test.setStorageAt({ address: gate, index: slot, value: toHex(word + (1n << 64n), { size: 32 }) });
      const tampered = await recordedForecast(stack.agent, gate, stack.forecaster.id, sent.proofId);
      expect(tampered.output1).toBe(copy.outputs[1]! + 1n);
      // Refused and recorded as a halt (a person must look), not a crash that repeats on every restart.
      const report = await agent.runEpoch(ACTING.index);
      expect(report.halted).toMatch(/^zk statement mismatch/);
      const halted = journal.state.halted();
      expect(halted.halted && halted.reason).toMatch(new RegExp(`^zk statement mismatch: .*${sent.proofId}`));
      const details = (halted.halted ? halted.details : undefined) as
        | { proofId: string; differences: string[] }
        | undefined;
      expect(details?.proofId).toBe(sent.proofId);
      expect(details?.differences).toEqual([
        `output1 ${tampered.output1} recorded, ${copy.outputs[1]} proven`,
      ]);
    } finally {
      await test.revert({ id: snapshot });
      // The chain is rolled back; so is the agent's halt (a person resumes it, as after any halt).
      if (journal.state.halted().halted) journal.state.resume('test');
    }
  }, 120_000);

  test('a proof front-run in the mempool reverts proveAndMint; the same epoch mints with mintWithProof', async () => {
    const owner = stack.agentAccount.address;
    const before = await readPosition(stack.agent, stack.addresses.vault, owner);
    const nonceBefore = await readMintNonce(stack.agent, stack.addresses.vault, owner);
    frontRun = true;
    const report = await agent.runEpoch(ACTING.index + 1);
    frontRun = false;
    const mints = report.intents.filter((i) => i.kind === 'synth-mint');
    // The agent's proveAndMint passed its preflight (the statement was fresh), was front-run and reverted.
    const reverted = mints.find((i) => i.outcome === 'reverted');
    expect(reverted, show(report)).toBeDefined();
    expect(callOf(reverted!.key).functionName).toBe('proveAndMint');
    expect(reverted!.refusal?.errorName).toBe('ZkProofAlreadyUsed');
    expect(frontRuns).toHaveLength(1);
    proofId = frontRuns[0]!.proofId;
    // Then the strategy decided again: the statement is recorded, so it minted against the record.
    const [mint] = mintOf(report);
    expect(mint!.outcome, show(report)).toBe('confirmed');
    const call = callOf(mint!.key);
    expect(call.functionName).toBe('mintWithProof');
    const [amount, modelId, intentId, usedProofId, nonce] = call.args as readonly [
      bigint,
      Hex,
      Hex,
      Hex,
      bigint,
    ];
    expect([modelId, intentId, usedProofId]).toEqual([stack.forecaster.id, mint!.key, proofId]);
    const after = await readPosition(stack.agent, stack.addresses.vault, owner);
    expect(amount).toBeGreaterThan(0n);
    expect(after.debt - before.debt).toBe(amount);
    // mintWithProof is keyed by the position's mint nonce (the reverted proveAndMint named none and moved it
    // not): it named the nonce read before the epoch, and landing moved it on by one. Its intent id is in
    // its Minted log, not recorded (intentUsed is for deposit/repay/withdraw/liquidate keys).
    expect(nonce).toBe(nonceBefore);
    expect(await readMintNonce(stack.agent, stack.addresses.vault, owner)).toBe(nonceBefore + 1n);
    const mintedLogs = await readMintedLogs(stack.agent, stack.addresses.vault, {
      owner,
      intentId: mint!.key,
    });
    expect(mintedLogs).toHaveLength(1);
    expect(mintedLogs[0]!.amount).toBe(amount);
    expect(await readIntentUsed(stack.agent, stack.addresses.vault, owner, mint!.key)).toBe(false);
    // The statement was recorded by the watcher's transaction, not the agent's.
    const events = await stack.agent.publicClient.getContractEvents({
      address: gate,
      abi: forecastProofGateAbi,
      eventName: 'ForecastProven',
      args: { proofId },
      fromBlock: 0n,
      strict: true,
    });
    expect(events.map((e) => e.args.submitter)).toEqual([stack.users[0]!.account.address]);
    expect(events.map((e) => e.transactionHash)).toEqual([frontRuns[0]!.hash]);
    mintKey = mint!.key;
  }, 120_000);

  test('verify --synth verifies the fallback decision, with the proof points of the recording transaction', async () => {
    const deps = synthVerifyDependencies({
      client: stack.agent.publicClient,
      stateDir: dir,
      vault: stack.addresses.vault,
      registry: stack.addresses.registry,
      content: stack.content,
    });
    const ref = synthDecisions(journal).find((r) => r.intentId === mintKey)!;
    expect(ref).toBeDefined();
    const report = await verifySynthDecision(ref, deps);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    const names = report.checks.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['intent-used', 'zk-calldata', 'zk-proof', 'zk-bound']));
    const proof = report.checks.find((c) => c.name === 'zk-proof')!;
    expect(proof.detail).toContain(frontRuns[0]!.hash);

    // The same decision with the fallback marker removed claims a proveAndMint: zk-calldata fails.
    const manifest = JSON.parse(new TextDecoder().decode(await stack.content.get(ref.manifestCid))) as {
      proof: Record<string, unknown>;
    };
    expect(manifest.proof).toMatchObject({ sentAs: 'mintWithProof', proofId });
    const { sentAs: _s, proofId: _p, ...plain } = manifest.proof;
    const cid = await stack.content.put(
      new TextEncoder().encode(canonicalJson({ ...manifest, proof: plain })),
    );
    const tampered = await verifySynthDecision({ intentId: ref.intentId, manifestCid: cid }, deps);
    expect(tampered.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
      'intent-id',
      'zk-calldata',
    ]);
  }, 120_000);
});
