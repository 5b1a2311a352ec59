/**
 * Seventh review, the model owner / shareholder journey (`model show|shares|claim|register`), against a
 * real anvil stack whose bootstrap registered the generator with users 0 and 1 as 50/50 holders:
 * - `model claim` with nothing owed sent a transaction and printed "Claimed 0"; it now refuses
 *   (NothingToClaimError) with the signer's shares and the model's revenue, and sends nothing;
 * - `model shares --transfer` of more than held failed in the token with base units (wei); it now
 *   refuses first in whole shares (InsufficientSharesError); a transfer to yourself or the zero
 *   address is refused before sending;
 * - `model show` lacked the share supply, revenue paid in, the viewer's shares and claimable revenue
 *   and the zk commitment (which `model approve --zk-commitment` says `model show` prints);
 * - after a transfer, `model shares` shows both sides and that earned revenue stayed with its earner;
 * - `model register` accepted a split naming one holder twice.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Address, createPublicClient, formatUnits, type Hex, http } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Stack } from '../src/agent/index.js';
import {
  accruedFees,
  claimableRevenue,
  DEVNET_ROLES,
  ensureAllowance,
  faucet,
  mintSynth,
  modelRegistryAbi,
  readAllRevenueTotals,
  readFeeToken,
  readMintNonce,
  readRevenueTotals,
  readShareBalances,
  writeContract,
} from '../src/chain/index.js';
import {
  InsufficientSharesError,
  NothingToClaimError,
  ShareRecipientError,
  ShareSplitMismatchError,
} from '../src/cli/commands/registry.js';
import { modelFileBytes, parseModelFile } from '../src/models/index.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack, publishWtiClose, wtiCloses } from './marketStack.js';

const E6 = 10n ** 6n;
let market: MarketStack;
let stack: Stack;
let stateDir: string;
let model: Hex;
let shares: Address;
let alice: Address;
let bob: Address;
let carol: Address;

const nonceOf = (who: Address) => stack.deployer.publicClient.getTransactionCount({ address: who });

/** Pays `amount` (fee-token base units) of revenue to the generator's holders, as the NFT mint fee does. */
async function payRevenue(amount: bigint): Promise<void> {
  const { registry, collateral } = stack.addresses;
  await faucet(stack.deployer, collateral, stack.deployer.account.address, amount);
  await ensureAllowance(stack.deployer, collateral, registry);
  await writeContract(stack.deployer, {
    address: registry,
    abi: modelRegistryAbi,
    functionName: 'distribute',
    args: [model, amount],
    label: 'test revenue',
  });
}

beforeAll(async () => {
  market = await openMarketStack('model-owner');
  ({ stack, stateDir } = market);
  model = stack.generator.id;
  [alice, bob, carol] = stack.users.map((u) => u.account.address) as [Address, Address, Address];
  shares = (
    JSON.parse(await runCli(stack, ['model', 'show', model, '--json'], DEVNET_ROLES.user0)) as {
      shares: Address;
    }
  ).shares;
}, 180_000);

afterAll(async () => {
  await market?.close();
});

describe('model claim', () => {
  test('with nothing to claim it refuses, naming shares and revenue, and sends no transaction', async () => {
    const before = await nonceOf(carol);
    const refusal = runCli(stack, ['model', 'claim', model], DEVNET_ROLES.user2);
    await expect(refusal).rejects.toBeInstanceOf(NothingToClaimError);
    await expect(refusal).rejects.toThrow(
      new RegExp(
        `Nothing to claim from model ${model.slice(0, 12)}… for ${carol}: ${carol} holds 0 of its 1000000 shares`,
      ),
    );
    expect(await nonceOf(carol)).toBe(before);
  });

  test('a claim prints the amount in units with the fee token, and JSON carries units next to base units', async () => {
    const token = await readFeeToken(stack.deployer, stack.addresses.registry);
    await payRevenue(3n * E6);
    const { paidIn } = await readRevenueTotals(stack.deployer, stack.addresses.registry, model);
    expect(paidIn).toBeGreaterThanOrEqual(3n * E6);
    const owed = await claimableRevenue(stack.deployer, stack.addresses.registry, model, alice);
    expect(owed).toBeGreaterThan(0n);
    const out = JSON.parse(await runCli(stack, ['model', 'claim', model, '--json'], DEVNET_ROLES.user0)) as {
      claimed: string;
      claimedUnits: string;
      token: string;
    };
    expect(BigInt(out.claimed)).toBe(owed);
    expect(out.claimedUnits).toBe(formatUnits(owed, token.decimals));
    expect(out.token).toBe(token.symbol);
    // Claimed once: a second claim has nothing left and is refused with the fix for a holder.
    await expect(runCli(stack, ['model', 'claim', model], DEVNET_ROLES.user0)).rejects.toThrow(
      /holds 500000 of its 1000000 shares; the model has been paid .* in revenue/,
    );
  });
});

