import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAbiParameters, formatUnits, type Hex, keccak256 } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addressLabels, openStack, type Stack, timestampOf } from '../src/agent/index.js';
import {
  type ContractRevertError,
  createClients,
  createMemoryTxStore,
  createTxManager,
  DEVNET_ROLES,
  devnetAccount,
  passProposalOnDevnet,
  policyGuardAbi,
  prepareMintSynth,
  readMintNonce,
  setLimitCall,
  syntheticVaultAbi,
  TxRevertedError,
  tightenLimit,
  toContractRevertError,
} from '../src/chain/index.js';
import { loadDataset } from '../src/data/index.js';
import {
  collectReports,
  medianOf,
  readFeedWindow,
  readRound,
  type SignedReport,
  submitRound,
  toAnswer,
} from '../src/oracle/index.js';
import {
  explainRefusal,
  POLICY_ACTIONS,
  type PolicyState,
  policyName,
  preflight,
  readPolicies,
} from '../src/policy/index.js';
import { runCli } from './cliHarness.js';

const E18 = 10n ** 18n;
const ROUNDS = 105;
const FIRST_DATE = '2019-01-02';

let stack: Stack;
let stateDir: string;
const published: { date: string; reports: SignedReport[]; value: number }[] = [];

const intent = (label: string): Hex => keccak256(encodeAbiParameters([{ type: 'string' }], [label]));
/** The nonce the agent's next mint names (each landed mint moves it on). */
const mintNonce = () => readMintNonce(stack.agent, stack.addresses.vault, stack.agentAccount.address);

async function policies(): Promise<PolicyState[]> {
  return readPolicies(stack.agent.publicClient, stack.addresses.guard, addressLabels(stack.addresses));
}

/** sWTI amounts in the explanations read as whole synth. */
const formatAmount = (p: PolicyState | undefined, amount: bigint) =>
  p?.actionLabel === 'SYNTH_MINT' ? formatUnits(amount, 18) : String(amount);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'provenant-guardrails-'));
  const wti = loadDataset('wti-daily')
    .series.points.filter((p) => p.date >= FIRST_DATE)
    .slice(0, ROUNDS);
  stack = await openStack({
    stateDir,
    statePath: null,
    trainEnd: '2018-12-31',
    forecasterKind: 'ridge',
    genesisTimestamp: timestampOf(FIRST_DATE) - 86_400n,
  });
  // Five independent reporters sign every WTI close (each with its own vendor skew); the relayer submits.
  const set = { accounts: stack.reporterAccounts, spreadPpm: 2_000 };
  for (const [i, point] of wti.entries()) {
    const at = timestampOf(point.date);
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: at });
    await stack.deployer.testClient!.mine({ blocks: 1 });
    const roundId = BigInt(i + 1);
    const reports = await collectReports(set, {
      feed: stack.addresses.feeds.WTI,
      chainId: stack.relayer.chain.id,
      roundId,
      answer: toAnswer(point.value, 8),
      observedAt: at,
    });
    await submitRound(stack.relayer, { feed: stack.addresses.feeds.WTI, roundId, reports });
    published.push({ date: point.date, reports, value: point.value });
  }
}, 180_000);

