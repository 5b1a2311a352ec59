import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type EpochContext,
  openStack,
  parseAgentOptions,
  type Stack,
  synthStrategy,
  timestampOf,
} from '../src/agent/index.js';
import {
  type ContractRevertError,
  forecastProofGateAbi,
  modelRegistryAbi,
  readMintNonce,
  readPosition,
  sendPrepared,
  syntheticVaultAbi,
} from '../src/chain/index.js';
import { main } from '../src/cli/main.js';
import { loadDataset } from '../src/data/index.js';
import {
  inferFixed,
  inferFixedReal,
  oracleDatasetFeatures,
  oracleFeaturesFixed,
  toForecast,
  trainForecaster,
} from '../src/models/index.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';
import {
  absorbRounds,
  accumulate,
  accumulatorAt,
  decodePublicSignals,
  type ForecastProof,
  latestRounds,
  mintWithProof,
  prove,
  proveFromChain,
  setup,
  submitForecastProof,
  verifyProof,
  type ZkArtifacts,
  zkCommitmentHex,
  zkMaxDebt,
  zkMaxDebtOf,
} from '../src/zk/index.js';
import { runCli } from './cliHarness.js';

/**
 * Issue 8 end to end on anvil: the agent's ridge forecaster (trained before the replay, on oracle-only
 * features) proves a real WTI forecast with the committed zk/ridge/ artefacts (no setup). The circuit
 * derives the features from the feed's last 21 answers and hashes them into the feed accumulator's
 * Poseidon chain; the gate checks the chain end against the accumulator, the commitment against the
 * registry, and the vault mints through its zk path within the proven bound.
 */
const TRAIN_END = '2024-01-31';
const FORECAST_DATE = '2024-03-15';
const WTI = loadDataset('wti-daily').series.points;
/** 25 trading days up to the forecast date: the 21 answers the proof uses, and a few older rounds. */
const DAYS = WTI.filter((p) => p.date <= FORECAST_DATE).slice(-25);
const MAX_AGE = 4n * 86_400n;

let stack: Stack;
let stateDir: string;
let art: ZkArtifacts;
let gate: Address;
let accumulator: Address;

async function publish(date: string, value: number): Promise<void> {
  const at = timestampOf(date);
  await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: at });
  await stack.deployer.testClient!.mine({ blocks: 1 });
  const round = await publishNextRound(
    stack.relayer,
    { accounts: stack.reporterAccounts, spreadPpm: 0 },
    { feed: stack.addresses.feeds.WTI, answer: toAnswer(value, 8), observedAt: at },
  );
  await absorbRounds(stack.relayer, accumulator, round.roundId);
}

/** Governance (the timelock) switches the vault's zk path on: impersonated on the devnet. */
async function enableZkPath(vault: Address): Promise<void> {
  const timelock = stack.manifest.contracts.ProvenantTimelock!.address;
  const test = stack.deployer.testClient!;
  await test.impersonateAccount({ address: timelock });
  await test.setBalance({ address: timelock, value: 10n ** 18n });
  const hash = await stack.deployer.walletClient.writeContract({
    account: timelock,
    chain: stack.deployer.walletClient.chain,
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'setZkConfig',
    args: [{ gate, targetVolBps: 2000, maxLeverageBps: 3000, scaleBits: 20, maxProofAge: 86_400 }],
  });
  const receipt = await stack.deployer.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
  await test.stopImpersonatingAccount({ address: timelock });
}

async function refusal(promise: Promise<unknown>): Promise<ContractRevertError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeDefined();
  return error as ContractRevertError;
}