describe('revenue and holder reads', () => {
  test('every model at once (model show) gives each the totals its own scan gives, and the list shows them', async () => {
    await payRevenue(2n * E6);
    const all = await readAllRevenueTotals(stack.deployer, stack.addresses.registry);
    const one = await readRevenueTotals(stack.deployer, stack.addresses.registry, model);
    expect(all.get(model.toLowerCase() as Hex)).toEqual(one);
    expect(one.paidIn).toBeGreaterThanOrEqual(2n * E6);
    // A model that never earned is absent from the map and reads zero on its own.
    const idle = await readRevenueTotals(stack.deployer, stack.addresses.registry, stack.generator.id);
    expect(all.get(stack.generator.id.toLowerCase() as Hex) ?? { paidIn: 0n, claimed: 0n }).toEqual(idle);
    const token = await readFeeToken(stack.deployer, stack.addresses.registry);
    const listed = JSON.parse(await runCli(stack, ['model', 'show', '--json'], DEVNET_ROLES.user0)) as {
      modelId: string;
      revenuePaidIn: string;
    }[];
    const row = listed.find((m) => m.modelId.toLowerCase() === model.toLowerCase());
    expect(row?.revenuePaidIn).toBe(`${formatUnits(one.paidIn, token.decimals)} ${token.symbol}`);
  });

  test('include a payment made just before, even when the client caches the block number', async () => {
    // A client that caches the block number for a minute: what a long-lived process (the agent) holds.
    const cached = {
      ...stack.deployer,
      publicClient: createPublicClient({ transport: http(stack.devnet.rpcUrl), cacheTime: 60_000 }),
    } as typeof stack.deployer;
    const before = await readRevenueTotals(cached, stack.addresses.registry, model); // warms the cache
    await payRevenue(1n * E6);
    const after = await readRevenueTotals(cached, stack.addresses.registry, model);
    expect(after.paidIn - before.paidIn).toBe(1n * E6);
  });
});

describe('model claim and approve refusals', () => {
  test('--flush names an unknown synthetic as a --flush value', async () => {
    await expect(
      runCli(stack, ['model', 'claim', model, '--flush', 'sXYZ'], DEVNET_ROLES.user0),
    ).rejects.toThrow(
      /^--flush sXYZ: no synthetic 'sXYZ' is deployed on this chain\.\n\nDeployed synthetics: sWTI.*Pass one of them with --flush/,
    );
  });

  test('approving an approved model says there is nothing to propose', async () => {
    await expect(
      runCli(
        stack,
        ['model', 'approve', model, '--owner', stack.deployer.account.address, '--shares', shares],
        DEVNET_ROLES.deployer,
      ),
    ).rejects.toThrow('Nothing to propose: the agent may use it now.');
  });

  test('register: a missing model file names the shipped model files, not `model backtest` (which writes none)', async () => {
    const refusal = runCli(stack, ['model', 'register', join(stateDir, 'nope.json')], DEVNET_ROLES.user0);
    await expect(refusal).rejects.toThrow('the repository ships models/forecaster-wti.json');
    await expect(refusal).rejects.not.toThrow('model backtest');
  });
});

