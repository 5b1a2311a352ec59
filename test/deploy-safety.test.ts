import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, formatEther, type Hex, keccak256, toHex } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sendPrepared } from '../src/chain/actions/write.js';
import { DeployStepError } from '../src/chain/errors.js';
import { CollateralError } from '../src/chain/externalFeed.js';
import {
  createClients,
  DEVNET_MNEMONIC,
  DEVNET_ROLES,
  type Devnet,
  defaultSuiteOptions,
  deploySuite,
  devnetAccount,
  InsufficientBalanceError,
  type ProvenantClients,
  readManifest,
  startDevnet,
} from '../src/chain/index.js';
import { main } from '../src/cli/main.js';
import { suiteRoles } from './externalFeedFixture.js';

// Operator-experience review: `deploy` on a real network without --collateral, a --collateral with no
// contract behind it, and an unfunded signer. Real anvil nodes, no mocks.

/** A devnet on a chain id that is not a local development chain: `deploy --rpc-url` treats it as real. */
const REAL_CHAIN_ID = 11155111;
/** Runtime code answering every call with 40 (`decimals()` = 40, `totalSupply()` = 40). */
const FORTY_DECIMALS: Hex = '0x60285f5260205ff3';
/**
 * Runtime code answering 6 to a direct call (CALLER == ORIGIN, as `eth_call` from an account) and 40 to
 * a contract: it passes the up-front collateral check, and the vault's constructor then reverts with
 * UnsupportedDecimals(40). Stands in for any collateral that fails inside a constructor.
 */
const SIX_THEN_FORTY: Hex = '0x602833321415600c575060065b5f5260205ff3';
/** Like SIX_THEN_FORTY, but a contract's call reverts with no data (the reported case: no decodable reason). */
const SIX_THEN_REVERT: Hex = '0x3332146009575f5ffd5b60065f5260205ff3';
/** Runtime code that reverts every call with no data. */
const ALWAYS_REVERTS: Hex = '0x5f5ffd';

const devnetKey = (index: number) =>
  toHex(mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index }).getHdKey().privateKey as Uint8Array);
/** A fixed key no devnet funds (derived from a fixed seed). */
const UNFUNDED_KEY = keccak256(toHex('provenant deploy-safety unfunded signer'));

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-deploy-safety-'));
  dirs.push(dir);
  return dir;
};
let local: Devnet;
let real: Devnet;
let clients: ProvenantClients;

