import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, type Hex, toHex, zeroHash } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agentAddresses, attestJournalHead, journalPath, openJournal } from '../src/agent/index.js';
import {
  createClients,
  DEVNET_MNEMONIC,
  DEVNET_ROLES,
  type Devnet,
  deploymentBlock,
  devnetAccount,
  type ProvenantClients,
  readManifest,
  startDevnet,
  testStablecoinAbi,
  testStablecoinBytecode,
} from '../src/chain/index.js';
import { main } from '../src/cli/main.js';
import { publishNextRound, toAnswer } from '../src/oracle/index.js';
import { reporterAccounts, suiteRoles } from './externalFeedFixture.js';

// The production path (docs/agent.md#from-an-empty-chain) on a chain that is not a local development
// chain: `deploy --collateral` with an existing ERC-20, then the agent-side commands on that deployment,
// and the agent started before its feed has a round. Real anvil, real CLI (in-process), real journal.

/** Base's chain id: `deploy --rpc-url` treats the node as a real network (--collateral required). */
const CHAIN_ID = 8453;

const devnetKey = (index: number): Hex =>
  toHex(mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index }).getHdKey().privateKey as Uint8Array);
const DEPLOYER_KEY = devnetKey(DEVNET_ROLES.deployer);
const AGENT_KEY = devnetKey(DEVNET_ROLES.agent);

let devnet: Devnet;
let issuer: ProvenantClients;
/** The existing collateral ERC-20 (a stand-in for USDC, deployed by a key that is not the suite's). */
let usdc: Address;
let dir: string;

