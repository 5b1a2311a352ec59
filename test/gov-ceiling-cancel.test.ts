import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWalletClient, http, parseEther } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Stack, timestampOf } from '../src/agent/index.js';
import {
  cancel,
  DEVNET_ROLES,
  devnetAccount,
  provenantGovernorAbi,
  provenantTimelockAbi,
  TIMELOCK_ROLES,
} from '../src/chain/index.js';
import { loadProposal } from '../src/cli/commands/gov/savedProposals.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack } from './marketStack.js';

// The DAO member's and the guardian's gaps closed in session 8: lowering a policy's hard bounds through a
// proposal, cancelling a proposal, and `policy show --json` carrying the roles and the pause. Demo limits:
// sWTI SYNTH_MINT epochCap 1500 under a hard ceiling of 10000, marginBps 3000 over a floor of 1000.

let market: MarketStack | undefined;
let stack: Stack;
let stateDir: string;

const proposalsDir = () => join(stateDir, 'proposals');
const savedCount = () => (existsSync(proposalsDir()) ? readdirSync(proposalsDir()).length : 0);
const deployer = devnetAccount(DEVNET_ROLES.deployer).address;
const guardian = devnetAccount(DEVNET_ROLES.guardian).address;

/** The error a CLI run threw (it must throw). */
async function refusal(args: string[], account: number): Promise<Error> {
  try {
    await runCli(stack, args, account);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`provenant ${args.join(' ')} did not refuse`);
}

/** The deployer proposes sWTI/SYNTH_MINT epochCap = `value` (`--advance`: voting open); the proposal id. */
async function proposeEpochCap(value: string, description: string, o: { advance?: boolean } = {}) {
  const args = ['gov', 'propose', '--set-limit', 'sWTI/SYNTH_MINT', 'epochCap', value];
  args.push('--description', description, ...(o.advance ? ['--advance'] : []), '--json');
  return (JSON.parse(await runCli(stack, args, DEVNET_ROLES.deployer)) as { id: string }).id;
}

const governorRead = (functionName: 'proposalDeadline' | 'proposalEta' | 'proposalSnapshot', id: string) =>
  stack.deployer.publicClient.readContract({
    address: stack.addresses.governor,
    abi: provenantGovernorAbi,
    functionName,
    args: [BigInt(id)],
  });

/** Devnet: mines one block at `timestamp`. */
async function mineAt(timestamp: bigint): Promise<void> {
  await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp });
  await stack.deployer.testClient!.mine({ blocks: 1 });
}

type ShowRow = {
  policy: string;
  limits: Record<string, string>;
  ceiling: Record<string, string>;
  paused: boolean;
  pausedBy: 'guard' | 'asset' | null;
  guard: string;
  globallyPaused: boolean;
  roles: { admin: string; guardian: string; agent: string };
};
const show = async () =>
  JSON.parse(await runCli(stack, ['policy', 'show', '--json'], DEVNET_ROLES.deployer)) as ShowRow[];

beforeAll(async () => {
  market = await openMarketStack('gov-ceiling-cancel', {
    trainEnd: '2018-12-31',
    genesisTimestamp: timestampOf('2019-01-02') - 86_400n,
  });
  ({ stack, stateDir } = market);
}, 180_000);

afterAll(async () => {
  await market?.close();
});