beforeAll(async () => {
  local = await startDevnet();
  real = await startDevnet({ chainId: REAL_CHAIN_ID });
  clients = await createClients({
    rpcUrls: [local.rpcUrl],
    account: devnetAccount(DEVNET_ROLES.deployer),
    devnet: true,
  });
}, 60_000);
afterAll(async () => {
  await local?.stop();
  await real?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process (`main`, as the binary does) and returns its exit code and stderr. */
async function run(args: string[], key: Hex): Promise<{ code: number; stderr: string; stdout: string }> {
  const saved = process.env.PROVENANT_PRIVATE_KEY;
  process.env.PROVENANT_PRIVATE_KEY = key;
  const errors: string[] = [];
  const logs: string[] = [];
  const { error, log } = console;
  console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
  console.log = (...parts: unknown[]) => logs.push(parts.join(' '));
  try {
    const code = await main(['node', 'provenant', ...args]);
    return { code, stderr: errors.join('\n'), stdout: logs.join('\n') };
  } finally {
    console.error = error;
    console.log = log;
    if (saved === undefined) delete process.env.PROVENANT_PRIVATE_KEY;
    else process.env.PROVENANT_PRIVATE_KEY = saved;
  }
}

const roleFlags = () => {
  const r = suiteRoles();
  return ['--agent', r.agent, '--guardian', r.guardian, '--reporters', ...r.reporters];
};
const nonce = (c: ProvenantClients, address: Address) => c.publicClient.getTransactionCount({ address });

describe('deploy --collateral on a real network (defect 1)', () => {
  test('error: without --collateral the deploy is refused with why and how, before anything is sent', async () => {
    const stateDir = tempDir();
    const deployer = devnetAccount(DEVNET_ROLES.deployer).address;
    const { code, stderr } = await run(
      ['deploy', '--rpc-url', real.rpcUrl, '--state-dir', stateDir, ...roleFlags()],
      devnetKey(DEVNET_ROLES.deployer),
    );
    expect(code).toBe(1);
    expect(stderr).toMatchInlineSnapshot(`
      "Error: On a real network (chain 11155111), deploy needs --collateral: the ERC-20 that backs the synths.

      Without it deploy would deploy TestStablecoin, a test coin anyone can mint, and back the synths with it. Pass an existing ERC-20 on this chain, such as USDC: --collateral 0x… (it is checked before anything is deployed). TestStablecoin is deployed only on the embedded devnet or a local development chain (chain id 31337).

      Docs: docs/chain.md#deployments"
    `);
    const realClients = await createClients({
      rpcUrls: [real.rpcUrl],
      account: devnetAccount(DEVNET_ROLES.deployer),
    });
    expect(await nonce(realClients, deployer)).toBe(0);
    expect(existsSync(join(stateDir, 'deployments'))).toBe(false);
  });
});

describe('deploy --collateral checked up front (defect 2)', () => {
  test('error: an address with no contract is refused by name in a short message, nothing deployed', async () => {
    const stateDir = tempDir();
    const deployer = devnetAccount(DEVNET_ROLES.deployer).address;
    const before = await nonce(clients, deployer);
    const collateral = '0x0000000000000000000000000000000000000001';
    const { code, stderr } = await run(
      [
        'deploy',
        '--rpc-url',
        local.rpcUrl,
        '--state-dir',
        stateDir,
        ...roleFlags(),
        '--collateral',
        collateral,
      ],
      devnetKey(DEVNET_ROLES.deployer),
    );
    expect(code).toBe(1);
    expect(stderr.split('\n')[0]).toBe(
      `Error: Collateral ${collateral} cannot be used: there is no contract at this address on this chain (an account with no code, or a token on another chain).`,
    );
    expect(stderr).not.toContain('probably a bug');
    expect(stderr.length).toBeLessThan(1_000);
    expect(await nonce(clients, deployer)).toBe(before);
    expect(Object.keys(readManifest(stateDir, local.chainId).contracts)).toEqual([]);
  }, 60_000);

  test('error: a contract that is no ERC-20, or has too many decimals, is refused by CollateralError', async () => {
    const options = (collateral: Address) => defaultSuiteOptions(suiteRoles(), { collateral });
    const reverts = '0x00000000000000000000000000000000000c0de1' as Address;
    const forty = '0x00000000000000000000000000000000000c0de2' as Address;
    await clients.testClient?.setCode({ address: reverts, bytecode: ALWAYS_REVERTS });
    await clients.testClient?.setCode({ address: forty, bytecode: FORTY_DECIMALS });
    const stateDir = tempDir();
    const noDecimals = await deploySuite(clients, stateDir, options(reverts)).catch((e: unknown) => e);
    expect(noDecimals).toBeInstanceOf(CollateralError);
    expect((noDecimals as Error).message.split('\n')[0]).toMatch(
      /^Collateral 0x00000000000000000000000000000000000c0de1 cannot be used: it does not answer decimals\(\) \(.+\): not an ERC-20 token\.$/,
    );
    await expect(deploySuite(clients, stateDir, options(forty))).rejects.toThrow(
      'Collateral 0x00000000000000000000000000000000000c0de2 cannot be used: it reports 40 decimals; the vaults accept at most 18.',
    );
    expect(Object.keys(readManifest(stateDir, local.chainId).contracts)).toEqual([]);
  }, 60_000);

  test('error: a constructor that reverts names the step and its decoded reason, never the init code', async () => {
    const collateral = '0x00000000000000000000000000000000000c0de3' as Address;
    await clients.testClient?.setCode({ address: collateral, bytecode: SIX_THEN_FORTY });
    const stateDir = tempDir();
    const failed = await deploySuite(
      clients,
      stateDir,
      defaultSuiteOptions(suiteRoles(), { collateral }),
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DeployStepError);
    const error = failed as DeployStepError;
    expect(error.step).toBe('SyntheticVault.sWTI');
    expect(error.shortMessage).toBe(
      'Deploy step SyntheticVault.sWTI (contract SyntheticVault) failed: its constructor reverted with UnsupportedDecimals(decimals=40).',
    );
    // No long hex anywhere in the message or the cause chain `--verbose` prints.
    let text = '';
    for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) text += `${(e as Error).message}\n`;
    expect(text).not.toMatch(/0x[0-9a-fA-F]{130}/);
    expect(text.length).toBeLessThan(6_000);
    // The steps before it stay recorded, to be reused by the next run.
    expect(Object.keys(readManifest(stateDir, local.chainId).contracts)).toContain('PolicyGuard');

    // A revert with no data (what a collateral with no code did inside the vault's constructor).
    const silent = '0x00000000000000000000000000000000000c0de4' as Address;
    await clients.testClient?.setCode({ address: silent, bytecode: SIX_THEN_REVERT });
    const unknown = await deploySuite(
      clients,
      tempDir(),
      defaultSuiteOptions(suiteRoles(), { collateral: silent }),
    ).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DeployStepError);
    expect((unknown as DeployStepError).shortMessage).toBe(
      "Deploy step SyntheticVault.sWTI (contract SyntheticVault) failed: its constructor reverted with no reason the project's contracts declare (Execution reverted for an unknown reason).",
    );
    let chain = '';
    for (let e: unknown = unknown; e; e = (e as { cause?: unknown }).cause)
      chain += `${(e as Error).message}\n`;
    expect(chain).not.toMatch(/0x[0-9a-fA-F]{130}/);
    expect(chain).toContain('bytes)');
  }, 120_000);
});