const intent = (label: string): Hex => keccak256(encodeAbiParameters([{ type: 'string' }], [`zk:${label}`]));

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'provenant-zk-'));
  stack = await openStack({
    stateDir,
    statePath: null,
    trainEnd: TRAIN_END,
    forecasterKind: 'ridge',
    genesisTimestamp: timestampOf(DAYS[0]!.date) - 86_400n,
  });
  gate = stack.manifest.contracts['ForecastProofGate.WTI']!.address;
  accumulator = stack.manifest.contracts['FeedAccumulator.WTI']!.address;
  expect(DAYS.at(-1)!.date).toBe(FORECAST_DATE);
  for (const c of DAYS) await publish(c.date, c.value);
  await enableZkPath(stack.addresses.vault);
  // The committed zk/ridge/ artefacts: no compile, no trusted setup on a fresh clone.
  art = await setup(stack.forecaster.model);
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('zk-gated mint on anvil (agent ridge forecaster, real WTI)', () => {
  let proof: ForecastProof & { roundIds: bigint[]; answers: bigint[]; lastRoundId: bigint };
  let proofId: Hex;

  test('the registry holds the forecaster zk commitment, set at registration before approval', async () => {
    const registered = await stack.deployer.publicClient.readContract({
      address: stack.addresses.registry,
      abi: modelRegistryAbi,
      functionName: 'zkCommitmentOf',
      args: [stack.forecaster.id],
    });
    expect(registered).toBe(zkCommitmentHex(stack.forecaster.model));
    expect(art.layout.layers).toEqual([{ inputs: 5, outputs: 2, activation: 'linear' }]);
    expect(art.layout.answers).toBe(21);
  });

  test('proves the 2024-03-15 forecast from the oracle rounds; the gate accepts it; the vault mints within the proven bound', async () => {
    proof = await proveFromChain(stack.agent, {
      feed: stack.addresses.feeds.WTI,
      accumulator,
      artifacts: art,
      model: stack.forecaster.model,
    });
    // The proven forecast is the agent's own fixed-point forecast on the oracle's last 21 answers, bit for bit.
    const rounds = await latestRounds(stack.agent, stack.addresses.feeds.WTI, 21);
    expect(proof.answers).toEqual(rounds.answers);
    expect(rounds.answers.at(-1)).toBe(toAnswer(DAYS.at(-1)!.value, 8));
    const features = oracleFeaturesFixed(rounds.answers, 20).map(Number);
    expect(proof.outputs).toEqual(inferFixed(stack.forecaster.model, features).map(BigInt));
    // ... and the features are the ones the forecaster was trained on for that date.
    const trained = oracleDatasetFeatures('wti-daily', { scaleBits: 20 });
    expect(features.map((f) => f / 2 ** 20)).toEqual(trained.X[trained.dates.indexOf(FORECAST_DATE)]);
    expect(await verifyProof(art.vkey, proof.proof, proof.publicSignals)).toBe(true);
    // accLast is the accumulator's chain over those answers, and its on-chain value at the last round.
    const decoded = decodePublicSignals(art.layout, proof.publicSignals);
    const chainStart = await accumulatorAt(stack.agent, accumulator, rounds.roundIds[0]! - 1n);
    expect(decoded.accLast).toBe(accumulate(chainStart, rounds.answers));
    expect(decoded.accLast).toBe(await accumulatorAt(stack.agent, accumulator, proof.lastRoundId));

    const submitted = await submitForecastProof(stack.agent, gate, {
      modelId: stack.forecaster.id,
      lastRoundId: proof.lastRoundId,
      calldata: proof.calldata,
    });
    proofId = submitted.proofId;
    expect(submitted.events.some((e) => e.eventName === 'ForecastProven')).toBe(true);
    const recorded = await stack.agent.publicClient.readContract({
      address: gate,
      abi: forecastProofGateAbi,
      functionName: 'provenForecast',
      args: [stack.forecaster.id, proofId],
    });
    expect(BigInt(recorded.output0)).toBe(proof.outputs[0]);
    expect(BigInt(recorded.output1)).toBe(proof.outputs[1]);

    const { vault } = stack.addresses;
    const owner = stack.agentAccount.address;
    const bound = await zkMaxDebt(stack.agent, vault, { owner, modelId: stack.forecaster.id, proofId });
    expect(bound).toBeGreaterThan(20n * 10n ** 18n);
    const before = {
      ...(await readPosition(stack.agent, vault, owner)),
      mintNonce: await readMintNonce(stack.agent, vault, owner),
    };
    const minted = await mintWithProof(stack.agent, vault, {
      amount: 20n * 10n ** 18n,
      modelId: stack.forecaster.id,
      intentId: intent('mint-1'),
      proofId,
      nonce: before.mintNonce,
    });
    expect(minted.events.some((e) => e.eventName === 'MintedWithProof')).toBe(true);
    const after = await readPosition(stack.agent, vault, owner);
    expect(after.debt - before.debt).toBe(20n * 10n ** 18n);
    // The landed mint moved the position's mint nonce on by one.
    expect(await readMintNonce(stack.agent, vault, owner)).toBe(before.mintNonce + 1n);

    // Above the proven bound: refused by the vault's risk rule before the guard is asked.
    const over = await refusal(
      mintWithProof(stack.agent, vault, {
        amount: bound - after.debt + 1n,
        modelId: stack.forecaster.id,
        intentId: intent('mint-over'),
        proofId,
        nonce: before.mintNonce + 1n,
      }),
    );
    expect(over.errorName).toBe('ZkSizeExceeded');
  }, 60_000);

  test('a replayed proof is refused (ZkProofAlreadyUsed)', async () => {
    const e = await refusal(
      submitForecastProof(stack.agent, gate, {
        modelId: stack.forecaster.id,
        lastRoundId: proof.lastRoundId,
        calldata: proof.calldata,
      }),
    );
    expect(e.errorName).toBe('ZkProofAlreadyUsed');
  });

  test('weights that are not the registered model are refused (ZkCommitmentMismatch)', async () => {
    // Same architecture (same circuit, same keys), other weights: a ridge trained on another window.
    const other = trainForecaster({
      features: oracleDatasetFeatures('wti-daily', { scaleBits: 20 }),
      kind: 'ridge',
      trainEnd: '2018-12-31',
      window: 2520,
      seed: 42,
      scaleBits: 20,
    }).model;
    const rounds = await latestRounds(stack.agent, stack.addresses.feeds.WTI, 21);
    const accPrev = await accumulatorAt(stack.agent, accumulator, rounds.roundIds[0]! - 1n);
    const forged = await prove(art, other, { answers: rounds.answers, accPrev });
    const e = await refusal(
      submitForecastProof(stack.agent, gate, {
        modelId: stack.forecaster.id,
        lastRoundId: rounds.roundIds.at(-1)!,
        calldata: forged.calldata,
      }),
    );
    expect(e.errorName).toBe('ZkCommitmentMismatch');
  }, 30_000);

  test.each([
    ['the latest', 20],
    ['the oldest (it enters only the momentum and absolute-movement features)', 0],
  ])(
    'inputs that differ from the oracle rounds are refused (ZkAccumulatorMismatch): %s answer +0.01 USD',
    async (_, k) => {
      const rounds = await latestRounds(stack.agent, stack.addresses.feeds.WTI, 21);
      const answers = rounds.answers.map((a, i) => (i === k ? a + 1_000_000n : a));
      const accPrev = await accumulatorAt(stack.agent, accumulator, rounds.roundIds[0]! - 1n);
      const p = await prove(art, stack.forecaster.model, { answers, accPrev });
      const e = await refusal(
        submitForecastProof(stack.agent, gate, {
          modelId: stack.forecaster.id,
          lastRoundId: rounds.roundIds.at(-1)!,
          calldata: p.calldata,
        }),
      );
      expect(e.errorName).toBe('ZkAccumulatorMismatch');
      expect(e.args.roundId).toBe(rounds.roundIds.at(-1));
    },
    30_000,
  );

  test('CLI: `zk prove` proves from the chain with the registered forecaster; `zk verify` accepts it and refuses a tampered file', async () => {
    const out = join(stateDir, 'proof.json');
    const printed = await runCli(stack, ['zk', 'prove', '--out', out], 1);
    expect(printed).toContain(stack.forecaster.id);
    const file = JSON.parse(readFileSync(out, 'utf8')) as {
      outputs: string[];
      roundIds: string[];
      lastRoundId: string;
      publicSignals: string[];
    };
    expect(file.outputs).toEqual(proof.outputs.map(String));
    expect(file.roundIds).toEqual(proof.roundIds.map(String));
    expect(file.lastRoundId).toBe(proof.lastRoundId.toString());
    expect(await runCli(stack, ['zk', 'verify', out], 1)).toMatch(/proof\s+valid/);
    const tampered = join(stateDir, 'tampered.json');
    file.publicSignals[2] = (BigInt(file.publicSignals[2]!) + 1n).toString(); // the forecast
    writeFileSync(tampered, JSON.stringify(file));
    // Through main(), as the binary runs it: exit 1 (a process.exitCode set by the command was overwritten by 0).
    const errors: string[] = [];
    const logs: string[] = [];
    const { error, log } = console;
    console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
    console.log = (...parts: unknown[]) => logs.push(parts.join(' '));
    let code: number;
    try {
      code = await main(['node', 'provenant', 'zk', 'verify', tampered]);
    } finally {
      console.error = error;
      console.log = log;
    }
    expect(code).toBe(1);
    expect(logs.join('\n')).toContain('INVALID');
    expect(errors.join('\n')).toContain(
      `The proof in ${tampered} does not verify: the Groth16 proof is invalid for its public signals.`,
    );
  }, 60_000);

  test('the synth strategy with options.zk mints through vault.proveAndMint, sized within the proven bound', async () => {
    const next = WTI.find((p) => p.date === '2024-03-18')!;
    await publish(next.date, next.value);
    const wti = await latestRounds(stack.agent, stack.addresses.feeds.WTI, 21);
    const x = oracleFeaturesFixed(wti.answers, 20).map((v) => Number(v) / 2 ** 20);
    const owner = stack.agentAccount.address;
    const position = await readPosition(stack.agent, stack.addresses.vault, owner);
    const risk = { targetVolBps: 2000, maxLeverageBps: 3000, scaleBits: 20 };
    const options = parseAgentOptions({ zk: true, capitalUsd: 50_000 });
    const context = {
      epoch: 1,
      observation: {
        blockNumber: await stack.agent.publicClient.getBlockNumber({ cacheTime: 0 }),
        now: timestampOf(next.date),
        date: next.date,
        wti: wti.roundIds.map((roundId, k) => ({
          roundId,
          answer: wti.answers[k]!,
          startedAt: wti.updatedAt[k]!,
          updatedAt: wti.updatedAt[k]!,
          answeredInRound: roundId,
        })),
        decimals: 8,
        feeds: stack.addresses.feeds,
      },
      inference: {
        features: x,
        forecast: toForecast(inferFixedReal(stack.forecaster.model, x)),
        ewmaVol: 0,
        price: next.value,
      },
      options,
      agent: owner,
      policies: [],
      chainId: stack.agent.chain.id,
      portfolio: {
        collateral: position.collateral,
        debt: position.debt,
        synthBalance: 0n,
        mintNonce: await readMintNonce(stack.agent, stack.addresses.vault, owner),
      },
    } as unknown as EpochContext;
    const strategy = synthStrategy({
      vault: stack.addresses.vault,
      modelId: stack.forecaster.id,
      zk: {
        artifacts: art,
        model: stack.forecaster.model,
        risk,
        accumulatorAt: (roundId) => accumulatorAt(stack.agent, accumulator, roundId),
      },
    });
    const [intent] = await strategy.decide(context);
    expect(intent?.kind).toBe('synth-mint');
    const manifest = JSON.parse(new TextDecoder().decode(intent!.manifest!.bytes)) as {
      proof: { kind: string; maxDebt: string };
    };
    expect(manifest.proof.kind).toBe('groth16');
    const amount = BigInt(intent!.decision.amount as string);
    expect(position.debt + amount).toBeLessThanOrEqual(BigInt(manifest.proof.maxDebt));
    const sent = await sendPrepared(stack.agent, intent!.call, [syntheticVaultAbi, forecastProofGateAbi]);
    expect(sent.events.map((e) => e.eventName)).toEqual(
      expect.arrayContaining(['ForecastProven', 'MintedWithProof']),
    );
    const after = await readPosition(stack.agent, stack.addresses.vault, owner);
    expect(after.debt - position.debt).toBe(amount);
    // The TypeScript risk rule (src/zk/risk.ts) equals the vault's, on the position as it is now.
    const proven = sent.events.find((e) => e.eventName === 'ForecastProven')!.args as {
      proofId: Hex;
      forecast: bigint[];
    };
    const onChain = await zkMaxDebt(stack.agent, stack.addresses.vault, {
      owner,
      modelId: stack.forecaster.id,
      proofId: proven.proofId,
    });
    const offChain = zkMaxDebtOf({
      collateral: after.collateral,
      collateralDecimals: 6,
      answer: wti.answers.at(-1)!,
      answerDecimals: 8,
      output1: proven.forecast[1]!,
      config: risk,
    });
    expect(offChain).toBe(onChain);
  }, 60_000);

  test('a round the accumulator has not absorbed: proving refuses up front (ZkAccumulatorBehindError), or absorbs when asked', async () => {
    const next = WTI.find((p) => p.date === '2024-03-19')!;
    const at = timestampOf(next.date);
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: at });
    await stack.deployer.testClient!.mine({ blocks: 1 });
    const round = await publishNextRound(
      stack.relayer,
      { accounts: stack.reporterAccounts, spreadPpm: 0 },
      { feed: stack.addresses.feeds.WTI, answer: toAnswer(next.value, 8), observedAt: at },
    ); // published, not absorbed
    const parameters = {
      feed: stack.addresses.feeds.WTI,
      accumulator,
      artifacts: art,
      model: stack.forecaster.model,
    };
    const behind = await proveFromChain(stack.agent, parameters).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(behind?.name).toBe('ZkAccumulatorBehindError');
    expect(behind?.message).toContain(`the proof needs round ${round.roundId}`);
    const proven = await proveFromChain(stack.agent, { ...parameters, absorb: true });
    expect(proven.lastRoundId).toBe(round.roundId);
    expect(decodePublicSignals(art.layout, proven.publicSignals).accLast).toBe(
      await accumulatorAt(stack.agent, accumulator, round.roundId),
    );
  }, 60_000);

  test('a stale round is refused (ZkStaleRound)', async () => {
    // An older window of the same feed: a fresh statement (other rounds), but its last round (the round
    // the forecast is made on) older than the gate's 4 days.
    const latest = await latestRounds(stack.agent, stack.addresses.feeds.WTI, 25);
    const roundIds = latest.roundIds.slice(0, 21);
    const answers = latest.answers.slice(0, 21);
    const now = (await stack.agent.publicClient.getBlock()).timestamp;
    const staleAt = latest.updatedAt[20]! + MAX_AGE + 1n;
    if (staleAt > now) {
      await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: staleAt });
      await stack.deployer.testClient!.mine({ blocks: 1 });
    }
    const accPrev = await accumulatorAt(stack.agent, accumulator, roundIds[0]! - 1n);
    const p = await prove(art, stack.forecaster.model, { answers, accPrev });
    const e = await refusal(
      submitForecastProof(stack.agent, gate, {
        modelId: stack.forecaster.id,
        lastRoundId: roundIds.at(-1)!,
        calldata: p.calldata,
      }),
    );
    expect(e.errorName).toBe('ZkStaleRound');
    expect(e.args.roundId).toBe(roundIds.at(-1));
  }, 30_000);
});
