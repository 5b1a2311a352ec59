/**
 * The operator's and the auditor's journey on a Chainlink-style proxy feed (session 8 review): what
 * `agent check` and `audit verify` say about the journal's on-chain anchors after a rewrite re-signed with
 * the agent's key, what `audit verify --json` reports as its verdict, and how the proxy's 20-digit round
 * ids are named. Real anvil with the whole suite on a proxy WTI feed (`openStack({ wtiFeed:
 * 'chainlink-proxy' })`), the real JournalAnchor, a real SQLite journal edited with raw SQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  anchorJournalHead,
  attestJournalHead,
  checkAgentReadiness,
  deployNextWtiAggregator,
  type Journal,
  journalPath,
  openJournal,
  openStack,
  type ReadinessReport,
  type Stack,
  switchWtiProxy,
  timestampOf,
} from '../src/agent/index.js';
import type { SynthManifest } from '../src/agent/verifySynth/manifest.js';
import type { SynthVerifyDependencies } from '../src/agent/verifySynth/types.js';
import { zkCommitmentCheck } from '../src/agent/verifySynth/zkSignalChecks.js';
import { DEVNET_MNEMONIC, DEVNET_ROLES } from '../src/chain/index.js';
import { feedUpgradeLines } from '../src/cli/commands/demoSummary.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';
import { absorbRounds, zkCommitment, zkCommitmentHex } from '../src/zk/index.js';
import { runCli } from './fixtures/cli.js';
import { rewriteEntry } from './fixtures/journal.js';
import { journalTxManager } from './fixtures/replayAgent.js';

let stack: Stack;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-s8-journey-'));
  stack = await openStack({
    stateDir: dir,
    statePath: null,
    trainEnd: '2020-04-17',
    forecasterKind: 'ridge',
    genesisTimestamp: timestampOf('2020-04-20'),
    wtiFeed: 'chainlink-proxy',
    // WTI's close of 2020-04-21 (EIA), phase 1's round 1: the proxy's id is 1 << 64 | 1.
    wtiFirstRound: { timestamp: timestampOf('2020-04-21'), wti: 8.91 },
  });
}, 240_000);
afterAll(async () => {
  await stack?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const readiness = () =>
  checkAgentReadiness({ clients: stack.agent, agent: stack.agentAccount.address, stateDir: dir });
const byName = (r: ReadinessReport, name: string) => r.checks.find((c) => c.name === name);
const audit = (...flags: string[]) =>
  runCli(['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, 'audit', 'verify', ...flags]);

/** Appends `n` decision entries and signs the head with the agent's key, as every epoch does. */
async function epochs(journal: Journal, n: number): Promise<void> {
  for (let i = 0; i < n; i++) journal.append({ kind: 'decision', payload: { round: String(i + 1) } });
  await attestJournalHead(journal, stack.agentAccount);
}

