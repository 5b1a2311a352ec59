import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { keccak256, stringToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkAgentReadiness, type ReadinessReport, resolveAgentAddresses } from '../src/agent/index.js';
import { approvalPushCheck } from '../src/agent/readiness.js';
import {
  aggregatorV3InterfaceAbi,
  DEVNET_ROLES,
  depositCollateral,
  mintSynth,
  modelRegistryAbi,
  modelRegistryBytecode,
  policyGuardAbi,
  readMintNonce,
  readPosition,
  repaySynth,
  withdrawCollateral,
} from '../src/chain/index.js';
import { formatReadiness } from '../src/cli/commands/agent.check.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack, publishWtiClose, wtiCloses } from './marketStack.js';

// `provenant agent check` on a real anvil with the whole suite deployed (the demo's stack): what it says
// when the agent can run, and each problem it must name with its fix (a foreign key, a pause, a missing
// model file), through the domain function and the CLI.

let m: MarketStack;
const byName = (r: ReadinessReport, name: string) => r.checks.find((c) => c.name === name);

beforeAll(async () => {
  m = await openMarketStack('agent-check');
}, 180_000);
afterAll(async () => {
  await m?.close();
});

const check = (agent = m.stack.agentAccount.address) =>
  checkAgentReadiness({ clients: m.stack.agent, agent, stateDir: m.stateDir });

