import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, describe, expect, test } from 'vitest';
import {
  AgentRoleConflictError,
  createClients,
  DEVNET_MNEMONIC,
  DEVNET_ROLES,
  defaultSuiteOptions,
  deploySuite,
  devnetAccount,
  devnetReporter,
  manifestPath,
  medianOracleAbi,
  modelRegistryAbi,
  type ProvenantClients,
  policyGuardAbi,
  provenantTimelockAbi,
  provenantVotesAbi,
  readManifest,
  startDevnet,
  suiteSteps,
  TIMELOCK_ROLES,
  testStablecoinAbi,
} from '../src/chain/index.js';
import { main } from '../src/cli/main.js';

const roles = () => ({
  deployer: devnetAccount(DEVNET_ROLES.deployer).address,
  agent: devnetAccount(DEVNET_ROLES.agent).address,
  guardian: devnetAccount(DEVNET_ROLES.guardian).address,
  reporters: Array.from({ length: 5 }, (_, i) => devnetReporter(i).address),
});

const connect = (rpcUrl: string) =>
  createClients({ rpcUrls: [rpcUrl], account: devnetAccount(DEVNET_ROLES.deployer), devnet: true });

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops) await stop();
});

describe('deploySuite on a real anvil', () => {
  test('default: deploys, wires governance, and the contracts answer', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'provenant-deploy-'));
    const devnet = await startDevnet();
    stops.push(devnet.stop);
    const clients = await connect(devnet.rpcUrl);
    const result = await deploySuite(clients, stateDir, defaultSuiteOptions(roles()));
    expect(result.outcomes.every((o) => o.outcome === 'deployed')).toBe(true);
    const a = result.addresses as Record<string, `0x${string}`>;
    const read = clients.publicClient.readContract;
    expect(await read({ address: a.PolicyGuard!, abi: policyGuardAbi, functionName: 'admin' })).toBe(
      a.ProvenantTimelock,
    );
    expect(await read({ address: a.PolicyGuard!, abi: policyGuardAbi, functionName: 'agent' })).toBe(
      roles().agent,
    );
    expect(
      await read({ address: a['MedianOracle.WTI']!, abi: medianOracleAbi, functionName: 'description' }),
    ).toBe('WTI / USD');
    expect(
      await read({ address: a['MedianOracle.WTI']!, abi: medianOracleAbi, functionName: 'decimals' }),
    ).toBe(8);
    // The governor is the timelock's proposer, and no key kept the timelock's admin role.
    expect(
      await read({
        address: a.ProvenantTimelock!,
        abi: provenantTimelockAbi,
        functionName: 'hasRole',
        args: [TIMELOCK_ROLES.PROPOSER_ROLE, a.ProvenantGovernor!],
      }),
    ).toBe(true);
    expect(
      await read({
        address: a.ProvenantTimelock!,
        abi: provenantTimelockAbi,
        functionName: 'hasRole',
        args: [TIMELOCK_ROLES.DEFAULT_ADMIN_ROLE, roles().deployer],
      }),
    ).toBe(false);
    // The registry tells the guard of every approval change (the guard's one-slot fast path).
    expect(
      await read({ address: a.ModelRegistry!, abi: modelRegistryAbi, functionName: 'approvalListener' }),
    ).toBe(a.PolicyGuard);
    // The manifest on disk names every contract with the code hash that is on-chain.
    const manifest = readManifest(stateDir, devnet.chainId);
    expect(Object.keys(manifest.contracts)).toContain('ProvenanceNFT');
  });

  test('behavior: a second deploy reuses the manifest; an address without code is detected and redeployed', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'provenant-deploy-'));
    const devnet = await startDevnet();
    stops.push(devnet.stop);
    const clients = await connect(devnet.rpcUrl);
    const first = await deploySuite(clients, stateDir, defaultSuiteOptions(roles()));
    const second = await deploySuite(clients, stateDir, defaultSuiteOptions(roles()));
    expect(second.outcomes.every((o) => o.outcome === 'reused')).toBe(true);
    expect(second.addresses).toEqual(first.addresses);

    // Point the registry entry at an address with no code: it must be redeployed, and what depends on it too.
    const path = manifestPath(stateDir, devnet.chainId);
    const manifest = JSON.parse(readFileSync(path, 'utf8'));
    manifest.contracts.ModelRegistry.address = '0x000000000000000000000000000000000000dEaD';
    writeFileSync(path, JSON.stringify(manifest));
    const third = await deploySuite(clients, stateDir, defaultSuiteOptions(roles()));
    const registry = third.outcomes.find((o) => o.name === 'ModelRegistry');
    expect(registry?.outcome).toBe('redeployed');
    expect(registry?.reason).toContain(
      'no code at recorded address 0x000000000000000000000000000000000000dEaD',
    );
    expect(third.outcomes.find((o) => o.name === 'PolicyGuard')?.outcome).toBe('redeployed');
    expect(third.outcomes.find((o) => o.name === 'TestStablecoin')?.outcome).toBe('reused');
    // The new registry was bound to the new guard (no warning); the second deploy had nothing to bind either.
    expect([second.warnings, third.warnings]).toEqual([[], []]);

    // Only the guard redeployed: the reused registry stays bound to the old guard for good, and the deploy
    // says what that costs and how to get the one-slot check back.
    const oldGuard = third.addresses.PolicyGuard!;
    const again = JSON.parse(readFileSync(path, 'utf8'));
    again.contracts.PolicyGuard.address = '0x000000000000000000000000000000000000dEaD';
    writeFileSync(path, JSON.stringify(again));
    const fourth = await deploySuite(clients, stateDir, defaultSuiteOptions(roles()));
    expect(fourth.outcomes.find((o) => o.name === 'ModelRegistry')?.outcome).toBe('reused');
    expect(fourth.warnings).toHaveLength(1);
    expect(fourth.warnings[0]).toContain(`tells another guard (${oldGuard})`);
    expect(fourth.warnings[0]).toContain('deploy a new registry');

    // The deployer hands one PVG to the agent: the next deploy refuses (the agent could vote).
    const hash = await clients.walletClient.writeContract({
      address: fourth.addresses.ProvenantVotes!,
      abi: provenantVotesAbi,
      functionName: 'transfer',
      args: [roles().agent, 1n],
    });
    await clients.publicClient.waitForTransactionReceipt({ hash });
    await expect(deploySuite(clients, stateDir, defaultSuiteOptions(roles()))).rejects.toThrow(
      `The agent ${roles().agent} is also the holder of governance votes: refusing to deploy.`,
    );
  });
});