describe('gov propose --lower-ceiling', () => {
  test('behavior: a bound that would rise (a ceiling up, a floor down) is refused before anything is proposed', async () => {
    const before = savedCount();
    const up = await refusal(
      ['gov', 'propose', '--lower-ceiling', 'sWTI/SYNTH_MINT', 'lifetimeCap=500000,epochCap=20000'],
      DEVNET_ROLES.deployer,
    );
    expect(up.name).toBe('CeilingRaiseError');
    expect(up.message).toContain(
      'Cannot propose sWTI vault/SYNTH_MINT hard ceiling of epochCap = 20000: it is above the current hard ceiling of 10000, and a hard ceiling can only be lowered, never raised.',
    );
    expect(up.message).toMatch(
      /Give epochCap=<value> at or below 10000 \(the governed epochCap is 1500 now\)/,
    );
    const down = await refusal(
      ['gov', 'propose', '--lower-ceiling', 'sWTI/SYNTH_MINT', 'marginBps=500'],
      DEVNET_ROLES.deployer,
    );
    expect(down.name).toBe('CeilingRaiseError');
    expect(down.message).toContain(
      'hard floor of marginBps = 500 bps: it is below the current hard floor of 1000 bps, and a hard floor can only be raised, never lowered.',
    );
    expect(savedCount()).toBe(before);
  });

  test('behavior: propose, status and execute decode it: old → new bound and which governed limits it clamps', async () => {
    const proposed = JSON.parse(
      await runCli(
        stack,
        [
          'gov',
          'propose',
          '--lower-ceiling',
          'sWTI/SYNTH_MINT',
          'epochCap=1200,marginBps=4000',
          'maxOracleAge=90000',
          '--description',
          'Lower the sWTI bounds',
          '--advance',
          '--json',
        ],
        DEVNET_ROLES.deployer,
      ),
    ) as {
      id: string;
      state: string;
      changes: string[];
      clamps: { field: string; from: string; to: string }[];
    };
    expect(proposed.state).toBe('Active');
    const before = (await show())[0]!;
    const change = `lower sWTI vault/SYNTH_MINT hard bounds: epochCap ceiling 10000 → 1200 (clamps governed epochCap 1500 → 1200); marginBps floor 1000 bps → 4000 bps (clamps governed marginBps 3000 bps → 4000 bps); maxOracleAge ceiling ${before.ceiling.maxOracleAge} s → 90000 s (governed ${before.limits.maxOracleAge} s stays)`;
    expect(proposed.changes).toEqual([change]);
    expect(proposed.clamps).toEqual([
      { field: 'epochCap', from: '1500', to: '1200' },
      { field: 'marginBps', from: '3000', to: '4000' },
    ]);
    expect(await runCli(stack, ['gov', 'status', proposed.id], DEVNET_ROLES.deployer)).toContain(change);

    await runCli(stack, ['gov', 'vote', proposed.id, '--advance'], DEVNET_ROLES.deployer);
    await runCli(stack, ['gov', 'queue', proposed.id, '--advance'], DEVNET_ROLES.deployer);
    const executed = await runCli(stack, ['gov', 'execute', proposed.id], DEVNET_ROLES.deployer);
    expect(executed).toContain(
      `CeilingLowered: sWTI vault/SYNTH_MINT epochCap ceiling 10000 → 1200, marginBps floor 1000 bps → 4000 bps, maxOracleAge ceiling ${before.ceiling.maxOracleAge} s → 90000 s`,
    );
    expect(executed).toContain(
      'LimitsChanged: sWTI vault/SYNTH_MINT epochCap 1500 → 1200, marginBps 3000 bps → 4000 bps',
    );
    const after = (await show())[0]!;
    expect(after.ceiling).toMatchObject({ epochCap: '1200', marginBps: '4000', maxOracleAge: '90000' });
    expect(after.ceiling.lifetimeCap).toBe(before.ceiling.lifetimeCap);
    expect(after.limits).toMatchObject({ epochCap: '1200', marginBps: '4000' });
  }, 120_000);
});