beforeAll(async () => {
  devnet = await startDevnet({ chainId: CHAIN_ID });
  issuer = await createClients({ rpcUrls: [devnet.rpcUrl], account: devnetAccount(9), devnet: true });
  const hash = await issuer.walletClient.deployContract({
    abi: testStablecoinAbi,
    bytecode: testStablecoinBytecode,
    account: issuer.account,
    chain: issuer.chain,
  });
  const receipt = await issuer.publicClient.waitForTransactionReceipt({ hash });
  usdc = receipt.contractAddress as Address;
  dir = mkdtempSync(join(tmpdir(), 'provenant-production-path-'));
}, 60_000);
afterAll(async () => {
  await devnet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI in-process (`main`, as the binary does) with the key in PROVENANT_PRIVATE_KEY. */
async function run(args: string[], key: Hex): Promise<{ code: number; stderr: string; stdout: string }> {
  const saved = process.env.PROVENANT_PRIVATE_KEY;
  process.env.PROVENANT_PRIVATE_KEY = key;
  const errors: string[] = [];
  const logs: string[] = [];
  const { error, log } = console;
  console.error = (...parts: unknown[]) => errors.push(parts.join(' '));
  console.log = (...parts: unknown[]) => logs.push(parts.join(' '));
  try {
    const code = await main(['node', 'provenant', '--rpc-url', devnet.rpcUrl, '--state-dir', dir, ...args]);
    return { code, stderr: errors.join('\n'), stdout: logs.join('\n') };
  } finally {
    console.error = error;
    console.log = log;
    if (saved === undefined) delete process.env.PROVENANT_PRIVATE_KEY;
    else process.env.PROVENANT_PRIVATE_KEY = saved;
  }
}

/** Every reporter signs `price` for the next WTI round, stamped with the latest block's time. */
async function publishWti(price: number): Promise<bigint> {
  const feed = readManifest(dir, CHAIN_ID).feeds?.WTI?.address as Address;
  const { timestamp } = await issuer.publicClient.getBlock();
  const round = await publishNextRound(
    issuer,
    { accounts: reporterAccounts },
    { feed, answer: toAnswer(price, 8), observedAt: timestamp },
  );
  return round.roundId;
}

/** Epoch entries journalled so far (one per epoch the agent ran, skipped or not). */
function epochEntries(): number {
  const journal = openJournal(journalPath(dir), { readonly: true });
  try {
    return journal.entries({ kind: 'epoch' }).length;
  } finally {
    journal.close();
  }
}

/** The head the journal's stored attestation signs (`kv` `attestation`). */
function signedSeq(): number | undefined {
  const journal = openJournal(journalPath(dir), { readonly: true });
  try {
    return journal.state.get<{ seq: number }>('attestation')?.seq;
  } finally {
    journal.close();
  }
}

describe('from an empty chain (chain 8453) with an existing collateral', () => {
  test('deploy --collateral records the token in the manifest, so `policy show` finds the deployment', async () => {
    const r = suiteRoles();
    const deployed = await run(
      [
        'deploy',
        '--agent',
        r.agent,
        '--guardian',
        r.guardian,
        '--reporters',
        ...r.reporters,
        '--collateral',
        usdc,
      ],
      DEPLOYER_KEY,
    );
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    expect(deployed.stdout).toContain(
      `Collateral             ${usdc}  existing ERC-20 (recorded, not deployed)`,
    );
    const manifest = readManifest(dir, CHAIN_ID);
    expect(manifest.contracts.TestStablecoin).toBeUndefined();
    const entry = manifest.contracts.Collateral;
    expect(entry?.address).toBe(usdc);
    expect(entry?.initHash).toBe(zeroHash);
    // Its block is the suite's first deployment block: event scans do not move back to genesis.
    const suiteBlocks = Object.entries(manifest.contracts)
      .filter(([name]) => name !== 'Collateral')
      .map(([, c]) => Number(deploymentBlock(c)));
    const first = BigInt(Math.min(...suiteBlocks));
    expect(first).toBeGreaterThan(0n);
    expect(deploymentBlock(entry)).toBe(first);
    expect(agentAddresses(manifest, { synth: usdc }).collateral).toBe(usdc);
    expect(agentAddresses(manifest, { synth: usdc }).fromBlock).toBe(first);

    // Before: `Contract Collateral is not deployed on chain 8453. Run \`provenant deploy\`…` (exit 1), from
    // every command that resolves the suite (policy, model register, agent run, synth, verify).
    const policies = await run(['policy', 'show'], DEPLOYER_KEY);
    expect(policies.stderr).toBe('');
    expect(policies.code).toBe(0);
    expect(policies.stdout).toContain('No policies yet');

    // A second run reuses every contract and keeps the entry.
    const again = await run(
      [
        'deploy',
        '--agent',
        r.agent,
        '--guardian',
        r.guardian,
        '--reporters',
        ...r.reporters,
        '--collateral',
        usdc,
      ],
      DEPLOYER_KEY,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).not.toMatch(/ {2}deployed$/m);
    expect(readManifest(dir, CHAIN_ID).contracts.Collateral).toEqual(entry);
  }, 120_000);

  test('synth open before the feed has a round: the deposit lands and the position is shown unpriced (exit 0)', async () => {
    const agent = devnetAccount(DEVNET_ROLES.agent).address;
    const hash = await issuer.walletClient.writeContract({
      address: usdc,
      abi: testStablecoinAbi,
      functionName: 'mint',
      args: [agent, 5_000n * 10n ** 6n],
      account: issuer.account,
      chain: issuer.chain,
    });
    await issuer.publicClient.waitForTransactionReceipt({ hash });
    // Before: the deposit went through, then the readout failed with OracleNoRounds (exit 1).
    const opened = await run(['synth', 'open', '1000'], AGENT_KEY);
    expect(opened.stderr).toBe('');
    expect(opened.code).toBe(0);
    expect(opened.stdout).toContain('has no round yet');
    expect(opened.stdout).toMatch(/collateral\s+1000 /);
  }, 120_000);

  test('error: `agent run` with no forecaster is refused before a journal exists, naming `model train`', async () => {
    const ran = await run(['agent', 'run', '--once'], AGENT_KEY);
    expect(ran.code).toBe(1);
    expect(ran.stderr).toContain('The agent cannot start: no forecaster model file in');
    expect(ran.stderr).toContain('provenant model train --train-end <YYYY-MM-DD>');
    // Before, the journal was created and signed at seq 0 first, which wedged the state dir (below).
    expect(existsSync(journalPath(dir))).toBe(false);
  }, 60_000);

  test('behavior: `agent run` before the feed has a round says so, exits 0, and the next run starts (no wedged journal)', async () => {
    const trained = await run(['model', 'train', '--train-end', '2019-11-29'], DEPLOYER_KEY);
    expect(trained.code).toBe(0);

    // Before: `Refused by the contract: OracleNoRounds()` (exit 1), after the empty journal was signed
    // at seq 0; every later run was then refused with JournalAttestationError ("entries were cut off").
    const first = await run(['agent', 'run', '--once'], AGENT_KEY);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const feed = readManifest(dir, CHAIN_ID).feeds?.WTI?.address as Address;
    expect(first.stdout).toBe(
      `Nothing to do: the WTI feed ${feed} has no round yet; its reporters publish rounds (docs/oracle.md#reporters).`,
    );
    expect(signedSeq()).toBe(1);

    const second = await run(['agent', 'run', '--once'], AGENT_KEY);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const audit = await run(['audit', 'verify'], AGENT_KEY);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain(
      `✓ signed head: seq 1 signed by ${devnetAccount(DEVNET_ROLES.agent).address}`,
    );
    const status = await run(['agent', 'status', '--json'], AGENT_KEY);
    expect(JSON.parse(status.stdout).lastRun.outcome).toBe('nothing new: the WTI feed has no round yet');
  }, 120_000);

  test('behavior: a journal left signed at genesis (seq 0) by this agent is re-signed at its head and runs', async () => {
    // What an earlier Provenant left after a first run that stopped before its first epoch was signed.
    rmSync(journalPath(dir), { force: true });
    for (const suffix of ['-wal', '-shm']) rmSync(`${journalPath(dir)}${suffix}`, { force: true });
    const journal = openJournal(journalPath(dir));
    await attestJournalHead(journal, devnetAccount(DEVNET_ROLES.agent));
    journal.close();
    expect(signedSeq()).toBe(0);

    const ran = await run(['agent', 'run', '--once'], AGENT_KEY);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(signedSeq()).toBe(1);

    // Another key's genesis signature is not re-signed: the attestation check refuses it, naming the key.
    rmSync(journalPath(dir), { force: true });
    for (const suffix of ['-wal', '-shm']) rmSync(`${journalPath(dir)}${suffix}`, { force: true });
    const foreign = openJournal(journalPath(dir));
    await attestJournalHead(foreign, devnetAccount(DEVNET_ROLES.guardian));
    foreign.close();
    const refused = await run(['agent', 'run', '--once'], AGENT_KEY);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `the head at seq 0 is signed by ${devnetAccount(DEVNET_ROLES.guardian).address}, not by the agent`,
    );
    expect(signedSeq()).toBe(0);
  }, 120_000);

  test('behavior: `agent run --epochs 2` runs a round skipped for too little history once, then waits for the next round', async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${journalPath(dir)}${suffix}`, { force: true });
    // Real WTI closes (EIA, data/oil-prices/wti-daily.csv, 2019-11-26 and 2019-11-27).
    expect(await publishWti(58.25)).toBe(1n);
    let settled = false;
    const running = run(['agent', 'run', '--epochs', '2', '--poll', '1'], AGENT_KEY).finally(() => {
      settled = true;
    });
    // Before: epoch 0 ran twice back to back (a skipped epoch records no `epoch.last`) and the run ended
    // without ever waiting for round 2.
    while (!settled && (!existsSync(journalPath(dir)) || epochEntries() === 0))
      await new Promise((r) => setTimeout(r, 200));
    expect(await publishWti(58.12)).toBe(2n);
    const ran = await running;
    expect(ran.code).toBe(0);
    // The date is the round's (the devnet's clock: today).
    expect(ran.stdout.replace(/\d{4}-\d{2}-\d{2}/g, '<date>')).toBe(
      [
        'epoch 0 <date> WTI 58.25',
        '  skipped: not enough oracle history for features (1 rounds, 21 needed)',
        'epoch 1 <date> WTI 58.12',
        '  skipped: not enough oracle history for features (2 rounds, 21 needed)',
      ].join('\n'),
    );
    expect(epochEntries()).toBe(2);
  }, 120_000);

  test('gov propose --create-policies: governance creates the five default policies; a second proposal is refused', async () => {
    const proposed = await run(['gov', 'propose', '--create-policies', '--pass'], DEPLOYER_KEY);
    expect(proposed.stderr).toBe('');
    expect(proposed.code).toBe(0);
    for (const label of ['sWTI vault/SYNTH_MINT', 'sXAU vault/SYNTH_MINT', 'sWTI/USD pool/SET_FEE'])
      expect(proposed.stdout).toContain(`create policy ${label}`);
    const shown = await run(['policy', 'show', '--json'], DEPLOYER_KEY);
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as unknown[]).length).toBe(5);
    const again = await run(['gov', 'propose', '--create-policies'], DEPLOYER_KEY);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('The guard has every default policy already (5 policies)');
  }, 120_000);

  test('oracle publish: the reporter keys in PROVENANT_REPORTER_KEYS sign, the signer relays; a bad key is never shown', async () => {
    const reporterKey = (i: number) => devnetKey(DEVNET_ROLES.reporter0 + i);
    process.env.PROVENANT_REPORTER_KEYS = [0, 1, 2, 3, 4].map(reporterKey).join(',');
    try {
      // Real closes (EIA WTI and LBMA gold, 2019-11-29).
      const published = await run(['oracle', 'publish', 'WTI=55.17', 'XAU=1460.55'], DEPLOYER_KEY);
      expect(published.stderr).toBe('');
      expect(published.code).toBe(0);
      expect(published.stdout).toMatch(/^WTI round 3: 55\.17 \(median of 5 reports, \d+ gas\)$/m);
      expect(published.stdout).toMatch(/^XAU round 1: 1460\.55 \(median of 5 reports, \d+ gas\)$/m);
      process.env.PROVENANT_REPORTER_KEYS = `${reporterKey(0)},0x${'ab'.repeat(31)}`;
      const bad = await run(['oracle', 'publish', 'WTI=55.2'], DEPLOYER_KEY);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain(
        'Reporter key 2 of 2 in PROVENANT_REPORTER_KEYS is not a 32-byte hex key (0x and 64 hex digits); it is not shown.',
      );
      expect(bad.stderr).not.toContain('abababab');
      expect(bad.stderr).not.toContain(reporterKey(0).slice(2, 18));
      process.env.PROVENANT_REPORTER_KEYS = [0, 1, 2, 3, 4].map(reporterKey).join(',');
      const unknown = await run(['oracle', 'publish', 'OIL=1'], DEPLOYER_KEY);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('This deployment has no feed OIL.');
      expect(unknown.stderr).toMatch(/Its feeds: .*WTI/);
    } finally {
      delete process.env.PROVENANT_REPORTER_KEYS;
    }
  }, 120_000);
});