describe('agent check', () => {
  test('behavior: on the deployed suite the agent can run; a feed without a round is a warning, then ok once published', async () => {
    const before = await check();
    expect(before.ok).toBe(true);
    // Every check, in the order printed, with its status: only the feed (no round yet) warns.
    const statuses = Object.fromEntries(before.checks.map((c) => [c.name, c.status]));
    expect(Object.keys(statuses)).toEqual([
      'deployment',
      'agent-role',
      'gas',
      'pause',
      'policies',
      'forecaster',
      'approval push',
      'generator',
      'oracle',
      'collateral',
      'position',
      'journal',
      'anchors',
    ]);
    expect(statuses, JSON.stringify(before.checks)).toEqual({
      ...Object.fromEntries(Object.keys(statuses).map((name) => [name, 'ok'])),
      oracle: 'warn',
    });
    expect(byName(before, 'oracle')?.detail).toContain('has no round yet');

    const closes = wtiCloses('2020-04-21', '2020-04-21');
    await publishWtiClose(m.stack, closes, '2020-04-21', 60);
    const after = await check();
    expect(byName(after, 'oracle')).toMatchObject({ status: 'ok' });
    // Its age is the latest block's time minus the round's: 0 s, or 1 s when the publishing transactions
    // crossed a wall-clock second (anvil stamps blocks with the wall clock).
    const [, , , updatedAt] = await m.stack.agent.publicClient.readContract({
      address: m.stack.addresses.feeds.WTI,
      abi: aggregatorV3InterfaceAbi,
      functionName: 'latestRoundData',
    });
    const latest = await m.stack.agent.publicClient.getBlock();
    expect(byName(after, 'oracle')?.detail).toBe(
      `round 1: 8.91 USD, ${latest.timestamp - updatedAt} s old (the policy allows 86400 s)`,
    );
    expect(formatReadiness(after)).toMatch(/✓ agent 0x[0-9a-fA-F]{40} can run on chain \d+$/);
  }, 60_000);

  test('error: the agent position a keeper may liquidate fails position, with the ratio and the fix; restored, it passes', async () => {
    const { agent, addresses, agentAccount, forecaster } = m.stack;
    const me = agentAccount.address;
    const key = (label: string) => keccak256(stringToHex(`agent-check:${label}`));
    // At the 2020-04-21 close (8.91 USD): 1,000 sWTI owed, collateral withdrawn down to ~151 % of its value.
    await mintSynth(agent, addresses.vault, {
      amount: 1_000n * 10n ** 18n,
      modelId: forecaster.id,
      intentId: key('mint'),
      nonce: await readMintNonce(agent, addresses.vault, me),
    });
    const held = await readPosition(agent, addresses.vault, me);
    const keep = 13_500n * 10n ** 6n;
    await withdrawCollateral(agent, addresses.vault, {
      amount: held.collateral - keep,
      to: me,
      intentId: key('withdraw'),
    });
    expect(byName(await check(), 'position')).toMatchObject({ status: 'ok' });
    // The next close, 2020-04-22, is far higher: the position is now liquidatable.
    await publishWtiClose(m.stack, wtiCloses('2020-04-22', '2020-04-22'), '2020-04-22', 60);
    const r = await check();
    expect(r.ok).toBe(false);
    expect(byName(r, 'position')?.status).toBe('fail');
    expect(byName(r, 'position')?.detail).toMatch(
      /^the agent's sWTI position is liquidatable: ratio \d+\.\d\d % < liquidation ratio \d+\.\d\d % \(debt 1000 sWTI\)/,
    );
    expect(byName(r, 'position')?.fix).toContain(`provenant synth show ${me}`);
    // Repaid (and the collateral put back): no debt, the check passes again.
    await repaySynth(agent, addresses.vault, {
      owner: me,
      amount: 1_000n * 10n ** 18n,
      intentId: key('repay'),
    });
    await depositCollateral(agent, addresses.vault, {
      owner: me,
      amount: held.collateral - keep,
      intentId: key('back'),
    });
    const restored = await check();
    expect(byName(restored, 'position')).toMatchObject({
      status: 'ok',
      detail: "the agent's sWTI position has no debt",
    });
    expect(restored.ok).toBe(true);
  }, 60_000);

  test('behavior: approval push warns, naming the fix, when the registry tells another guard or none', async () => {
    const a = await resolveAgentAddresses(m.stack.agent, m.stateDir);
    const client = m.stack.agent;
    // The deployed suite: the registry tells this guard (asserted ok in the first test). Against another guard:
    const other = await approvalPushCheck(client, { ...a, guard: a.vault });
    expect(other.status).toBe('warn');
    expect(other.detail).toContain(`tells another guard (${a.guard})`);
    expect(other.fix).toContain('bound to one guard for good');
    // A registry nobody bound (deployed here, as a second deployment by another key would be):
    const deployer = m.stack.deployer;
    const hash = await deployer.walletClient.deployContract({
      abi: modelRegistryAbi,
      bytecode: modelRegistryBytecode,
      args: [a.vault, deployer.account.address, deployer.account.address],
      account: deployer.account,
      chain: deployer.chain,
    });
    const receipt = await deployer.publicClient.waitForTransactionReceipt({ hash });
    const unbound = await approvalPushCheck(client, { ...a, registry: receipt.contractAddress! });
    expect(unbound.status).toBe('warn');
    expect(unbound.detail).toContain('tells no guard of approval changes');
    expect(unbound.fix).toContain('bindApprovalListener(guard)');
  }, 60_000);

  test('error: a key the guard does not accept as its agent fails agent-role, naming the guard agent', async () => {
    const other = m.stack.guardian.account.address;
    const r = await check(other);
    expect(r.ok).toBe(false);
    const role = byName(r, 'agent-role');
    expect(role?.status).toBe('fail');
    expect(role?.detail).toBe(
      `the guard accepts ${m.stack.agentAccount.address} as its agent, not ${other}: every action would revert PolicyNotAgent`,
    );
    expect(role?.fix).toContain('PolicyGuard.setAgent');
    expect(formatReadiness(r)).toContain(`✗ agent ${other} cannot run on chain`);
  }, 60_000);

  test('behavior: a guardian pause of the vault is a warning that names the asset and who may unpause', async () => {
    const { guardian } = m.stack;
    const hash = await guardian.walletClient.writeContract({
      address: m.stack.addresses.guard,
      abi: policyGuardAbi,
      functionName: 'pauseAsset',
      args: [m.stack.addresses.vault],
      account: guardian.account,
      chain: guardian.chain,
    });
    await guardian.publicClient.waitForTransactionReceipt({ hash });
    const r = await check();
    expect(r.ok).toBe(true);
    expect(byName(r, 'pause')).toMatchObject({
      status: 'warn',
      detail: "paused: sWTI vault; the agent's actions on it are refused",
    });
    expect(byName(r, 'pause')?.fix).toContain('gov propose --unpause');
  }, 60_000);

  test('error: the forecaster file missing from the state dir fails forecaster with `model train`; the CLI exits with AgentNotReadyError', async () => {
    const models = join(m.stateDir, 'models');
    const file = readdirSync(models).find((f) => /^0x[0-9a-f]{64}\.json$/.test(f));
    expect(file).toBeDefined();
    renameSync(join(models, file!), join(m.stateDir, file!));
    try {
      const r = await check();
      expect(r.ok).toBe(false);
      expect(byName(r, 'forecaster')).toMatchObject({ status: 'fail' });
      expect(byName(r, 'forecaster')?.detail).toContain('no forecaster model file in');
      expect(byName(r, 'forecaster')?.fix).toContain('provenant model train --train-end');
      await expect(runCli(m.stack, ['agent', 'check'], DEVNET_ROLES.agent)).rejects.toThrow(
        /The agent 0x[0-9a-fA-F]{40} cannot run yet: forecaster/,
      );
    } finally {
      renameSync(join(m.stateDir, file!), join(models, file!));
    }
    const text = await runCli(m.stack, ['agent', 'check'], DEVNET_ROLES.agent);
    expect(text).toContain('✓ forecaster:');
    expect(text).toContain('! pause: paused: sWTI vault');
    expect(text).toContain('    fix: Only governance unpauses an asset');
    const json = JSON.parse(
      await runCli(m.stack, ['agent', 'check', '--json'], DEVNET_ROLES.agent),
    ) as ReadinessReport;
    expect(json.ok).toBe(true);
    expect(json.agent).toBe(m.stack.agentAccount.address);
  }, 60_000);
});