describe('an unfunded signer (defect 3)', () => {
  const unfunded = privateKeyToAccount(UNFUNDED_KEY);

  test('error: a write names the account, its balance and the cost, never the key', async () => {
    const poor = await createClients({ rpcUrls: [local.rpcUrl], account: unfunded, devnet: true });
    expect(await poor.publicClient.getBalance({ address: unfunded.address })).toBe(0n);
    const to = devnetAccount(DEVNET_ROLES.user0).address;
    const refused = await sendPrepared(poor, { to, data: '0x', value: 1n, label: 'pay user0' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(InsufficientBalanceError);
    const error = refused as InsufficientBalanceError;
    expect(error.account).toBe(unfunded.address);
    expect(error.balance).toBe(0n);
    expect(error.needed).toBeGreaterThan(21_000n);
    expect(error.shortMessage).toBe(
      `Account ${unfunded.address} cannot pay for pay user0: its balance is 0 ETH (0 wei) and the transaction needs up to ${formatEther(error.needed as bigint)} ETH (${error.needed} wei: gas limit × max fee per gas + value).`,
    );
    expect(error.message).toContain(`Fund ${unfunded.address}`);
    expect(error.message).not.toContain(UNFUNDED_KEY.slice(2));
    // No value: the call and the estimate pass, the node refuses the send; the gas limit is known.
    const gasOnly = await sendPrepared(poor, { to, data: '0x', label: 'ping user0' }).catch(
      (e: unknown) => e,
    );
    expect(gasOnly).toBeInstanceOf(InsufficientBalanceError);
    expect((gasOnly as InsufficientBalanceError).needed).toBeGreaterThanOrEqual((21_000n * 5n) / 4n);
    expect((gasOnly as Error).message).not.toContain('probably a bug');
    expect(await poor.publicClient.getTransactionCount({ address: unfunded.address })).toBe(0);
  }, 60_000);

  test('error: deploy with an unfunded key is an InsufficientBalanceError, not "probably a bug"', async () => {
    const { code, stderr } = await run(
      ['deploy', '--rpc-url', local.rpcUrl, '--state-dir', tempDir(), ...roleFlags()],
      UNFUNDED_KEY,
    );
    expect(code).toBe(1);
    expect(stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^Error: Account ${unfunded.address} cannot pay for deploy TestStablecoin: its balance is 0 ETH \\(0 wei\\) and the transaction needs up to [0-9.]+ ETH \\([0-9]+ wei: gas limit × max fee per gas \\+ value\\)\\.$`,
      ),
    );
    expect(stderr).toContain(`Fund ${unfunded.address}`);
    expect(stderr).not.toContain('probably a bug');
    expect(stderr).not.toContain(UNFUNDED_KEY.slice(2));
    expect(stderr.length).toBeLessThan(1_500);
  }, 60_000);
});