afterAll(async () => {
  await stack?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe('MedianOracle through AggregatorV3Interface', () => {
  test('default: a consumer reads exactly the median of what the 5 reporters signed, for every round', async () => {
    expect(published.length).toBeGreaterThanOrEqual(100);
    const window = await readFeedWindow(stack.agent.publicClient, stack.addresses.feeds.WTI, ROUNDS);
    expect(window.map((r) => r.roundId)).toEqual(published.map((_, i) => BigInt(i + 1)));
    let medianDiffersFromEveryMean = 0;
    for (const [i, round] of window.entries()) {
      const signed = published[i]!.reports.map((r) => r.answer);
      expect(signed).toHaveLength(5);
      expect(round.answer).toBe(medianOf(signed));
      // startedAt and updatedAt: both the oldest observation signed (the data's time, not the relay's).
      expect(round.startedAt).toBe(timestampOf(published[i]!.date));
      expect(round.updatedAt).toBe(round.startedAt);
      expect(round.answeredInRound).toBe(round.roundId);
      const mean = signed.reduce((a, b) => a + b, 0n) / 5n;
      if (mean !== round.answer) medianDiffersFromEveryMean++;
    }
    // The skew makes the reports disagree, so the median is a real choice, not the only value.
    expect(medianDiffersFromEveryMean).toBeGreaterThan(ROUNDS / 2);
    const r50 = await readRound(stack.agent.publicClient, stack.addresses.feeds.WTI, 50n);
    expect(r50.answer).toBe(medianOf(published[49]!.reports.map((r) => r.answer)));
    expect(r50.answeredInRound).toBe(50n);
  });
});

describe('PolicyGuard on the agent key', () => {
  test('behavior: a mint within the cap passes; one above it is mined, reverts, and preflight names the same error and values', async () => {
    const { agent, addresses } = stack;
    const modelId = stack.forecaster.id;
    const ok = preflightMint(1_000n * E18, 'within');
    expect((await ok).ok).toBe(true);
    const tx = createTxManager({ clients: agent, account: stack.agentAccount, store: createMemoryTxStore() });
    const within = prepareMintSynth(addresses.vault, {
      amount: 1_000n * E18,
      modelId,
      intentId: intent('within'),
      nonce: await mintNonce(),
    });
    const sent = await tx.send({
      key: intent('within'),
      label: within.label,
      to: within.to,
      data: within.data,
    });
    expect(sent.receipt.status).toBe('success');

    // 600 more would make 1,600 > the 1,500/day cap: the policy has 500 left.
    const above = prepareMintSynth(addresses.vault, {
      amount: 600n * E18,
      modelId,
      intentId: intent('above'),
      nonce: await mintNonce(),
    });
    const before = await preflightMint(600n * E18, 'above');
    expect(before.ok).toBe(false);
    let onChain: ContractRevertError | undefined;
    let receiptStatus: string | undefined;
    try {
      await tx.send({
        key: intent('above'),
        label: above.label,
        to: above.to,
        data: above.data,
        gas: 400_000n,
      });
    } catch (error) {
      expect(error).toBeInstanceOf(TxRevertedError);
      onChain = (error as TxRevertedError).revert;
      receiptStatus = (error as TxRevertedError).receipt?.status;
    }
    expect(receiptStatus).toBe('reverted');
    expect(onChain?.errorName).toBe('PolicyMintCapExceeded');
    const current = await policies();
    const mintPolicy = current.find((p) => policyName(p) === 'sWTI vault/SYNTH_MINT')!;
    expect(onChain?.args).toEqual({
      policyId: mintPolicy.policyId,
      requested: 600n * E18,
      remaining: 500n * E18,
    });
    if (before.ok) throw new Error('unreachable');
    expect(before.refusal.errorName).toBe(onChain?.errorName);
    expect(before.refusal.args).toEqual(onChain?.args);
    const fromRevert = explainRefusal(onChain!, { policies: current, formatAmount });
    expect(before.refusal.sentence).toBe(fromRevert.sentence);
    // The last round is WTI's close of 2019-06-03 (chain time 20:00 UTC): the day's allowance resets at midnight.
    expect(published.at(-1)!.date).toBe('2019-06-03');
    expect(before.refusal.sentence).toBe(
      "Refused by policy 'sWTI vault/SYNTH_MINT': requested 600, remaining 500 this epoch (resets at 2019-06-04T00:00:00Z).",
    );
    expect(mintPolicy.usedThisEpoch).toBe(1_000n * E18);
  });

  test('behavior: a governance proposal raises the cap end to end and the new limit is enforced', async () => {
    const { deployer, addresses } = stack;
    const change = {
      asset: addresses.vault,
      action: POLICY_ACTIONS.SYNTH_MINT,
      field: 'epochCap' as const,
      value: 2_000n * E18,
    };
    const steps: string[] = [];
    await passProposalOnDevnet(
      deployer,
      { governor: addresses.governor, timelock: addresses.timelock },
      {
        description: 'Raise the sWTI mint cap to 2,000 a day',
        calls: [setLimitCall(addresses.guard, change)],
      },
      (s) => steps.push(s),
    );
    expect(steps).toEqual(['proposed', 'voted', 'queued', 'executed']);
    const p = (await policies()).find((x) => policyName(x) === 'sWTI vault/SYNTH_MINT')!;
    expect(p.limits.epochCap).toBe(2_000n * E18);
    expect(p.usedThisEpoch).toBe(1_000n * E18); // still the same day: the proposal took ~70 minutes of chain time
    // The mint refused before now fits: 1,000 + 600 <= 2,000 …
    expect((await preflightMint(600n * E18, 'after-raise')).ok).toBe(true);
    await sendMint(600n * E18, 'after-raise');
    // … and the new cap binds: 400 left, 401 refused with the new numbers.
    const refused = await preflightMint(401n * E18, 'over-new-cap');
    if (refused.ok) throw new Error('expected a refusal');
    expect(refused.refusal.errorName).toBe('PolicyMintCapExceeded');
    expect(refused.refusal.args.remaining).toBe(400n * E18);
    expect(refused.refusal.sentence).toMatch(/requested 401, remaining 400 this epoch/);
  });

  test('behavior: the guardian tightens at once, but a loosening call reverts GuardianCannotLoosen', async () => {
    const { addresses } = stack;
    const guardian = await createClients({
      rpcUrls: [stack.devnet.rpcUrl],
      account: devnetAccount(DEVNET_ROLES.guardian),
      devnet: true,
    });
    const key = { asset: addresses.vault, action: POLICY_ACTIONS.SYNTH_MINT, field: 'epochCap' as const };
    const tightened = await tightenLimit(guardian, addresses.guard, { ...key, value: 1_800n * E18 });
    expect(tightened.events.map((e) => e.eventName)).toContain('LimitsChanged');
    const p = (await policies()).find((x) => policyName(x) === 'sWTI vault/SYNTH_MINT')!;
    expect(p.limits.epochCap).toBe(1_800n * E18);
    // Used 1,600 of 1,800: a 201 mint is now refused at once.
    const refused = await preflightMint(201n * E18, 'after-tighten');
    expect(refused.ok ? undefined : refused.refusal.args.remaining).toBe(200n * E18);

    let loosen: ContractRevertError | undefined;
    try {
      await tightenLimit(guardian, addresses.guard, { ...key, value: 5_000n * E18 });
    } catch (error) {
      loosen = toContractRevertError(error);
    }
    expect(loosen?.errorName).toBe('GuardianCannotLoosen');
    expect(loosen?.args).toEqual({
      policyId: p.policyId,
      field: 0,
      current: 1_800n * E18,
      requested: 5_000n * E18,
    });
    // Amounts in the field's unit (whole sWTI for a SYNTH_MINT cap), not wei.
    expect(explainRefusal(loosen!, { policies: await policies(), formatAmount }).sentence).toBe(
      "Refused: the guardian may only tighten policy 'sWTI vault/SYNTH_MINT'; epochCap 1800 → 5000 would loosen it (a higher epochCap is looser); loosening needs a governance proposal (provenant gov propose --set-limit).",
    );
    // The agent key can configure nothing.
    let agentTry: ContractRevertError | undefined;
    try {
      await tightenLimit(stack.agent, addresses.guard, { ...key, value: 1n });
    } catch (error) {
      agentTry = toContractRevertError(error);
    }
    expect(agentTry?.errorName).toBe('PolicyUnauthorized');
  });
});

describe('CLI on the same chain', () => {
  test('policy show --json lists the 5 policies with usage and reset time', async () => {
    const out = await runCli(stack, ['policy', 'show', '--json'], DEVNET_ROLES.deployer);
    const rows = JSON.parse(out) as {
      policy: string;
      used: string;
      resetsAt: string;
      limits: Record<string, string>;
    }[];
    expect(rows.map((r) => r.policy)).toEqual([
      'sWTI vault/SYNTH_MINT',
      'sXAU vault/SYNTH_MINT',
      'sWTI/USD pool/SET_FEE',
      'Market Art NFT/MINT',
      'Market Art NFT/UPDATE',
    ]);
    const swti = rows[0]!;
    expect(swti.limits.epochCap).toBe('1800');
    expect(swti.used).toBe('1600');
    expect(swti.resetsAt).toMatch(/^\d{4}-\d\d-\d\dT00:00:00Z$/);
  });

  test('gov propose|vote|queue|execute --advance changes a limit; gov status reports it executed', async () => {
    const propose = await runCli(
      stack,
      [
        'gov',
        'propose',
        '--set-limit',
        'sWTI/SYNTH_MINT',
        'rateLimit',
        '4',
        '--description',
        'Four sWTI mints a day',
        '--advance',
        '--json',
      ],
      DEVNET_ROLES.deployer,
    );
    const { id } = JSON.parse(propose) as { id: string };
    // Below the proposal threshold (1,000 votes): a key without votes cannot propose at all.
    await expect(
      runCli(
        stack,
        ['gov', 'propose', '--set-limit', 'sWTI/SYNTH_MINT', 'rateLimit', '3', '--description', 'spam'],
        DEVNET_ROLES.user0,
      ),
    ).rejects.toThrow(/GovernorInsufficientProposerVotes/);
    await runCli(stack, ['gov', 'vote', id, '--advance'], DEVNET_ROLES.deployer);
    await runCli(stack, ['gov', 'queue', id, '--advance'], DEVNET_ROLES.deployer);
    await runCli(stack, ['gov', 'execute', id], DEVNET_ROLES.deployer);
    const status = JSON.parse(
      await runCli(stack, ['gov', 'status', id, '--json'], DEVNET_ROLES.deployer),
    ) as { state: string };
    expect(status.state).toBe('Executed');
    const p = (await policies()).find((x) => policyName(x) === 'sWTI vault/SYNTH_MINT')!;
    expect(p.limits.rateLimit).toBe(4n);
  });

  test('policy pause|tighten (guardian) act at once; a stranger is refused; only `gov propose --unpause` lifts the pause', async () => {
    const isPaused = (asset: `0x${string}`) =>
      stack.agent.publicClient.readContract({
        address: stack.addresses.guard,
        abi: policyGuardAbi,
        functionName: 'isPaused',
        args: [asset],
      });
    // A key that is not the guardian cannot pause.
    await expect(runCli(stack, ['policy', 'pause', 'nft'], DEVNET_ROLES.user0)).rejects.toThrow(
      /PolicyUnauthorized/,
    );
    expect(await isPaused(stack.addresses.nft)).toBe(false);

    const paused = await runCli(stack, ['policy', 'pause', 'nft'], DEVNET_ROLES.guardian);
    expect(paused).toContain('paused');
    expect(await isPaused(stack.addresses.nft)).toBe(true);
    expect(await isPaused(stack.addresses.vault)).toBe(false);

    // Tightening is immediate; the same command cannot loosen.
    await runCli(stack, ['policy', 'tighten', 'nft/UPDATE', 'rateLimit', '1'], DEVNET_ROLES.guardian);
    const update = (await policies()).find((x) => policyName(x) === 'Market Art NFT/UPDATE')!;
    expect(update.limits.rateLimit).toBe(1n);
    await expect(
      runCli(stack, ['policy', 'tighten', 'nft/UPDATE', 'rateLimit', '2'], DEVNET_ROLES.guardian),
    ).rejects.toThrow(/GuardianCannotLoosen/);

    const proposed = JSON.parse(
      await runCli(stack, ['gov', 'propose', '--unpause', 'nft', '--pass', '--json'], DEVNET_ROLES.deployer),
    ) as { state: string };
    expect(proposed.state).toBe('Executed');
    expect(await isPaused(stack.addresses.nft)).toBe(false);
    await expect(runCli(stack, ['gov', 'propose', '--json'], DEVNET_ROLES.deployer)).rejects.toThrow(
      /exactly one change/,
    );
  });
});

// Last: this moves the chain's clock two days ahead (the oracle is stale afterwards).
describe('time between preflight and mining', () => {
  test('a look-ahead preflight refuses a mint whose oracle round expires before it would be mined', async () => {
    const call = prepareMintSynth(stack.addresses.vault, {
      amount: 1n * E18,
      modelId: stack.forecaster.id,
      intentId: intent('look-ahead'),
      nonce: await mintNonce(),
    });
    const at = { from: stack.agentAccount.address, to: call.to, data: call.data };
    const context = { policies: await policies(), formatAmount };
    expect((await preflight(stack.agent.publicClient, at, context)).ok).toBe(true);
    expect((await preflight(stack.agent.publicClient, at, context, { lookAheadSeconds: 60 })).ok).toBe(true);
    const ahead = await preflight(stack.agent.publicClient, at, context, { lookAheadSeconds: 2 * 86_400 });
    expect(ahead.ok).toBe(false);
    if (ahead.ok) return;
    expect(ahead.refusal.errorName).toBe('OracleStaleRound');
    expect(ahead.refusal.sentence).toMatch(/, if mined 172800 s from now\.$/);
  });

  test('a transaction that reverts only at its block time is explained by the transaction manager', async () => {
    const tx = createTxManager({
      clients: stack.agent,
      account: stack.agentAccount,
      store: createMemoryTxStore(),
    });
    const call = prepareMintSynth(stack.addresses.vault, {
      amount: 1n * E18,
      modelId: stack.forecaster.id,
      intentId: intent('mined-late'),
      nonce: await mintNonce(),
    });
    const gas = await stack.agent.publicClient.estimateGas({
      account: stack.agentAccount.address,
      to: call.to,
      data: call.data,
    });
    const { timestamp } = await stack.agent.publicClient.getBlock();
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: timestamp + 2n * 86_400n });
    let error: unknown;
    try {
      await tx.send({
        key: intent('mined-late'),
        label: call.label,
        to: call.to,
        data: call.data,
        gas: (gas * 5n) / 4n,
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeDefined();
    expect(String((error as Error).message)).toContain('OracleStaleRound');
  });
});

// After the two tests above (the clock is past the last close by two days and more).
describe('old observations relayed late (audit 2, F3)', () => {
  test('a round of observations older than the vault allows is refused even though it was just relayed', async () => {
    const client = stack.agent.publicClient;
    const feed = stack.addresses.feeds.WTI;
    const [last] = await readFeedWindow(client, feed, 1);
    const risk = await client.readContract({
      address: stack.addresses.vault,
      abi: syntheticVaultAbi,
      functionName: 'riskParams',
    });
    const maxAge = BigInt(risk.maxOracleAge);
    // Relay, an hour past the vault's limit, reports observed at the last round's time: within the
    // feed's 7-day heartbeat (so the oracle accepts them) and not older than the previous round.
    const relayAt = last!.updatedAt + maxAge + 3_600n;
    const { timestamp } = await client.getBlock();
    if (timestamp < relayAt) {
      await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: relayAt });
      await stack.deployer.testClient!.mine({ blocks: 1 });
    }
    const roundId = last!.roundId + 1n;
    const reports = await collectReports(
      { accounts: stack.reporterAccounts, spreadPpm: 0 },
      { feed, chainId: stack.relayer.chain.id, roundId, answer: last!.answer, observedAt: last!.updatedAt },
    );
    await submitRound(stack.relayer, { feed, roundId, reports });
    const round = await readRound(client, feed, roundId);
    expect(round.updatedAt).toBe(last!.updatedAt); // the data's time, not the relay block's
    const result = await preflightMint(1n * E18, 'old-observations');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal.errorName).toBe('OracleStaleRound');
    expect(result.refusal.args.updatedAt).toBe(last!.updatedAt);
    expect(result.refusal.args.roundId).toBe(roundId);
  });
});

async function preflightMint(amount: bigint, label: string) {
  const call = prepareMintSynth(stack.addresses.vault, {
    amount,
    modelId: stack.forecaster.id,
    intentId: intent(label),
    nonce: await mintNonce(),
  });
  return preflight(
    stack.agent.publicClient,
    { from: stack.agentAccount.address, to: call.to, data: call.data },
    { policies: await policies(), formatAmount },
  );
}

async function sendMint(amount: bigint, label: string) {
  const tx = createTxManager({
    clients: stack.agent,
    account: stack.agentAccount,
    store: createMemoryTxStore(),
  });
  const call = prepareMintSynth(stack.addresses.vault, {
    amount,
    modelId: stack.forecaster.id,
    intentId: intent(label),
    nonce: await mintNonce(),
  });
  return tx.send({ key: intent(label), label: call.label, to: call.to, data: call.data });
}