describe('deploy role separation', () => {
  test('error: an agent that is the deployer (every PVG vote), or the guardian, is refused before any step', () => {
    const r = roles();
    for (const [agent, role] of [
      [r.deployer, 'deployer'],
      [r.guardian, 'guardian'],
    ] as const) {
      const plan = () => suiteSteps(defaultSuiteOptions({ ...r, agent }));
      expect(plan).toThrow(AgentRoleConflictError);
      expect(plan).toThrow(`The agent ${agent} is also the ${role}: refusing to deploy.`);
    }
    expect(suiteSteps(defaultSuiteOptions(r)).map((s) => s.name)).toContain('PolicyGuard');
  });
});

describe('startDevnet --state', () => {
  test('behavior: state written on stop, restored on restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-state-'));
    const statePath = join(dir, 'state.json');
    const devnet = await startDevnet({ statePath });
    let clients: ProvenantClients = await connect(devnet.rpcUrl);
    const result = await deploySuite(clients, dir, defaultSuiteOptions(roles()));
    const token = result.addresses.TestStablecoin!;
    const holder = devnetAccount(DEVNET_ROLES.user0).address;
    const mintHash = await clients.walletClient.writeContract({
      address: token,
      abi: testStablecoinAbi,
      functionName: 'mint',
      args: [holder, 123_456_789n],
    });
    await clients.publicClient.waitForTransactionReceipt({ hash: mintHash });
    await devnet.stop();

    const restarted = await startDevnet({ statePath });
    stops.push(restarted.stop);
    clients = await connect(restarted.rpcUrl);
    expect(
      await clients.publicClient.readContract({
        address: token,
        abi: testStablecoinAbi,
        functionName: 'balanceOf',
        args: [holder],
      }),
    ).toBe(123_456_789n);
    // And deploy on the restored chain reuses everything.
    const again = await deploySuite(clients, dir, defaultSuiteOptions(roles()));
    expect(again.outcomes.every((o) => o.outcome === 'reused')).toBe(true);
  });
});