describe('gov cancel', () => {
  test('behavior: the proposer cancels while Pending; anyone else is told who may and when; status shows Canceled', async () => {
    const id = await proposeEpochCap('1000', 'To cancel');
    const notMine = await refusal(['gov', 'cancel', id], DEVNET_ROLES.guardian);
    expect(notMine.name).toBe('CancelRefusedError');
    expect(notMine.message).toContain(
      `Cannot cancel proposal ${id.slice(0, 12)} with ${guardian}: only its proposer ${deployer} may cancel it, and only while it is Pending`,
    );
    // Voting opens one second after the snapshot (devnet voting delay 1 s): the cancel is mined in the
    // snapshot's second, so wall-clock time between the steps cannot open voting first.
    await stack.deployer.testClient!.setNextBlockTimestamp({
      timestamp: await governorRead('proposalSnapshot', id),
    });
    const canceled = JSON.parse(
      await runCli(stack, ['gov', 'cancel', id, '--json'], DEVNET_ROLES.deployer),
    ) as {
      state: string;
      canceled: { by: string; tx: string };
    };
    expect(canceled.state).toBe('Canceled');
    expect(canceled.canceled.by).toBe(deployer);
    const record = JSON.parse(readFileSync(join(proposalsDir(), `${id}.json`), 'utf8')) as {
      canceled?: { by: string; tx: string };
      calls: unknown[];
    };
    expect(record.canceled).toMatchObject({ by: deployer, tx: canceled.canceled.tx });
    expect(record.calls).toHaveLength(1);
    const status = JSON.parse(
      await runCli(stack, ['gov', 'status', id, '--json'], DEVNET_ROLES.deployer),
    ) as {
      state: string;
      next: string;
      canceled: { by: string } | null;
    };
    expect(status.state).toBe('Canceled');
    expect(status.canceled?.by).toBe(deployer);
    expect(status.next).toContain(`nothing (canceled by ${deployer} at `);
    await expect(runCli(stack, ['gov', 'cancel', id], DEVNET_ROLES.deployer)).rejects.toThrow(
      `Cannot cancel proposal ${id.slice(0, 12)}: it is already canceled.`,
    );
  });

  test('behavior: a cancel whose process stopped before writing the record is completed by running gov cancel again', async () => {
    const id = await proposeEpochCap('1050', 'Canceled, record lost');
    // What `gov cancel` sends, without the record it writes after (the process killed in between).
    const { proposal } = loadProposal(stateDir, id, stack.deployer.chain.id);
    await stack.deployer.testClient!.setNextBlockTimestamp({
      timestamp: await governorRead('proposalSnapshot', id),
    });
    const sent = await cancel(stack.deployer, stack.addresses.governor, proposal);
    const path = join(proposalsDir(), `${id}.json`);
    expect(JSON.parse(readFileSync(path, 'utf8')).canceled).toBeUndefined();
    const again = JSON.parse(await runCli(stack, ['gov', 'cancel', id, '--json'], DEVNET_ROLES.guardian)) as {
      state: string;
      canceled: { by: string; tx: string; at: string };
    };
    expect(again.state).toBe('Canceled');
    // Who sent the cancel (the proposer), not who ran the command now.
    expect(again.canceled).toMatchObject({ by: deployer, tx: sent.hash });
    expect(JSON.parse(readFileSync(path, 'utf8')).canceled).toEqual(again.canceled);
    // Recorded now: a further run is refused as before.
    await expect(runCli(stack, ['gov', 'cancel', id], DEVNET_ROLES.deployer)).rejects.toThrow(
      `Cannot cancel proposal ${id.slice(0, 12)}: it is already canceled.`,
    );
  });

  test('behavior: a cancel that would land once voting has opened is refused in words, not as a raw revert', async () => {
    const id = await proposeEpochCap('1100', 'Too late');
    // The latest block still reads Pending; the block the cancel would be mined in is past the snapshot.
    await stack.deployer.testClient!.setNextBlockTimestamp({
      timestamp: (await governorRead('proposalSnapshot', id)) + 1n,
    });
    const late = await refusal(['gov', 'cancel', id], DEVNET_ROLES.deployer);
    expect(late.name).toBe('CancelRefusedError');
    expect(late.message).toMatch(
      new RegExp(
        `^Cannot cancel proposal ${id.slice(0, 12)}: voting opens at \\S+Z and the next block is that late already`,
      ),
    );
    expect(late.message).toContain(`provenant gov vote ${id.slice(0, 12)} --against`);
  });

  test('behavior: once voting is open not even the proposer can cancel; the refusal says to vote against', async () => {
    const id = await proposeEpochCap('900', 'Active one', { advance: true });
    const active = await refusal(['gov', 'cancel', id], DEVNET_ROLES.deployer);
    expect(active.name).toBe('CancelRefusedError');
    expect(active.message).toMatch(
      /it is Active; voting has opened \(at \S+Z\), so no key can cancel it any more: vote against it/,
    );
    expect(active.message).toContain(
      `only the proposer (${deployer}) cancel, and only while the proposal is Pending`,
    );
  });

  test('behavior: a queued proposal is refused without the timelock CANCELLER_ROLE and canceled with it', async () => {
    const id = await proposeEpochCap('800', 'Queued one', { advance: true });
    await runCli(stack, ['gov', 'vote', id, '--advance'], DEVNET_ROLES.deployer);
    await runCli(stack, ['gov', 'queue', id], DEVNET_ROLES.deployer);
    const noRole = await refusal(['gov', 'cancel', id], DEVNET_ROLES.guardian);
    expect(noRole.message).toContain(
      `it is Queued; it is queued in the timelock ${stack.addresses.timelock}, and only a holder of its CANCELLER_ROLE can cancel it there; ${guardian} does not hold it.`,
    );
    // A deployment that makes the guardian a canceller: the timelock administers its own roles, so grant it
    // as the timelock (impersonated on anvil).
    const timelock = stack.addresses.timelock;
    const test = stack.deployer.testClient!;
    await test.impersonateAccount({ address: timelock });
    await test.setBalance({ address: timelock, value: parseEther('1') });
    const asTimelock = createWalletClient({
      account: timelock,
      chain: stack.deployer.chain,
      transport: http(stack.devnet.rpcUrl),
    });
    const hash = await asTimelock.writeContract({
      address: timelock,
      abi: provenantTimelockAbi,
      functionName: 'grantRole',
      args: [TIMELOCK_ROLES.CANCELLER_ROLE, guardian],
    });
    await stack.deployer.publicClient.waitForTransactionReceipt({ hash });
    await test.stopImpersonatingAccount({ address: timelock });
    const out = await runCli(stack, ['gov', 'cancel', id], DEVNET_ROLES.guardian);
    expect(out).toMatch(
      new RegExp(`^Canceled proposal ${id.slice(0, 12)} \\(tx 0x[0-9a-f]{64}\\): it is Canceled`),
    );
    // The timelock operation is gone: executing after the delay is refused, not run.
    await mineAt((await governorRead('proposalEta', id)) + 1n);
    await expect(runCli(stack, ['gov', 'execute', id], DEVNET_ROLES.deployer)).rejects.toThrow(
      /it is Canceled, it must be Queued/,
    );
  }, 120_000);
});

describe('policy show --json', () => {
  test('behavior: every row carries the guard, its roles, the global pause and which pause stops it', async () => {
    const rows = await show();
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r.guard).toBe(stack.addresses.guard);
      expect(r.roles).toEqual({
        admin: stack.addresses.timelock,
        guardian,
        agent: stack.agentAccount.address,
      });
      expect(r.globallyPaused).toBe(false);
      expect(r.pausedBy).toBeNull();
    }
    await runCli(stack, ['policy', 'pause', 'nft'], DEVNET_ROLES.guardian);
    const nftPaused = await show();
    expect(nftPaused.map((r) => [r.policy, r.pausedBy])).toEqual([
      ['sWTI vault/SYNTH_MINT', null],
      ['sXAU vault/SYNTH_MINT', null],
      ['sWTI/USD pool/SET_FEE', null],
      ['Market Art NFT/MINT', 'asset'],
      ['Market Art NFT/UPDATE', 'asset'],
    ]);
    await runCli(stack, ['policy', 'pause'], DEVNET_ROLES.guardian);
    const all = await show();
    expect(all.every((r) => r.globallyPaused && r.paused && r.pausedBy === 'guard')).toBe(true);
  });
});