describe('agent check on a proxy feed', () => {
  test('behavior: the oracle line names the proxy round as its phase and aggregator round', async () => {
    const r = await readiness();
    expect(byName(r, 'oracle')?.detail).toMatch(/^round 18446744073709551617 \(phase 1 #1\): 8\.9\d* USD, /);
  }, 60_000);
});

describe('agent check --agent', () => {
  test('behavior: checks an address on an endpoint with no key in the environment (every check reads)', async () => {
    const saved = process.env.PROVENANT_PRIVATE_KEY;
    delete process.env.PROVENANT_PRIVATE_KEY;
    try {
      const args = ['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, 'agent', 'check'];
      const keyless = await runCli(args);
      expect(keyless.code).toBe(1);
      expect(keyless.err).toContain('No signer key');
      const address = stack.agentAccount.address;
      const checked = await runCli([...args, '--agent', address, '--json']);
      expect(checked.code, checked.err).toBe(0);
      expect(JSON.parse(checked.out)).toMatchObject({ ok: true, agent: address });
      const bad = await runCli([...args, '--agent', '0x123']);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain("--agent '0x123' is not an address.");
    } finally {
      if (saved !== undefined) process.env.PROVENANT_PRIVATE_KEY = saved;
    }
  }, 60_000);
});

describe('journal anchors: agent check and audit verify agree', () => {
  test('error: a rewrite before an anchored seq, re-signed with the agent key, fails agent check and the --json verdict', async () => {
    const path = journalPath(dir);
    const journal = openJournal(path);
    const tx = journalTxManager(stack, journal);
    const anchor = async (epoch: number) => {
      const outcome = await anchorJournalHead({
        journal,
        tx,
        publicClient: stack.agent.publicClient,
        contract: stack.addresses.journalAnchor,
        epoch,
        everyEpochs: 24,
      });
      if (outcome.status !== 'anchored') throw new Error(`not anchored: ${outcome.status}`);
      await attestJournalHead(journal, stack.agentAccount);
      return outcome;
    };
    await epochs(journal, 4);
    const first = await anchor(24);
    // A decision between the two anchors (not an anchor's own tx entries, which the side tables mirror).
    const target = journal.head().seq + 2;
    await epochs(journal, 4);
    const second = await anchor(48);
    await epochs(journal, 3);
    const head = journal.head().seq;
    journal.close();

    // Intact: both anchors match; the audit names the stretch after the latest anchor, held only by the
    // signed head (a key holder could rewrite it unseen until the next anchor).
    const before = await readiness();
    expect(byName(before, 'anchors')).toMatchObject({
      status: 'ok',
      detail: `2 on-chain anchor(s) match the journal, latest seq ${second.seq} (JournalAnchor ${stack.addresses.journalAnchor})`,
    });
    const ok = await audit();
    expect(ok.code, ok.out + ok.err).toBe(0);
    expect(ok.out).toContain(
      `✓ on-chain anchors: 2, latest seq ${second.seq} (block ${second.blockNumber}); entries ${second.seq + 1}..${head} are not anchored yet (held by the signed head only, until the next anchor)`,
    );
    expect(JSON.parse((await audit('--json')).out)).toMatchObject({ ok: true, chainOk: true });

    // Rewritten between the two anchors and re-hashed, not re-signed: the signed head fails; the JSON
    // verdict is the exit code's, not the hash chain's alone.
    expect(target).toBeLessThan(second.seq);
    rewriteEntry(path, target);
    const unsigned = await audit('--json');
    expect(unsigned.code).toBe(1);
    expect(JSON.parse(unsigned.out)).toMatchObject({
      ok: false,
      chainOk: true,
      attestation: { status: 'invalid' },
    });

    // Re-signed with the agent's key: chain and signed head pass, the anchors do not, and they say where.
    const resigned = openJournal(path);
    await attestJournalHead(resigned, stack.agentAccount);
    resigned.close();
    const where = `the journal was rewritten in entries ${first.seq + 1}..${second.seq} (the anchor at seq ${first.seq} still matches) after it was anchored`;
    const after = await readiness();
    expect(after.ok).toBe(false);
    expect(byName(after, 'journal')?.status).toBe('ok');
    const anchors = byName(after, 'anchors');
    expect(anchors?.status).toBe('fail');
    expect(anchors?.detail).toContain(
      `anchor at seq ${second.seq} (block ${second.blockNumber}) holds ${second.head}`,
    );
    expect(anchors?.detail).toContain(where);
    expect(anchors?.fix).toContain('Do not run the agent on this journal');
    const bad = await audit('--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({
      ok: false,
      chainOk: true,
      attestation: { status: 'attested' },
      anchors: { status: 'mismatch', matchedUpTo: first.seq, first: { seq: second.seq } },
    });
    expect((await audit()).err).toContain(where);

    // `agent run` refuses it before appending anything: it would otherwise run on the rewrite and anchor it.
    const saved = process.env.PROVENANT_PRIVATE_KEY;
    process.env.PROVENANT_PRIVATE_KEY = toHex(
      mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: DEVNET_ROLES.agent }).getHdKey().privateKey!,
    );
    try {
      const ran = await runCli([
        '--rpc-url',
        stack.devnet.rpcUrl,
        '--state-dir',
        dir,
        'agent',
        'run',
        '--once',
      ]);
      expect(ran.code).toBe(1);
      expect(ran.err).toContain(`does not match its on-chain anchors`);
      expect(ran.err).toContain('The agent did not start and appended nothing.');
    } finally {
      if (saved === undefined) delete process.env.PROVENANT_PRIVATE_KEY;
      else process.env.PROVENANT_PRIVATE_KEY = saved;
    }
    const untouched = openJournal(path, { readonly: true });
    expect(untouched.head().seq).toBe(head);
    untouched.close();
  }, 120_000);
});

describe('demo summary: the aggregator upgrade', () => {
  /** Publishes a WTI close (EIA) as the next round of `feed`, observed at that day's close. */
  async function publish(feed: Hex, date: string, close: number): Promise<void> {
    const at = timestampOf(date);
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: at });
    await stack.deployer.testClient!.mine({ blocks: 1 });
    await publishNextRound(
      stack.relayer,
      { accounts: stack.reporterAccounts, spreadPpm: 0 },
      { feed, answer: toAnswer(close, 8), observedAt: at },
    );
  }

  test('behavior: names where phase 1 ended and phase 2 began, and how many zk proofs span it', async () => {
    const client = stack.agent.publicClient;
    const accumulator = stack.addresses.zkAccumulator as Hex;
    const P1 = 1n << 64n;
    const P2 = 2n << 64n;
    await publish(stack.wtiPublishTarget, '2020-04-22', 13.78);
    await absorbRounds(stack.relayer, accumulator, P1 | 2n);
    // No upgrade yet: nothing to say.
    expect(await feedUpgradeLines(client, stack.addresses)).toEqual([]);

    const next = await deployNextWtiAggregator(stack);
    await publish(next.aggregator, '2020-04-23', 16.5);
    await switchWtiProxy(stack, next.aggregator);
    await absorbRounds(stack.relayer, accumulator, P2 | 1n);
    const lines = await feedUpgradeLines(client, stack.addresses);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^WTI aggregator upgrade: phase 1 #2 \(2020-04-22\) was phase 1's last round, phase 2 #1 \(2020-04-23\) phase 2's first; the zk accumulator bridged them \(block \d+\); 0 zk proof\(s\) on windows spanning the upgrade$/,
    );
  }, 120_000);
});

describe('verify --synth: zk-commitment', () => {
  test('behavior: printed as the bytes32 hex the registry, `zk info` and `model show` print', async () => {
    const { model, id } = stack.forecaster;
    const hex = zkCommitmentHex(model);
    const checks: { name: string; ok: boolean; expected?: unknown; actual?: unknown }[] = [];
    await zkCommitmentCheck(
      { model: { id } } as SynthManifest,
      model,
      { commitment: zkCommitment(model) } as Parameters<typeof zkCommitmentCheck>[2],
      { client: stack.agent.publicClient, registry: stack.addresses.registry } as SynthVerifyDependencies,
      (name, ok, expected, actual) => {
        checks.push({ name, ok, expected, actual });
        return ok;
      },
    );
    expect(checks).toEqual([
      {
        name: 'zk-commitment',
        ok: true,
        expected: `registry ${hex}, model file ${hex}`,
        actual: `proven ${hex}`,
      },
    ]);
  }, 60_000);
});