describe('model shares --transfer', () => {
  test('more than held is refused in whole shares, before sending', async () => {
    const before = await nonceOf(bob);
    const refusal = runCli(
      stack,
      ['model', 'shares', model, '--transfer', carol, '--amount', '500001'],
      DEVNET_ROLES.user1,
    );
    await expect(refusal).rejects.toBeInstanceOf(InsufficientSharesError);
    await expect(refusal).rejects.toThrow(
      `${bob} holds 500000 shares of model ${model.slice(0, 12)}…, fewer than the 500001 asked to transfer.`,
    );
    await expect(refusal).rejects.not.toThrow(/000000000000000000/);
    expect(await nonceOf(bob)).toBe(before);
  });

  test('to yourself or to the zero address is refused before sending', async () => {
    const before = await nonceOf(bob);
    for (const to of [bob, '0x0000000000000000000000000000000000000000'])
      await expect(
        runCli(stack, ['model', 'shares', model, '--transfer', to, '--amount', '1'], DEVNET_ROLES.user1),
      ).rejects.toBeInstanceOf(ShareRecipientError);
    expect(await nonceOf(bob)).toBe(before);
  });

  test('a transfer shows both sides, and revenue earned before it stays claimable by its earner', async () => {
    await payRevenue(2n * E6);
    const owedBefore = await claimableRevenue(stack.deployer, stack.addresses.registry, model, bob);
    expect(owedBefore).toBeGreaterThan(0n);
    const out = await runCli(
      stack,
      ['model', 'shares', model, '--transfer', carol, '--amount', '100000.5'],
      DEVNET_ROLES.user1,
    );
    const token = await readFeeToken(stack.deployer, stack.addresses.registry);
    expect(out).toContain(`Transferred 100000.5 shares of model ${model.slice(0, 12)}… to ${carol}`);
    expect(out).toContain(`claimable now ${formatUnits(owedBefore, token.decimals)} ${token.symbol} by you`);
    expect(out).toContain(`${bob}  399999.5 shares (39.99995%)`);
    expect(out).toContain(`${carol}  100000.5 shares (10.00005%), claimable 0 ${token.symbol}`);
    expect(await claimableRevenue(stack.deployer, stack.addresses.registry, model, bob)).toBe(owedBefore);
    const { balances } = await readShareBalances(stack.deployer, shares, [bob, carol]);
    expect(balances).toEqual([399_999_500_000_000_000_000_000n, 100_000_500_000_000_000_000_000n]);
  });
});

describe('model show', () => {
  test('names the share supply, revenue paid in and claimed, the zk commitment, and your shares and claimable', async () => {
    const token = await readFeeToken(stack.deployer, stack.addresses.registry);
    const { paidIn, claimed } = await readRevenueTotals(stack.deployer, stack.addresses.registry, model);
    const owed = await claimableRevenue(stack.deployer, stack.addresses.registry, model, alice);
    const one = JSON.parse(
      await runCli(stack, ['model', 'show', model, '--json'], DEVNET_ROLES.user0),
    ) as Record<string, unknown>;
    expect(one).toMatchObject({
      zkCommitment: `0x${'00'.repeat(32)}`,
      totalShares: '1000000',
      revenuePaidIn: `${formatUnits(paidIn, token.decimals)} ${token.symbol}`,
      revenueClaimed: `${formatUnits(claimed, token.decimals)} ${token.symbol}`,
      you: {
        address: alice,
        shares: '500000',
        percent: '50%',
        claimable: `${formatUnits(owed, token.decimals)} ${token.symbol}`,
      },
    });
    const text = await runCli(stack, ['model', 'show'], DEVNET_ROLES.user0);
    expect(text).toContain(`revenue paid in   ${formatUnits(paidIn, token.decimals)} ${token.symbol}`);
    expect(text).toMatch(/your shares +600000 \(60%\) held by/); // the forecaster: 600,000 to user 0
    expect(text).toContain(`your shares       500000 (50%) held by ${alice}`);
  });
});

