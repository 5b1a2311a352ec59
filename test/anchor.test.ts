/**
 * On-chain anchors of the journal head (src/agent/journal/anchor.ts, contracts/src/provenance/JournalAnchor.sol):
 * the agent anchors the head it signed every N epochs through its tx manager, exactly once across a
 * SIGKILL at any point of the send, and `audit verify` checks every `JournalAnchored` log against the
 * journal — which catches a rewrite re-signed with the agent's own key, as the signed head cannot. Real
 * anvil, the real contract deployed by `deployPlan` (so the state dir has a deployment manifest), real
 * SQLite journals edited with raw SQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Address } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ANCHOR_INTENT_KIND,
  anchorIntents,
  anchorJournalHead,
  attestJournalHead,
  checkJournalAttestation,
  type Journal,
  journalPath,
  openJournal,
  parseAgentOptions,
  readJournalAnchors,
} from '../src/agent/index.js';
import {
  createClients,
  createTxManager,
  type Devnet,
  deployPlan,
  devnetAccount,
  journalAnchorAbi,
  type ProvenantClients,
  startDevnet,
} from '../src/chain/index.js';
import { runCli } from './fixtures/cli.js';
import { rewriteEntry } from './fixtures/journal.js';

let devnet: Devnet;
let deployer: ProvenantClients;
let anchorContract: Address;
let stateDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  devnet = await startDevnet();
  deployer = await createClients({ rpcUrls: [devnet.rpcUrl], account: devnetAccount(0), devnet: true });
  stateDir = tempDir();
  const plan = await deployPlan(deployer, stateDir, [
    { name: 'JournalAnchor', contract: 'JournalAnchor', args: () => [] },
  ]);
  anchorContract = plan.outcomes[0]!.address;
});
afterAll(async () => {
  await devnet?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-anchor-'));
  dirs.push(dir);
  return dir;
}

/** A journal with `decisions` entries, its head signed by devnet account `index`. */
async function agentJournal(path: string, index: number, decisions: number): Promise<Journal> {
  const journal = openJournal(path);
  for (let i = 0; i < decisions; i++) journal.append({ kind: 'decision', payload: { round: String(i + 1) } });
  await attestJournalHead(journal, devnetAccount(index));
  return journal;
}

async function agentRuntime(index: number, journal: Journal) {
  const account = devnetAccount(index);
  const clients = await createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
  const tx = createTxManager({ clients, account, store: journal.txStore(), pollIntervalMs: 20 });
  return { account, clients, tx };
}

const lastSeq = (agent: Address) =>
  deployer.publicClient.readContract({
    address: anchorContract,
    abi: journalAnchorAbi,
    functionName: 'lastSeq',
    args: [agent],
  });

describe('agent.journalAnchorEveryEpochs', () => {
  test('default: 24; 0 and null turn anchoring off', () => {
    expect(parseAgentOptions({}).journalAnchorEveryEpochs).toBe(24);
    expect(parseAgentOptions({ journalAnchorEveryEpochs: 0 }).journalAnchorEveryEpochs).toBe(0);
    expect(parseAgentOptions({ journalAnchorEveryEpochs: null }).journalAnchorEveryEpochs).toBe(null);
    expect(parseAgentOptions({ journalAnchorEveryEpochs: 7 }).journalAnchorEveryEpochs).toBe(7);
  });

  test('behavior: a negative, fractional or non-number value is refused and named', () => {
    for (const value of [-1, 1.5, '24', 100_001])
      expect(() => parseAgentOptions({ journalAnchorEveryEpochs: value })).toThrow(
        expect.objectContaining({
          metaMessages: [expect.stringMatching(/^- agent\.journalAnchorEveryEpochs: /)],
        }),
      );
  });
});