describe('provenant CLI errors', () => {
  async function run(
    args: string[],
    env: Record<string, string | undefined> = {},
  ): Promise<{ code: number; stderr: string }> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    const lines: string[] = [];
    const original = console.error;
    console.error = (...parts: unknown[]) => lines.push(parts.join(' '));
    try {
      const code = await main(['node', 'provenant', ...args]);
      return { code, stderr: lines.join('\n') };
    } finally {
      console.error = original;
      process.env = saved;
    }
  }

  test('error: a real endpoint without a key gives the documented message and exit code 1, no stack', async () => {
    const devnet = await startDevnet();
    stops.push(devnet.stop);
    const { code, stderr } = await run(
      ['deploy', '--rpc-url', devnet.rpcUrl, '--state-dir', mkdtempSync(join(tmpdir(), 'pv-'))],
      { PROVENANT_PRIVATE_KEY: undefined },
    );
    expect(code).toBe(1);
    expect(stderr).toMatchInlineSnapshot(`
      "Error: No signer key: set the private key in an environment variable or configure an encrypted keystore.

      Set PROVENANT_PRIVATE_KEY=0x… in the environment (never on the command line), or set chain.keystore in the config to a Web3 Secret Storage file and its password in PROVENANT_KEYSTORE_PASSWORD. On the embedded devnet no key is needed.

      Docs: docs/chain.md#keys"
    `);
  });

  test('error: deploy --agent equal to the deployer is refused with the reason, before anything is sent', async () => {
    const devnet = await startDevnet();
    stops.push(devnet.stop);
    const key = toHex(
      mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: DEVNET_ROLES.deployer }).getHdKey().privateKey!,
    );
    const r = roles();
    const { code, stderr } = await run(
      [
        'deploy',
        '--rpc-url',
        devnet.rpcUrl,
        '--state-dir',
        mkdtempSync(join(tmpdir(), 'pv-')),
        '--agent',
        r.deployer,
        '--guardian',
        r.guardian,
        '--reporters',
        ...r.reporters,
      ],
      { PROVENANT_PRIVATE_KEY: key },
    );
    expect(code).toBe(1);
    expect(stderr).toContain(`Error: The agent ${r.deployer} is also the deployer: refusing to deploy.`);
    expect(stderr).toContain('receives all 1,000,000 PVG votes');
    const clients = await connect(devnet.rpcUrl);
    expect(await clients.publicClient.getTransactionCount({ address: r.deployer })).toBe(0);
  });

  test('error: a malformed config file names the field, the value and the expected form', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pv-'));
    const path = join(dir, 'provenant.config.json');
    writeFileSync(path, JSON.stringify({ devnet: { port: -3 } }));
    const { code, stderr } = await run(['deploy', '--config', path]);
    expect(code).toBe(1);
    expect(stderr.replace(dir, '<dir>')).toMatchInlineSnapshot(`
      "Error: Invalid config file <dir>/provenant.config.json: 1 problem.

      - devnet.port: got -3, expected >= 0

      Fix the fields above (or delete them to use the defaults) and run the command again.

      Docs: docs/config.md"
    `);
  });

  test('error: a dead endpoint is a clear retryable error', async () => {
    const { code, stderr } = await run(
      ['deploy', '--rpc-url', 'http://127.0.0.1:9', '--state-dir', mkdtempSync(join(tmpdir(), 'pv-'))],
      {
        PROVENANT_PRIVATE_KEY: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
      },
    );
    expect(code).toBe(1);
    expect(stderr).toContain('No JSON-RPC endpoint answered (http://127.0.0.1:9)');
    expect(stderr).not.toContain('59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
  });
});

describe('startDevnet state file damage', () => {
  test('behavior: a truncated state file is replaced by the last good copy, with a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-state-'));
    const statePath = join(dir, 'state.json');
    const first = await startDevnet({ statePath });
    const clients = await connect(first.rpcUrl);
    await clients.testClient!.mine({ blocks: 7 });
    await first.stop();
    // Second start: the state parses, so it is backed up as the last good copy.
    const second = await startDevnet({ statePath });
    await second.stop();
    // Simulate a kill in the middle of anvil's dump: the file is cut short.
    const text = readFileSync(statePath, 'utf8');
    writeFileSync(statePath, text.slice(0, Math.floor(text.length / 2)));
    const warnings: string[] = [];
    const third = await startDevnet({ statePath, onWarning: (m) => warnings.push(m) });
    stops.push(third.stop);
    expect(warnings[0]).toContain('was damaged');
    const restored = await connect(third.rpcUrl);
    expect(await restored.publicClient.getBlockNumber()).toBeGreaterThanOrEqual(7n);
  });
});
