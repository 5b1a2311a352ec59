/**
 * The agent anchors its signed journal head on-chain (src/agent/agent.ts → journal/anchor.ts): the real
 * stack (the suite deploys JournalAnchor and records it in the manifest), the real agent on real 2020
 * WTI/Brent days, anchoring every 2 epochs; then `audit verify` on the stack's state dir checks every
 * anchor against the journal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  anchorIntents,
  checkJournalAttestation,
  type EpochReport,
  readJournalAnchors,
  type Stack,
} from '../src/agent/index.js';
import { journalAnchorAbi } from '../src/chain/index.js';
import { openReplayStack } from './fixtures/chain.js';
import { runCli } from './fixtures/cli.js';
import { JANUARY_2020, type ReplayMarket, replayAgent, replayMarket } from './fixtures/replayAgent.js';

describe('agent: on-chain anchors of the journal head', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-anchor-agent-'));
  let stack: Stack;
  let market: ReplayMarket;

  beforeAll(async () => {
    const opened = await openReplayStack({ stateDir: dir, ...JANUARY_2020, end: '2020-01-15' });
    market = replayMarket(opened);
    stack = market.stack;
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('default: every 2 epochs the signed head goes on-chain, and `audit verify` checks it', async () => {
    expect(stack.addresses.journalAnchor).toBeDefined();
    const { journal, agent } = replayAgent(stack, {
      journalDir: dir,
      options: { journalAnchorEveryEpochs: 2 },
    });
    const reports: EpochReport[] = [];
    for (let i = 0; i < 5; i++) reports.push(await agent.runEpoch(await market.advance()));
    expect(reports.map((r) => r.anchor?.status)).toEqual([
      'not-due',
      'not-due',
      'anchored',
      'not-due',
      'anchored',
    ]);
    const anchored = reports.flatMap((r) => (r.anchor?.status === 'anchored' ? [r.anchor] : []));
    const logs = await readJournalAnchors(stack.agent.publicClient, stack.addresses.journalAnchor!, [
      stack.agentAccount.address,
    ]);
    expect(logs.map((l) => [l.seq, l.head])).toEqual(anchored.map((a) => [a.seq, a.head]));
    expect(anchorIntents(journal).map((r) => r.status)).toEqual(['confirmed', 'confirmed']);
    expect(
      await stack.agent.publicClient.readContract({
        address: stack.addresses.journalAnchor!,
        abi: journalAnchorAbi,
        functionName: 'lastSeq',
        args: [stack.agentAccount.address],
      }),
    ).toBe(BigInt(anchored[1]!.seq));
    // The head after the anchor's own entries is signed too.
    const signed = await checkJournalAttestation(journal, stack.agentAccount.address);
    expect(signed).toMatchObject({ status: 'attested', unsignedAfter: 0 });
    expect(journal.verify().ok).toBe(true);
    journal.close();

    const audit = await runCli(['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, 'audit', 'verify']);
    expect(audit.err).toBe('');
    expect(audit.code).toBe(0);
    expect(audit.out).toContain(
      `✓ on-chain anchors: 2, latest seq ${anchored[1]!.seq} (block ${anchored[1]!.blockNumber})`,
    );
  });
});