describe('anchorJournalHead', () => {
  test('default: anchors the signed head every N epochs, journalled like any transaction', async () => {
    const journal = await agentJournal(join(tempDir(), 'journal.sqlite'), 20, 5);
    const { account, clients, tx } = await agentRuntime(20, journal);
    const step = (epoch: number) =>
      anchorJournalHead({
        journal,
        tx,
        publicClient: clients.publicClient,
        contract: anchorContract,
        epoch,
        everyEpochs: 3,
      });
    expect((await step(1)).status).toBe('not-due');
    expect((await step(2)).status).toBe('not-due');
    const signed = journal.head();
    const first = await step(3);
    expect(first).toMatchObject({ status: 'anchored', seq: signed.seq, head: signed.hash, resumed: false });
    if (first.status !== 'anchored') throw new Error('unreachable');
    expect(await lastSeq(account.address)).toBe(BigInt(signed.seq));
    // The whole transaction: 21,000 + calldata + a zero-to-non-zero slot and the event.
    expect(first.gasUsed).toBeGreaterThan(40_000n);
    expect(first.gasUsed).toBeLessThan(50_000n);
    // Journalled: the intent (confirmed), the tx manager's `tx` and `receipt` entries under its key.
    const [intent] = anchorIntents(journal);
    expect(intent).toMatchObject({ key: first.key, kind: ANCHOR_INTENT_KIND, status: 'confirmed', epoch: 3 });
    expect(journal.entries({ kind: 'receipt', key: first.key })).toHaveLength(1);
    expect(journal.entries({ kind: 'tx', key: first.key }).length).toBeGreaterThan(0);
    expect(journal.verify().ok).toBe(true);

    await attestJournalHead(journal, account);
    expect((await step(4)).status).toBe('not-due');
    expect((await step(5)).status).toBe('not-due');
    const signedAgain = journal.head();
    const second = await step(6);
    expect(second).toMatchObject({ status: 'anchored', seq: signedAgain.seq, head: signedAgain.hash });
    if (second.status !== 'anchored') throw new Error('unreachable');
    expect(second.gasUsed).toBeLessThan(first.gasUsed);
    const logs = await readJournalAnchors(clients.publicClient, anchorContract, [account.address]);
    expect(logs.map((l) => [l.seq, l.head])).toEqual([
      [first.seq, first.head],
      [second.seq, second.head],
    ]);
    journal.close();
  });

  test('behavior: off with 0 or null, and on a deployment without the contract', async () => {
    const journal = await agentJournal(join(tempDir(), 'journal.sqlite'), 21, 2);
    const { clients, tx } = await agentRuntime(21, journal);
    const base = { journal, tx, publicClient: clients.publicClient, epoch: 100 };
    expect(await anchorJournalHead({ ...base, contract: anchorContract, everyEpochs: 0 })).toEqual({
      status: 'disabled',
    });
    expect(await anchorJournalHead({ ...base, contract: anchorContract, everyEpochs: null })).toEqual({
      status: 'disabled',
    });
    expect(await anchorJournalHead({ ...base, contract: undefined, everyEpochs: 24 })).toEqual({
      status: 'no-contract',
    });
    expect(anchorIntents(journal)).toEqual([]);
    journal.close();
  });

  test('behavior: the chain already past the head (a journal restored from an older copy) sends nothing', async () => {
    const journal = await agentJournal(join(tempDir(), 'journal.sqlite'), 22, 2);
    const { account, clients, tx } = await agentRuntime(22, journal);
    // The same key anchored seq 50 from another copy of the journal.
    const hash = await clients.walletClient.writeContract({
      address: anchorContract,
      abi: journalAnchorAbi,
      functionName: 'anchor',
      args: [50n, `0x${'ab'.repeat(32)}`],
      account,
      chain: clients.chain,
    });
    await clients.publicClient.waitForTransactionReceipt({ hash });
    const nonce = await clients.publicClient.getTransactionCount({ address: account.address });
    const outcome = await anchorJournalHead({
      journal,
      tx,
      publicClient: clients.publicClient,
      contract: anchorContract,
      epoch: 24,
      everyEpochs: 24,
    });
    expect(outcome).toMatchObject({ status: 'skipped', onChainSeq: 50 });
    expect(await clients.publicClient.getTransactionCount({ address: account.address })).toBe(nonce);
    expect(anchorIntents(journal)[0]?.status).toBe('refused');
    journal.close();
  });

  for (const [index, crashAt] of [
    [23, 'before-send'],
    [24, 'after-reserve'],
    [25, 'after-sign'],
    [26, 'after-broadcast'],
  ] as const)
    test(`behavior: SIGKILL ${crashAt} — the restarted agent anchors exactly once`, async () => {
      const path = join(tempDir(), 'journal.sqlite');
      (await agentJournal(path, index, 4)).close();
      const signal = await runChild({
        rpcUrl: devnet.rpcUrl,
        journalPath: path,
        accountIndex: index,
        contract: anchorContract,
        epoch: 24,
        everyEpochs: 24,
        crashAt,
      });
      expect(signal).toBe('SIGKILL');
      // The restart: the journal as the killed process left it, a new tx manager, recovery first.
      const journal = openJournal(path, { requireIntact: true });
      const [pending] = anchorIntents(journal);
      expect(pending?.status).toBe('decided');
      const { account, clients, tx } = await agentRuntime(index, journal);
      await tx.recover();
      // Not due at the next epoch, but the unsettled anchor is finished first, under its own key.
      const outcome = await anchorJournalHead({
        journal,
        tx,
        publicClient: clients.publicClient,
        contract: anchorContract,
        epoch: 25,
        everyEpochs: 24,
      });
      expect(outcome).toMatchObject({ status: 'anchored', resumed: true, seq: pending!.payload.seq });
      const logs = await readJournalAnchors(clients.publicClient, anchorContract, [account.address]);
      expect(logs.map((l) => l.seq)).toEqual([pending!.payload.seq]);
      expect(await clients.publicClient.getTransactionCount({ address: account.address })).toBe(1);
      expect(anchorIntents(journal).map((r) => r.status)).toEqual(['confirmed']);
      // A further epoch sends nothing more.
      expect(
        (
          await anchorJournalHead({
            journal,
            tx,
            publicClient: clients.publicClient,
            contract: anchorContract,
            epoch: 26,
            everyEpochs: 24,
          })
        ).status,
      ).toBe('not-due');
      expect(journal.verify().ok).toBe(true);
      journal.close();
    });
});

