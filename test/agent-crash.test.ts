import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, decodeFunctionData, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  agentStatus,
  type Journal,
  journalPath,
  openJournal,
  runAgentLoop,
  type Stack,
  type Strategy,
} from '../src/agent/index.js';
import {
  type CrashPoint,
  createClients,
  type Devnet,
  findFreePort,
  provenanceNFTAbi,
  RpcUnavailableError,
  readMintedLogs,
  readMintNonce,
  readPosition,
  startDevnet,
  syntheticVaultAbi,
} from '../src/chain/index.js';
import { openReplayStack } from './fixtures/chain.js';
import { type ReplayMarket, replayAgent, replayMarket, scriptedAgent } from './fixtures/replayAgent.js';

/** A recorded intent's call, decoded against the vault. */
const decodeMint = (payload: unknown) =>
  decodeFunctionData({ abi: syntheticVaultAbi, data: (payload as { data: Hex }).data });

const OPTIONS = { art: { size: 64, evolveEveryEpochs: 2, maxTokens: 4 } };

function runChild(input: {
  rpcUrl: string;
  stateDir: string;
  epoch: number;
  crashAt: CrashPoint;
  options: unknown;
}): Promise<{ signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'agentCrashChild.ts'), JSON.stringify(input)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve({ signal, output }));
  });
}