describe('model shares', () => {
  test('without --holder it lists every current holder, marking you', async () => {
    const out = await runCli(stack, ['model', 'shares', model], DEVNET_ROLES.user2);
    const lines = out.split('\n').slice(1);
    expect(lines.map((l) => l.trim().split(/\s+/)[0])).toEqual([carol, alice, bob]);
    expect(lines[0]).toMatch(/100000\.5 shares \(10\.00005%\), claimable 0 \S+ {2}\(you\)$/);
    const json = JSON.parse(
      await runCli(stack, ['model', 'shares', model, '--json'], DEVNET_ROLES.user2),
    ) as {
      holders: { holder: Address; you: boolean; shares: string }[];
    };
    expect(json.holders.map((h) => [h.holder, h.you, h.shares])).toEqual([
      [carol, true, '100000.5'],
      [alice, false, '500000'],
      [bob, false, '399999.5'],
    ]);
  });
  test('reading needs no key on a configured endpoint (like `model show`); a transfer still does', async () => {
    const env = { ...process.env };
    delete env.PROVENANT_PRIVATE_KEY;
    const cli = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['bin/provenant.js', '--rpc-url', stack.devnet.rpcUrl, '--state-dir', stateDir, ...args],
        { env },
      );
    const { stdout } = await cli('model', 'shares', model);
    expect(stdout).toContain(`${alice}  500000 shares (50%)`);
    expect(stdout).not.toContain('(you)');
    await expect(cli('model', 'shares', model, '--transfer', alice, '--amount', '1')).rejects.toThrow(
      /No signer key/,
    );
  }, 60_000);
});

