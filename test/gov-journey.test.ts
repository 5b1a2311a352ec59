import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, timestampOf } from '../src/agent/index.js';
import { DEVNET_ROLES, provenantGovernorAbi } from '../src/chain/index.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack } from './marketStack.js';

// The DAO member's and the guardian's journey through `gov` and `policy` on the demo's default limits
// (sWTI SYNTH_MINT epochCap 1500 under a hard ceiling of 10000, marginBps 3000 over a floor of 1000).

let market: MarketStack | undefined;
let stack: Stack;
let stateDir: string;
const scratch: string[] = [];

const proposalsDir = () => join(stateDir, 'proposals');
const savedCount = () => (existsSync(proposalsDir()) ? readdirSync(proposalsDir()).length : 0);

beforeAll(async () => {
  market = await openMarketStack('gov-journey', {
    trainEnd: '2018-12-31',
    genesisTimestamp: timestampOf('2019-01-02') - 86_400n,
  });
  ({ stack, stateDir } = market);
}, 180_000);

afterAll(async () => {
  await market?.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('gov propose', () => {
  test('behavior: a value beyond the hard ceiling or floor is refused before anything is proposed', async () => {
    const before = savedCount();
    await expect(
      runCli(
        stack,
        ['gov', 'propose', '--set-limit', 'sWTI/SYNTH_MINT', 'epochCap', '20000'],
        DEVNET_ROLES.deployer,
      ),
    ).rejects.toThrow(
      "Cannot propose sWTI vault/SYNTH_MINT epochCap = 20000: it is above the policy's hard ceiling of 10000, which can never be raised.",
    );
    await expect(
      runCli(
        stack,
        ['gov', 'propose', '--set-limit', 'sWTI/SYNTH_MINT', 'marginBps', '500'],
        DEVNET_ROLES.deployer,
      ),
    ).rejects.toThrow(
      /marginBps = 500 bps: it is below the policy's hard floor of 1000 bps[\s\S]*now 3000 bps/,
    );
    expect(savedCount()).toBe(before);
  });
});

describe('a proposal from propose to execute', () => {
  let id: string;

  test('behavior: propose and status say in plain words what changes (policy, field, old → new, bound)', async () => {
    const proposed = JSON.parse(
      await runCli(
        stack,
        [
          'gov',
          'propose',
          '--set-limit',
          'sWTI/SYNTH_MINT',
          'epochCap',
          '2000',
          '--description',
          'Raise the sWTI cap',
          '--advance',
          '--json',
        ],
        DEVNET_ROLES.deployer,
      ),
    ) as { id: string; state: string; changes: string[] };
    id = proposed.id;
    expect(proposed.state).toBe('Active');
    expect(proposed.changes).toEqual([
      'set sWTI vault/SYNTH_MINT epochCap: 1500 → 2000 (hard ceiling 10000)',
    ]);
    const status = await runCli(stack, ['gov', 'status', id.slice(0, 12)], DEVNET_ROLES.deployer);
    expect(status).toContain('set sWTI vault/SYNTH_MINT epochCap: 1500 → 2000 (hard ceiling 10000)');
    expect(status).toContain('0 PVG / 0 PVG / 0 PVG; quorum 40000 PVG (for + abstain): not reached');
  });

  test('behavior: a vote counts in PVG; voting twice and voting without votes are refused with the reason', async () => {
    const voted = await runCli(stack, ['gov', 'vote', id], DEVNET_ROLES.deployer);
    expect(voted).toContain('Voted for with 1000000 PVG on proposal');
    await expect(runCli(stack, ['gov', 'vote', id, '--against'], DEVNET_ROLES.deployer)).rejects.toThrow(
      /has already voted on proposal \d{12}; a vote cannot be changed or cast twice/,
    );
    await expect(runCli(stack, ['gov', 'vote', id], DEVNET_ROLES.user0)).rejects.toThrow(
      /had no votes at proposal \d{12}'s snapshot .*, so its vote would count 0/,
    );
    const status = JSON.parse(
      await runCli(stack, ['gov', 'status', id, '--json'], DEVNET_ROLES.deployer),
    ) as {
      votes: { for: string; against: string };
      quorumReached: boolean;
    };
    expect(status.votes).toMatchObject({ for: (10n ** 24n).toString(), against: '0' });
    expect(status.quorumReached).toBe(true);
  });

  test('behavior: queue before voting ends says when it ends; execute before the timelock delay says when', async () => {
    await expect(runCli(stack, ['gov', 'queue', id], DEVNET_ROLES.deployer)).rejects.toThrow(
      /it is Active, it must be Succeeded[\s\S]*Voting runs until \d{4}-\d\d-\d\dT[\d:]+Z/,
    );
    // Past the voting period (the deployer's vote passed it): move chain time on the devnet.
    const deadline = await stack.deployer.publicClient.readContract({
      address: stack.addresses.governor,
      abi: provenantGovernorAbi,
      functionName: 'proposalDeadline',
      args: [BigInt(id)],
    });
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: deadline + 1n });
    await stack.deployer.testClient!.mine({ blocks: 1 });
    const queued = await runCli(stack, ['gov', 'queue', id], DEVNET_ROLES.deployer);
    expect(queued).toMatch(/^Queued \(tx 0x[0-9a-f]{64}\); executable from /);
    await expect(runCli(stack, ['gov', 'execute', id], DEVNET_ROLES.deployer)).rejects.toThrow(
      /Cannot execute proposal \d{12} yet: it is queued in the timelock until \S+, \d+ s after the chain's time now/,
    );
    const eta = await stack.deployer.publicClient.readContract({
      address: stack.addresses.governor,
      abi: provenantGovernorAbi,
      functionName: 'proposalEta',
      args: [BigInt(id)],
    });
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: eta + 1n });
    await stack.deployer.testClient!.mine({ blocks: 1 });
    const executed = await runCli(stack, ['gov', 'execute', id], DEVNET_ROLES.deployer);
    expect(executed).toContain('LimitsChanged: sWTI vault/SYNTH_MINT epochCap 1500 → 2000');
  });
});

