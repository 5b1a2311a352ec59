/**
 * Read-only commands against a real endpoint need no signer key (they sign with a throwaway key, as
 * `verify` does); write commands still demand one. A state dir without this chain's deployment manifest
 * is named as such, not as an undeployed contract. Runs `main()` in-process against a real anvil.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  createClients,
  DEVNET_ROLES,
  type Devnet,
  deployPlan,
  devnetAccount,
  manifestPath,
  modelRegistryAbi,
  NotDeployedError,
  readManifest,
  startDevnet,
} from '../src/chain/index.js';
import { main } from '../src/cli/main.js';
import { explainCliError, SilentRevertError } from '../src/cli/refusal.js';

let devnet: Devnet;
let stateDir: string;
const savedKey = process.env.PROVENANT_PRIVATE_KEY;

beforeAll(async () => {
  delete process.env.PROVENANT_PRIVATE_KEY;
  devnet = await startDevnet();
  stateDir = mkdtempSync(join(tmpdir(), 'provenant-readonly-'));
});
afterAll(async () => {
  if (savedKey !== undefined) process.env.PROVENANT_PRIVATE_KEY = savedKey;
  await devnet?.stop();
});

async function run(...args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.map(String).join(' '));
  });
  const l = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    const code = await main([
      'node',
      'provenant',
      '--rpc-url',
      devnet.rpcUrl,
      '--state-dir',
      stateDir,
      ...args,
    ]);
    return { code, err: err.join('\n') };
  } finally {
    e.mockRestore();
    l.mockRestore();
  }
}

describe('read-only commands on a real endpoint with no key', () => {
  test('behavior: `policy show` needs no key; the missing manifest of this state dir is named', async () => {
    const r = await run('policy', 'show');
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('No signer key');
    expect(r.err).toContain(
      `Contract PolicyGuard is not known on chain 31337: the deployment manifest ${manifestPath(stateDir, 31337)} is missing.`,
    );
    expect(r.err).toContain('Pass the --state-dir that holds it');
    expect(r.err).toContain('run `provenant deploy` against this chain');
  });

  test.each([
    [['gov', 'status']],
    [['pool', 'show']],
    [['synth', 'show', '0x70997970c51812dc3a010c7d01b50e0d17dc79c8']],
    [['model', 'show']],
  ])('behavior: `%j` needs no key either (it reaches the deployment lookup)', async (args) => {
    const r = await run(...args);
    expect(r.code).toBe(1);
    expect(r.err).not.toContain('No signer key');
    expect(r.err).toContain('the deployment manifest');
  });

  test('error: a write command (`policy pause`) still demands a key, with the clear error', async () => {
    const r = await run('policy', 'pause');
    expect(r.code).toBe(1);
    expect(r.err).toContain('No signer key: set the private key in an environment variable');
  });
});

describe('NotDeployedError', () => {
  test('a manifest that exists but lacks the contract keeps the "not deployed" sentence', () => {
    const manifest = { chainId: 5, contracts: {} };
    const first = (e: Error) => e.message.split('\n')[0];
    expect(first(new NotDeployedError('PolicyGuard', manifest))).toBe(
      'Contract PolicyGuard is not deployed on chain 5.',
    );
    expect(first(new NotDeployedError('PolicyGuard', 5))).toBe(
      'Contract PolicyGuard is not deployed on chain 5.',
    );
  });
  test('a manifest read from a state dir without the file names the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-nomanifest-'));
    const manifest = readManifest(dir, 7);
    expect(new NotDeployedError('ModelRegistry', manifest).message.split('\n')[0]).toBe(
      `Contract ModelRegistry is not known on chain 7: the deployment manifest ${join(dir, 'deployments', '7.json')} is missing.`,
    );
    // What is written back stays a plain manifest.
    expect(JSON.stringify(manifest)).toBe('{"chainId":7,"contracts":{}}');
  });
});

describe('a deployment made by older contract code (review 6)', () => {
  test('a function the deployed contract lacks is named as such, not "probably a bug"', async () => {
    const clients = await createClients({
      rpcUrls: [devnet.rpcUrl],
      account: devnetAccount(DEVNET_ROLES.deployer),
      devnet: true,
    });
    // A contract without `boundOwnerOf` stands at the address the manifest calls the ModelRegistry.
    const plan = await deployPlan(clients, mkdtempSync(join(tmpdir(), 'provenant-old-code-')), [
      { name: 'OldRegistry', contract: 'TestStablecoin', args: () => [] },
    ]);
    const address = plan.outcomes[0]!.address;
    const error = await clients.publicClient
      .readContract({
        address,
        abi: modelRegistryAbi,
        functionName: 'boundOwnerOf',
        args: [`0x${'11'.repeat(32)}`],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeDefined();
    const labels = {
      labels: { [address.toLowerCase()]: 'ModelRegistry' },
      collateral: undefined,
      vaults: {},
    };
    const explained = explainCliError(error, labels);
    expect(explained).toBeInstanceOf(SilentRevertError);
    expect((explained as Error).message).toContain(
      `ModelRegistry (${address}) reverted without a reason on boundOwnerOf().`,
    );
    expect((explained as SilentRevertError).details).toMatch(/older contract code.*provenant demo --fresh/);
    // Not one of this deployment's contracts: left as it was.
    expect(explainCliError(error, { labels: {}, collateral: undefined, vaults: {} })).toBe(error);
  });
});