describe('model approve', () => {
  test('a --holder split other than the registered one names both splits and the command that approves the registered one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-split-'));
    const file = join(dir, 'model.json');
    const parsed = { ...parseModelFile(readFileSync('models/forecaster-wti.json')), version: 'split-review' };
    writeFileSync(file, modelFileBytes(parsed));
    try {
      const registered = JSON.parse(
        await runCli(
          stack,
          ['model', 'register', file, '--holder', `${alice}=700000`, `${bob}=300000`, '--json'],
          DEVNET_ROLES.user0,
        ),
      ) as { modelId: Hex; shares: Address };
      const refusal = runCli(
        stack,
        [
          'model',
          'approve',
          registered.modelId,
          '--owner',
          alice,
          '--holder',
          `${alice}=500000`,
          `${bob}=500000`,
        ],
        DEVNET_ROLES.deployer,
      );
      await expect(refusal).rejects.toBeInstanceOf(ShareSplitMismatchError);
      await expect(refusal).rejects.toThrow(
        `registered ${alice}=700000, ${bob}=300000 (share token ${registered.shares}); named ${alice}=500000, ${bob}=500000`,
      );
      await expect(refusal).rejects.toThrow(
        `--owner ${alice} --holder ${alice}=700000 --holder ${bob}=300000\``,
      );
      // The registered split passes, and the output names what was approved.
      const out = await runCli(
        stack,
        [
          'model',
          'approve',
          registered.modelId,
          '--owner',
          alice,
          '--holder',
          `${alice}=700000`,
          `${bob}=300000`,
          '--pass',
        ],
        DEVNET_ROLES.deployer,
      );
      expect(out).toContain(
        `approve forecaster ${registered.modelId.slice(0, 12)}… (version split-review) registered by ${alice}, share token ${registered.shares}, zk commitment none`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model register', () => {
  test('of an id another owner registered: the notice says governance approves one owner, whose the id shows, and what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-contested-'));
    const file = join(dir, 'model.json');
    const parsed = { ...parseModelFile(readFileSync('models/forecaster-wti.json')), version: 'contested' };
    writeFileSync(file, modelFileBytes(parsed));
    try {
      type Registered = {
        modelId: Hex;
        shares: Address;
        otherRegistrations: { owner: Address }[];
        notice: string | null;
      };
      const first = JSON.parse(
        await runCli(stack, ['model', 'register', file, '--json'], DEVNET_ROLES.user0),
      ) as Registered;
      expect(first.otherRegistrations).toEqual([]);
      expect(first.notice).toBeNull();
      const id = first.modelId;
      const second = await runCli(stack, ['model', 'register', file], DEVNET_ROLES.user1);
      expect(second).toContain(`Note: model ${id} was already registered by ${alice} (at `);
      expect(second).toContain(`share token ${first.shares})`);
      expect(second).toContain(
        "Governance approves one owner's registration of an id, and the first approval binds the id to it for good",
      );
      expect(second).toContain(`names the earliest registration (${alice}'s)`);
      expect(second).toMatch(
        new RegExp(`provenant model approve ${id.slice(0, 12)} --owner ${bob} --shares 0x[0-9a-fA-F]{40}`),
      );
      expect(second).toContain('publish your own work under a new version (a new id)');
      const third = JSON.parse(
        await runCli(stack, ['model', 'register', file, '--json'], DEVNET_ROLES.user2),
      ) as Registered;
      expect(third.otherRegistrations.map((r) => r.owner)).toEqual([alice, bob]);
      expect(third.notice).toContain(`already registered by ${alice}`);
      expect(third.notice).toContain(`and 1 other owner(s): ${bob}.`);
      expect(third.notice).toContain(`--owner ${carol} --shares ${third.shares}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a split naming one holder twice is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-dup-holder-'));
    const file = join(dir, 'model.json');
    const parsed = { ...parseModelFile(readFileSync('models/forecaster-wti.json')), version: 'dup-holder' };
    writeFileSync(file, modelFileBytes(parsed));
    try {
      await expect(
        runCli(
          stack,
          ['model', 'register', file, '--holder', `${alice}=600000`, `${alice.toLowerCase()}=400000`],
          DEVNET_ROLES.user0,
        ),
      ).rejects.toThrow(`--holder names ${alice} more than once.`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('fees waiting in a vault (user walk s9: show and shares said "claimable 0" while they waited)', () => {
  test('model show and model shares name the fees a vault holds for the model and the flush that pays them in', async () => {
    const forecaster = stack.forecaster.id;
    for (const c of wtiCloses('2020-04-21', '2020-04-24')) await publishWtiClose(stack, [c], c.date);
    await mintSynth(stack.agent, stack.addresses.vault, {
      amount: 100n * 10n ** 18n,
      modelId: forecaster,
      intentId: `0x${'5a'.repeat(32)}`,
      nonce: await readMintNonce(stack.agent, stack.addresses.vault, stack.agentAccount.address),
    });
    const token = await readFeeToken(stack.deployer, stack.addresses.registry);
    const accrued = await accruedFees(stack.deployer, stack.addresses.vault, forecaster);
    expect(accrued).toBeGreaterThan(1n);
    const waiting = {
      synth: 'sWTI',
      vault: stack.addresses.vault,
      amount: (accrued - 1n).toString(),
      amountUnits: formatUnits(accrued - 1n, token.decimals),
      token: token.symbol,
    };
    const shown = JSON.parse(
      await runCli(stack, ['model', 'show', forecaster, '--json'], DEVNET_ROLES.user0),
    ) as { feesWaiting: unknown[] };
    expect(shown.feesWaiting).toEqual([waiting]);
    const flush = `flush with \`provenant model claim ${forecaster.slice(0, 12)} --flush sWTI\``;
    const text = await runCli(stack, ['model', 'show', forecaster], DEVNET_ROLES.user0);
    expect(text).toMatch(
      new RegExp(
        `waiting in the sWTI vault +${waiting.amountUnits.replace('.', '\\.')} ${token.symbol} \\(not yet paid in`,
      ),
    );
    expect(text).toContain(flush);
    const held = JSON.parse(
      await runCli(stack, ['model', 'shares', forecaster, '--json'], DEVNET_ROLES.user0),
    ) as { feesWaiting: unknown[] };
    expect(held.feesWaiting).toEqual([waiting]);
    expect(await runCli(stack, ['model', 'shares', forecaster], DEVNET_ROLES.user0)).toContain(flush);
    // After the flush nothing waits, and the line is gone.
    await runCli(stack, ['model', 'claim', forecaster, '--flush', 'sWTI'], DEVNET_ROLES.user0);
    const after = JSON.parse(
      await runCli(stack, ['model', 'show', forecaster, '--json'], DEVNET_ROLES.user0),
    ) as { feesWaiting: unknown[] };
    expect(after.feesWaiting).toEqual([]);
    expect(await runCli(stack, ['model', 'show', forecaster], DEVNET_ROLES.user0)).not.toContain(
      'waiting in',
    );
  });
});