// One devnet with a state file; the agent runs in a child process that SIGKILLs itself inside the
// transaction manager, then restarts in this process, recovers and carries on.
describe('agent crash injection, anvil restart and RPC failover', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-crash-'));
  const statePath = join(dir, 'devnet-state.json');
  let stack: Stack;
  let restarted: Devnet | undefined;
  let market: ReplayMarket;
  /** The agent as a restarted `agent run` builds it, on the journal in the stack's state dir. */
  const restartedAgent = (clients = stack.agent) =>
    replayAgent(stack, { journalDir: dir, options: OPTIONS, clients });

  /** Journal and chain agree: each confirmed mint intent minted exactly once, and every on-chain mint is a confirmed intent. */
  async function expectJournalMatchesChain(journal: Journal) {
    const client = stack.agent.publicClient;
    const synth = await client.getContractEvents({
      address: stack.addresses.vault,
      abi: syntheticVaultAbi,
      eventName: 'Minted',
      fromBlock: 0n,
    });
    const art = await client.getContractEvents({
      address: stack.addresses.nft,
      abi: provenanceNFTAbi,
      eventName: 'Minted',
      fromBlock: 0n,
    });
    const confirmed = journal.intents.list({ status: 'confirmed' });
    const synthKeys = confirmed.filter((i) => i.kind === 'synth-mint').map((i) => i.key);
    const artTokens = confirmed
      .filter((i) => i.kind === 'art-mint')
      .map((i) => (i.payload as { decision: { tokenId: string } }).decision.tokenId);
    const onChainSynth = synth.map((l) => (l.args.intentId as Hex).toLowerCase());
    const onChainArt = art.map((l) => (l.args.tokenId as bigint).toString());
    expect(synthKeys.length).toBeGreaterThan(0);
    expect(new Set(onChainSynth).size).toBe(onChainSynth.length); // no intent id minted twice
    expect(new Set(onChainArt).size).toBe(onChainArt.length);
    expect([...onChainSynth].sort()).toEqual([...synthKeys].sort());
    expect([...onChainArt].sort()).toEqual([...artTokens].sort());
    expect(journal.intents.list({ status: 'sent' })).toEqual([]);
    expect(await journal.txStore().pending(stack.agent.chain.id, stack.agentAccount.address)).toEqual([]);
    expect(journal.verify().ok).toBe(true);
  }

  beforeAll(async () => {
    const opened = await openReplayStack({
      stateDir: dir,
      statePath,
      start: '2020-01-08',
      end: '2020-02-07',
      warmupDays: 70,
      trainEnd: '2020-01-01',
    });
    market = replayMarket(opened);
    stack = market.stack;
  });
  afterAll(async () => {
    await restarted?.stop();
    await stack?.close();
  });

  for (const crashAt of ['after-sign', 'after-broadcast'] as const) {
    test(`SIGKILL ${crashAt.replace('-', ' ')}: restart, recover, next epoch — no double mint, no lost intent`, async () => {
      const epoch = await market.advance();
      const child = await runChild({
        rpcUrl: stack.devnet.rpcUrl,
        stateDir: dir,
        epoch,
        crashAt,
        options: OPTIONS,
      });
      expect(child.output).not.toContain('finished without crashing');
      expect(child.signal).toBe('SIGKILL');

      const { journal, agent } = restartedAgent();
      const inFlight = journal.intents.list({ status: 'sent' });
      expect(inFlight.length).toBeGreaterThan(0);
      const signed = await journal.txStore().pending(stack.agent.chain.id, stack.agentAccount.address);
      expect(signed.map((r) => r.status)).toEqual(inFlight.map(() => 'signed'));
      expect(inFlight.map((i) => i.kind)).toContain('synth-mint');
      // after-sign: nothing reached the node; after-broadcast: the node has them, the journal does not know yet.
      await stack.deployer.testClient!.mine({ blocks: 1 });
      const chainNonce = await stack.agent.publicClient.getTransactionCount({
        address: stack.agentAccount.address,
      });
      expect(chainNonce - signed[0]!.nonce).toBe(crashAt === 'after-sign' ? 0 : signed.length);
      await agent.recover();
      for (const i of inFlight) expect(journal.intents.get(i.key)?.status).toBe('confirmed');
      // A restarted loop runs the interrupted epoch again (it never recorded it as done): nothing is sent twice.
      const rerun = await agent.runEpoch(epoch);
      for (const i of inFlight) expect(rerun.intents.map((x) => x.key)).not.toContain(i.key);
      const next = await agent.runEpoch(await market.advance());
      expect(next.halted).toBeUndefined();
      await expectJournalMatchesChain(journal);
      journal.close();
    }, 60_000);
  }

  // A journal restored from a copy older than a landed mint (or any send path that repeats a call) sends the
  // same mint again: the vault refuses it (MintNonceMismatch: its nonce was used), and the agent finds the
  // intent's Minted log and ends with the intent confirmed, minted once — with and without preflight.
  for (const preflight of [true, false]) {
    test(`a landed mint sent again (${preflight ? 'refused in preflight' : 'reverted on-chain'}) is confirmed by its Minted log, not failed, not minted twice`, async () => {
      const { journal: original } = restartedAgent();
      const landed = original.intents
        .list({ status: 'confirmed' })
        .filter((i) => i.kind === 'synth-mint' && decodeMint(i.payload).functionName === 'mint')
        .at(-1);
      original.close();
      expect(landed).toBeDefined();
      const { to, data } = landed!.payload as { to: Address; data: Hex };
      const owner = stack.agentAccount.address;
      const logsOf = () => readMintedLogs(stack.agent, to, { owner, intentId: landed!.key });
      expect(await logsOf()).toHaveLength(1);
      const nonce = await readMintNonce(stack.agent, to, owner);
      expect(decodeMint(landed!.payload).args[3]).toBeLessThan(nonce);
      // The agent on a journal that never saw the mint, deciding exactly that intent again.
      const journal = openJournal(journalPath(mkdtempSync(join(tmpdir(), 'provenant-resend-'))));
      const resend: Strategy = {
        name: 'synth',
        decide: async () => [
          {
            key: landed!.key,
            strategy: 'synth',
            kind: 'synth-mint',
            call: { to, data, label: 'mint sWTI (sent again)' },
            sizeUsd: 0,
            summary: 'mint sent again',
            decision: {},
          },
        ],
      };
      const agent = scriptedAgent(stack, journal, { ...OPTIONS, preflight }, [resend]);
      const report = await agent.runEpoch(await market.advance());
      expect(report.halted).toBeUndefined();
      const [outcome] = report.intents;
      expect(
        outcome,
        JSON.stringify(report.intents, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
      ).toMatchObject({
        key: landed!.key,
        outcome: 'confirmed',
      });
      expect(outcome!.summary).toContain(`minted in tx ${(await logsOf())[0]!.hash}`);
      expect(journal.intents.get(landed!.key)?.status).toBe('confirmed');
      // Sent without preflight, the transaction reverted with the nonce refusal (the journal says so).
      if (!preflight) expect(journal.intents.get(landed!.key)?.note).toMatch(/not a second mint/);
      expect(await logsOf()).toHaveLength(1);
      expect(await readMintNonce(stack.agent, to, owner)).toBe(nonce);
      journal.close();
    }, 60_000);
  }

  test('anvil restarted from its state file mid-run: the agent recovers and continues', async () => {
    const { journal, agent } = restartedAgent();
    const before = await readPosition(stack.agent, stack.addresses.vault, stack.agentAccount.address);
    const blockBefore = await stack.agent.publicClient.getBlockNumber();
    await stack.devnet.stop(); // SIGTERM: anvil writes its state file
    restarted = await startDevnet({ statePath, port: stack.devnet.port });
    expect(await stack.agent.publicClient.getBlockNumber()).toBe(blockBefore);
    expect(await readPosition(stack.agent, stack.addresses.vault, stack.agentAccount.address)).toEqual(
      before,
    );
    await agent.recover();
    for (let i = 0; i < 2; i++) {
      const report = await agent.runEpoch(await market.advance());
      expect(report.halted).toBeUndefined();
      expect(report.intents.filter((x) => x.outcome === 'failed')).toEqual([]);
    }
    await expectJournalMatchesChain(journal);
    journal.close();
  }, 60_000);

  test('RPC failover: with the first endpoint down the agent runs on the second; with none answering it stops with RpcUnavailableError', async () => {
    const dead = `http://127.0.0.1:${await findFreePort()}`;
    const failover = await createClients({
      rpcUrls: [dead, restarted!.rpcUrl],
      account: stack.agentAccount,
      devnet: true,
      timeoutMs: 2_000,
    });
    const { journal, agent } = restartedAgent(failover);
    const epoch = await market.advance();
    const report = await agent.runEpoch(epoch);
    expect(report.halted).toBeUndefined();
    expect(report.price).toBeGreaterThan(0);
    expect(report.intents.filter((x) => x.outcome === 'failed')).toEqual([]);
    await expectJournalMatchesChain(journal);

    await expect(
      createClients({
        rpcUrls: [dead, `http://127.0.0.1:${await findFreePort()}`],
        account: stack.agentAccount,
      }),
    ).rejects.toBeInstanceOf(RpcUnavailableError);
    // The node goes away under a running loop: the loop stops with a clear status, recorded in the journal.
    await restarted!.stop();
    const error = await runAgentLoop({
      agent,
      journal,
      clients: failover,
      wtiFeed: stack.addresses.feeds.WTI,
      once: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcUnavailableError);
    expect((error as RpcUnavailableError).shortMessage).toBe(
      `No JSON-RPC endpoint answered (${dead}, ${restarted!.rpcUrl}).`,
    );
    expect(agentStatus(journal).lastRun?.outcome).toBe(
      `stopped: No JSON-RPC endpoint answered (${dead}, ${restarted!.rpcUrl}).`,
    );
    expect(journal.entries({ kind: 'note' }).at(-1)?.payload).toMatchObject({ rpcUnavailable: true });
    expect(journal.state.halted().halted).toBe(false);
    journal.close();
  }, 60_000);
});