describe('audit verify: on-chain anchors', () => {
  test('default: every anchor matches; a rewrite re-signed with the agent key fails on the anchor', async () => {
    const dir = stateDir;
    const path = journalPath(dir);
    const journal = await agentJournal(path, 27, 6);
    const { account, clients, tx } = await agentRuntime(27, journal);
    const anchored = await anchorJournalHead({
      journal,
      tx,
      publicClient: clients.publicClient,
      contract: anchorContract,
      epoch: 24,
      everyEpochs: 24,
    });
    if (anchored.status !== 'anchored') throw new Error(`not anchored: ${anchored.status}`);
    await attestJournalHead(journal, account);
    journal.close();

    const ok = await runCli(['--rpc-url', devnet.rpcUrl, '--state-dir', dir, 'audit', 'verify']);
    expect(ok.err).toBe('');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(
      `✓ on-chain anchors: 1, latest seq ${anchored.seq} (block ${anchored.blockNumber})`,
    );

    // Someone with the file and the agent key rewrites entry 2 (before the anchored seq), re-hashes the
    // chain and signs the new head: the chain check and the signed head both pass.
    rewriteEntry(path, 2);
    const rewritten = openJournal(path);
    await attestJournalHead(rewritten, account);
    expect(rewritten.verify().issues).toEqual([]);
    expect((await checkJournalAttestation(rewritten, account.address)).status).toBe('attested');
    const journalHash = rewritten.entries({ fromSeq: anchored.seq, limit: 1 })[0]!.hash;
    rewritten.close();

    const bad = await runCli(['--rpc-url', devnet.rpcUrl, '--state-dir', dir, 'audit', 'verify']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('✓ signed head');
    expect(bad.out).toContain(
      `✗ on-chain anchors: seq ${anchored.seq} anchored ${anchored.head}, the journal has ${journalHash}`,
    );
    expect(bad.err).toContain('failed verification against its on-chain anchors');
    const json = await runCli(['--rpc-url', devnet.rpcUrl, '--state-dir', dir, 'audit', 'verify', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out).anchors).toMatchObject({
      status: 'mismatch',
      anchors: 1,
      first: { seq: anchored.seq, anchoredHash: anchored.head, journalHash },
    });
  });

  test('behavior: a journal whose deployment has no anchor contract says so and passes', async () => {
    const dir = tempDir();
    (await agentJournal(journalPath(dir), 28, 3)).close();
    const cli = await runCli(['--state-dir', dir, 'audit', 'verify']);
    expect(cli.code).toBe(0);
    expect(cli.out).toContain('– on-chain anchors: none (no JournalAnchor contract');
    const json = await runCli(['--state-dir', dir, 'audit', 'verify', '--json']);
    expect(JSON.parse(json.out).anchors.status).toBe('none');
  });
});

function runChild(input: {
  rpcUrl: string;
  journalPath: string;
  accountIndex: number;
  contract: Address;
  epoch: number;
  everyEpochs: number;
  crashAt: string;
}): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, '../src/agent/journal/anchorChild.fixture.ts'),
        JSON.stringify(input),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (signal === null) reject(new Error(`child exited with ${code}: ${output}`));
      else resolve(signal);
    });
  });
}