describe('guardian and agent on `policy`', () => {
  test('behavior: a loosening names the policy and shows the amounts in whole synth', async () => {
    await expect(
      runCli(stack, ['policy', 'tighten', 'sWTI/SYNTH_MINT', 'epochCap', '2500'], DEVNET_ROLES.guardian),
    ).rejects.toThrow(
      /the guardian may only tighten policy 'sWTI vault\/SYNTH_MINT'; epochCap 2000 → 2500 would loosen it/,
    );
  });

  test('behavior: the agent key trying to configure is told who may', async () => {
    await expect(
      runCli(stack, ['policy', 'tighten', 'sWTI/SYNTH_MINT', 'epochCap', '1000'], DEVNET_ROLES.agent),
    ).rejects.toThrow(
      /may not configure the guard; only governance .* only the guardian key may pause or tighten/,
    );
    await expect(runCli(stack, ['policy', 'pause'], DEVNET_ROLES.agent)).rejects.toThrow(
      /may not configure the guard/,
    );
  });

  test('behavior: policy show names the roles and the global pause state, and limits carry units', async () => {
    const out = await runCli(stack, ['policy', 'show'], DEVNET_ROLES.deployer);
    expect(out).toMatch(/: 5 policies; not globally paused/);
    expect(out).toMatch(/guardian +0x[0-9a-fA-F]{40}: pauses and tightens at once, never loosens/);
    expect(out).toContain('marginBps           3000 bps  (floor 1000 bps)');
  });

  test('behavior: a manifest whose guard has no code on the connected chain is named, not a "bug"', async () => {
    const other = mkdtempSync(join(tmpdir(), 'provenant-gov-journey-other-'));
    scratch.push(other);
    mkdirSync(join(other, 'deployments'));
    const file = `${stack.devnet.chainId}.json`;
    const manifest = readFileSync(join(stateDir, 'deployments', file), 'utf8').replaceAll(
      stack.addresses.guard,
      '0x00000000000000000000000000000000DeaDBeef',
    );
    writeFileSync(join(other, 'deployments', file), manifest);
    await expect(
      runCli({ ...stack, stateDir: other }, ['policy', 'show'], DEVNET_ROLES.deployer),
    ).rejects.toThrow(
      /is not on the connected chain: there is no contract at its PolicyGuard address 0x00000000000000000000000000000000DeaDBeef/,
    );
  });
});
