import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Address,
  decodeFunctionData,
  encodeAbiParameters,
  erc20Abi,
  formatUnits,
  type Hex,
  keccak256,
} from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addressLabels, ensureModelRegistered, type Stack } from '../src/agent/index.js';
import {
  accRewardPerShare,
  accruedFees,
  balanceOf,
  type ContractRevertError,
  claimRevenue,
  DEVNET_ROLES,
  depositCollateral,
  flushModelFees,
  ModelRegistrationMismatchError,
  mintSynth,
  prepareMintSynth,
  prepareSetFee,
  readIntentUsed,
  readMintedLogs,
  readMintNonce,
  readModel,
  readPool,
  readPosition,
  readRegistration,
  repaySynth,
  sendPrepared,
  setPoolFee,
  syntheticVaultAbi,
  toContractRevertError,
  transferShares,
  withdrawCollateral,
  writeContract,
} from '../src/chain/index.js';
import { modelFileBytes, modelId as modelIdOf, parseModelFile } from '../src/models/index.js';
import { type PolicyState, preflight, readPolicies } from '../src/policy/index.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack, publishWtiClose, wtiCloses } from './marketStack.js';

const E18 = 10n ** 18n;
const E6 = 10n ** 6n;
const BPS = 10_000n;
const ACC_SCALE = 10n ** 36n;

let market: MarketStack;
let stack: Stack;
/** Real WTI closes, 2020-04-21 … 2020-04-30 (the dataset drops the negative print of 2020-04-20). */
let closes: { date: string; value: number }[];

const intent = (label: string): Hex =>
  keccak256(encodeAbiParameters([{ type: 'string' }], [`markets:${label}`]));
const formatAmount = (p: PolicyState | undefined, amount: bigint) =>
  p?.actionLabel === 'SYNTH_MINT' ? formatUnits(amount, 18) : String(amount);

/** Chain time follows market time: a block at the close (20:00 UTC), then the 5 reporters' round. */
/** Publishes the WTI close of `date` as the next round, stamped `afterSeconds` past that day's timestamp. */
async function publish(date: string, afterSeconds = 0): Promise<bigint> {
  const { answer, median } = await publishWtiClose(stack, closes, date, afterSeconds);
  expect(median).toBe(answer);
  return answer * 10n ** 10n; // the vault's 18-decimal price
}

async function explainContext() {
  return {
    policies: await readPolicies(
      stack.agent.publicClient,
      stack.addresses.guard,
      addressLabels(stack.addresses),
    ),
    formatAmount,
  };
}

/** The nonce the agent's next mint names (each mint that lands moves it on by one). */
const mintNonce = () => readMintNonce(stack.agent, stack.addresses.vault, stack.agentAccount.address);

/** The mint's parameters, with the agent's current mint nonce. */
async function mintParameters(amount: bigint, label: string) {
  return { amount, modelId: stack.forecaster.id, intentId: intent(label), nonce: await mintNonce() };
}

async function mint(amount: bigint, label: string) {
  return mintSynth(stack.agent, stack.addresses.vault, await mintParameters(amount, label));
}

beforeAll(async () => {
  market = await openMarketStack('markets');
  ({ stack } = market);
  closes = wtiCloses('2020-04-21', '2020-04-30');
  for (const c of closes.filter((c) => c.date <= '2020-04-28')) await publish(c.date);
}, 180_000);

afterAll(async () => {
  await market?.close();
});

describe('SyntheticVault', () => {
  test('default: the agent mints at the real WTI close of 2020-04-28 within the cap; above it the mint is refused with the explained error', async () => {
    const { vault } = stack.addresses;
    const price = await stack.agent.publicClient.readContract({
      address: vault,
      abi: syntheticVaultAbi,
      functionName: 'priceWad',
    });
    expect(price).toBe(1_240n * 10n ** 16n); // $12.40
    const first = await mintParameters(1_000n * E18, 'mint-1000');
    const minted = await mintSynth(stack.agent, vault, first);
    const ev = minted.events.find((e) => e.eventName === 'Minted')!;
    expect(ev.args.amount).toBe(1_000n * E18);
    expect(ev.args.intentId).toBe(first.intentId);
    expect(ev.args.collateralAdded).toBe(0n); // a plain mint deposits nothing
    expect(await mintNonce()).toBe(first.nonce + 1n);
    // Fee: 0.30% of the minted value ($12,400), in collateral (6 decimals), rounded up.
    expect(ev.args.fee).toBe(37_200_000n);
    expect(await balanceOf(stack.agent, stack.addresses.synth, stack.agentAccount.address)).toBe(
      1_000n * E18,
    );

    // 1,000 used of 1,500 today: 600 more is refused — before sending (preflight) and by the contract.
    const call = prepareMintSynth(vault, await mintParameters(600n * E18, 'mint-600'));
    const pre = await preflight(
      stack.agent.publicClient,
      { from: stack.agentAccount.address, to: call.to, data: call.data },
      await explainContext(),
    );
    if (pre.ok) throw new Error('expected a refusal');
    expect(pre.refusal.sentence).toBe(
      "Refused by policy 'sWTI vault/SYNTH_MINT': requested 600, remaining 500 this epoch (resets at 2020-04-29T00:00:00Z).",
    );
    let revert: ContractRevertError | undefined;
    try {
      await mint(600n * E18, 'mint-600');
    } catch (error) {
      revert = toContractRevertError(error);
    }
    expect(revert?.errorName).toBe('PolicyMintCapExceeded');
    expect(revert?.args.remaining).toBe(500n * E18);
    // The CLI refuses the same way, naming the rule, the values and the reset time.
    await expect(runCli(stack, ['synth', 'mint', '600'], DEVNET_ROLES.agent)).rejects.toThrow(
      pre.refusal.sentence,
    );
  });

  test('behavior: a resend of a landed mint (the same prepared call) is refused with MintNonceMismatch, explained; nothing is minted twice', async () => {
    const { vault } = stack.addresses;
    const owner = stack.agentAccount.address;
    const landed = await readMintedLogs(stack.agent, vault, { owner, intentId: intent('mint-1000') });
    expect(landed).toHaveLength(1);
    const nonce = await mintNonce();
    // The first test's mint, prepared exactly as it was sent (its nonce is the one before the current).
    const resent = prepareMintSynth(vault, {
      amount: 1_000n * E18,
      modelId: stack.forecaster.id,
      intentId: intent('mint-1000'),
      nonce: nonce - 1n,
    });
    expect(decodeFunctionData({ abi: syntheticVaultAbi, data: resent.data }).functionName).toBe('mint');
    const before = await readPosition(stack.agent, vault, owner);
    const pre = await preflight(
      stack.agent.publicClient,
      { from: owner, to: resent.to, data: resent.data },
      await explainContext(),
    );
    if (pre.ok) throw new Error('expected a refusal');
    expect(pre.refusal.errorName).toBe('MintNonceMismatch');
    expect(pre.refusal.args).toEqual({ nonce: nonce - 1n, current: nonce });
    expect(pre.refusal.sentence).toBe(
      `Refused by the vault: the mint named mint nonce ${nonce - 1n}, but the position is at ${nonce}, so a mint with nonce ${nonce - 1n} already landed (a mint is keyed by its nonce and lands at most once): it was not minted again. Look for that mint's Minted log before minting more; for a new mint, read the nonce again (SyntheticVault.mintNonce(owner), \`provenant synth show\`) and prepare the call anew.`,
    );
    // Sent anyway (the transaction is simulated first and refused the same way): no second mint.
    let revert: ContractRevertError | undefined;
    try {
      await sendPrepared(stack.agent, resent, [syntheticVaultAbi]);
    } catch (error) {
      revert = toContractRevertError(error);
    }
    expect(revert?.errorName).toBe('MintNonceMismatch');
    expect(revert?.args).toEqual({ nonce: nonce - 1n, current: nonce });
    expect(await mintNonce()).toBe(nonce);
    expect((await readPosition(stack.agent, vault, owner)).debt).toBe(before.debt);
    expect(await readMintedLogs(stack.agent, vault, { owner, intentId: intent('mint-1000') })).toHaveLength(
      1,
    );
    // A mint's intent id is emitted, not recorded: intentUsed is for the other actions' keys.
    expect(await readIntentUsed(stack.agent, vault, owner, intent('mint-1000'))).toBe(false);
    // `synth show` prints the nonce the next mint names.
    const shown = JSON.parse(await runCli(stack, ['synth', 'show', owner, '--json'], DEVNET_ROLES.user0)) as {
      mintNonce: string;
    };
    expect(shown.mintNonce).toBe(nonce.toString());
  });

  test('behavior: the price moves against the position (WTI 12.40 → 15.04 → 19.23) and another account liquidates it', async () => {
    const { agent, addresses } = stack;
    const owner = stack.agentAccount.address;
    const before = await readPosition(agent, addresses.vault, owner);
    // A synth position is short the synth: it becomes unsafe when the synth's price RISES. Leave
    // collateral worth 115% of the debt at the 2020-04-30 close (178% now, above the 150% minimum).
    const future = 1_923n * 10n ** 16n;
    const keep = (before.debt * future * 11_500n) / BPS / E18 / 10n ** 12n + 1n;
    await withdrawCollateral(agent, addresses.vault, {
      amount: before.collateral - keep,
      to: owner,
      intentId: intent('withdraw'),
    });

    await publish('2020-04-29');
    const mid = await readPosition(agent, addresses.vault, owner);
    expect(mid.liquidatable).toBe(false);
    expect(mid.ratioBps).toBeGreaterThan(12_000n);

    const price = await publish('2020-04-30');
    const unsafe = await readPosition(agent, addresses.vault, owner);
    expect(unsafe.liquidatable).toBe(true);
    expect(unsafe.ratioBps).toBeGreaterThanOrEqual(11_000n); // partial regime: ratio >= 100% + 10% penalty

    // Only the agent mints, so the liquidator gets sWTI from it; it then liquidates through the CLI.
    const user = stack.users[0]!;
    await writeContract(agent, {
      address: addresses.synth,
      abi: erc20Abi,
      functionName: 'transfer',
      args: [user.account.address, 600n * E18],
    });
    const usdBefore = await balanceOf(user, addresses.collateral, user.account.address);
    const out = JSON.parse(
      await runCli(stack, ['synth', 'liquidate', owner, '--max-repay', '600', '--json'], DEVNET_ROLES.user0),
    ) as {
      liquidated: Record<string, string>;
    };
    const value = (600n * E18 * price) / E18;
    const seized = (value * 11_000n) / BPS / 10n ** 12n;
    const toLiquidator = (value * 10_500n) / BPS / 10n ** 12n;
    expect(BigInt(out.liquidated.debtRepaid!)).toBe(600n * E18);
    expect(BigInt(out.liquidated.toLiquidator!)).toBe(toLiquidator);
    expect(BigInt(out.liquidated.toReserve!)).toBe(seized - toLiquidator);
    expect(await balanceOf(user, addresses.collateral, user.account.address)).toBe(usdBefore + toLiquidator);
    const after = await readPosition(agent, addresses.vault, owner);
    expect(after.debt).toBe(unsafe.debt - 600n * E18);
    expect(after.collateral).toBe(unsafe.collateral - seized);
    expect(after.ratioBps).toBeGreaterThanOrEqual(unsafe.ratioBps!); // a liquidation never lowers the ratio
    expect(after.liquidatable).toBe(false);
    const shown = JSON.parse(await runCli(stack, ['synth', 'show', owner, '--json'], DEVNET_ROLES.user0)) as {
      debt: string;
      liquidatable: boolean;
    };
    expect(shown.debt).toBe(formatUnits(after.debt, 18));
    expect(shown.liquidatable).toBe(false);
  });

  test("behavior: intent ids are per caller — another account spending the agent's next key does not block it", async () => {
    const { agent, addresses } = stack;
    const owner = stack.agentAccount.address;
    const other = stack.users[1]!;
    const key = intent('shared-key');
    // The other account uses the key first, on a 1-unit deposit to its own position.
    await writeContract(agent, {
      address: addresses.collateral,
      abi: erc20Abi,
      functionName: 'transfer',
      args: [other.account.address, 1n],
    });
    await writeContract(other, {
      address: addresses.collateral,
      abi: erc20Abi,
      functionName: 'approve',
      args: [addresses.vault, 1n],
    });
    await depositCollateral(other, addresses.vault, {
      owner: other.account.address,
      amount: 1n,
      intentId: key,
    });
    expect(await readIntentUsed(agent, addresses.vault, other.account.address, key)).toBe(true);
    expect(await readIntentUsed(agent, addresses.vault, owner, key)).toBe(false);
    // The agent's action with the same key still lands, once.
    const before = await readPosition(agent, addresses.vault, owner);
    await depositCollateral(agent, addresses.vault, { owner, amount: 1n, intentId: key });
    expect((await readPosition(agent, addresses.vault, owner)).collateral).toBe(before.collateral + 1n);
    expect(await readIntentUsed(agent, addresses.vault, owner, key)).toBe(true);
    let revert: ContractRevertError | undefined;
    try {
      await depositCollateral(agent, addresses.vault, { owner, amount: 1n, intentId: key });
    } catch (error) {
      revert = toContractRevertError(error);
    }
    expect(revert?.errorName).toBe('DuplicateIntent');
  });
});

describe('ModelRegistry revenue', () => {
  test('behavior: the forecaster earns the mint fees; two shareholders claim their exact shares after a transfer', async () => {
    const { agent, addresses, users } = stack;
    const model = stack.forecaster.id;
    const record = (await readModel(agent, addresses.registry, model))!;
    const [alice, bob] = [users[0]!, users[1]!]; // registered with 600,000 and 400,000 shares
    const flush1 = await flushModelFees(agent, addresses.vault, model);
    const a1 = flush1.amount;
    expect(a1).toBe(37_200_000n - 1n); // the 1,000-synth mint's fee, minus the 1 unit the vault keeps
    const acc1 = await accRewardPerShare(agent, addresses.registry, model);
    expect(acc1).toBe(a1 * 10n ** 12n);

    await transferShares(alice, record.shares, bob.account.address, 100_000n * E18); // now 500,000 / 500,000

    // A second mint, its fee flushed too. The liquidated position sits at 120%, so the agent first tops it up.
    await depositCollateral(agent, addresses.vault, {
      owner: stack.agentAccount.address,
      amount: 50_000n * E6,
      intentId: intent('top-up'),
    });
    // The latest round (2020-04-30, 19.23) is 27.85% above the one before (15.04): the SYNTH_MINT policy's
    // deviation limit (25%) refuses a mint priced on it, on-chain.
    await expect(mint(200n * E18, 'mint-200-deviant')).rejects.toThrow(/PolicyOracleDeviation/);
    // A heartbeat round an hour later repeats the close (0% move, as a Chainlink feed's heartbeat update
    // does): the mint goes through on it, in the same epoch.
    await publish('2020-04-30', 3_600);
    const minted = await mint(200n * E18, 'mint-200');
    const fee2 = minted.events.find((e) => e.eventName === 'Minted')!.args.fee as bigint;
    expect(await accruedFees(agent, addresses.vault, model)).toBe(fee2 + 1n);
    const a2 = (await flushModelFees(agent, addresses.vault, model)).amount;
    expect(a2).toBe(fee2);
    const acc2 = await accRewardPerShare(agent, addresses.registry, model);
    expect(acc2 - acc1).toBe(a2 * 10n ** 12n);

    const expectedAlice = (600_000n * E18 * acc1) / ACC_SCALE + (500_000n * E18 * (acc2 - acc1)) / ACC_SCALE;
    const expectedBob = (400_000n * E18 * acc1) / ACC_SCALE + (500_000n * E18 * (acc2 - acc1)) / ACC_SCALE;
    const aliceClaim = await claimRevenue(alice, addresses.registry, model);
    expect(aliceClaim.amount).toBe(expectedAlice);
    // Bob claims through the CLI.
    const bobOut = JSON.parse(
      await runCli(stack, ['model', 'claim', model, '--json'], DEVNET_ROLES.user1),
    ) as { claimed: string };
    expect(BigInt(bobOut.claimed)).toBe(expectedBob);
    // Claimed + unclaimable dust == paid in; the dust is below one unit per settlement (4 here).
    const dust = a1 + a2 - expectedAlice - expectedBob;
    expect(dust).toBeGreaterThanOrEqual(0n);
    expect(dust).toBeLessThan(4n);
    const shown = JSON.parse(
      await runCli(
        stack,
        ['model', 'shares', model, '--holder', alice.account.address, bob.account.address, '--json'],
        DEVNET_ROLES.user1,
      ),
    ) as {
      holders: { shares: string; claimable: string }[];
    };
    expect(shown.holders.map((h) => [h.shares, h.claimable])).toEqual([
      ['500000', '0'],
      ['500000', '0'],
    ]);
  });
});

describe('DynamicFeePool', () => {
  test('behavior: the agent changes the fee within bounds; beyond the max step, the bounds or the rate limit it is refused (explained)', async () => {
    const { agent, addresses } = stack;
    const changed = await setPoolFee(agent, addresses.pool, 38);
    expect(changed.events.find((e) => e.eventName === 'FeeChanged')?.args).toMatchObject({
      oldFeeBps: 30n,
      newFeeBps: 38n,
    });
    const explain = async (fee: number) => {
      const call = prepareSetFee(addresses.pool, fee);
      const r = await preflight(
        agent.publicClient,
        { from: stack.agentAccount.address, to: call.to, data: call.data },
        await explainContext(),
      );
      return r.ok ? 'ok' : r.refusal.sentence;
    };
    expect(await explain(45)).toBe(
      "Refused by policy 'sWTI/USD pool/SET_FEE': change 30 → 45 exceeds the max step of 10 per epoch (resets at 2020-05-01T00:00:00Z).",
    );
    await expect(runCli(stack, ['pool', 'set-fee', '45'], DEVNET_ROLES.agent)).rejects.toThrow(
      'exceeds the max step of 10 per epoch',
    );
    expect(await explain(150)).toBe(
      "Refused by policy 'sWTI/USD pool/SET_FEE': value 150 is outside [5, 100].",
    );
    await runCli(stack, ['pool', 'set-fee', '25'], DEVNET_ROLES.agent); // |25 - 30| <= 10: the day's second change
    expect((await readPool(agent, addresses.pool)).feeBps).toBe(25n);
    expect(await explain(28)).toMatch(
      /^Refused by policy 'sWTI\/USD pool\/SET_FEE': at most 2 action\(s\) per epoch \(resets at 2020-05-01T00:00:00Z\)\.$/,
    );
  });

  test('behavior: liquidity and a swap through the CLI; k does not decrease', async () => {
    const { agent, addresses } = stack;
    await runCli(stack, ['pool', 'add', '100', '1923'], DEVNET_ROLES.agent);
    const before = await readPool(agent, addresses.pool);
    expect(before.reserve0).toBe(100n * E18);
    expect(before.reserve1).toBe(1_923n * E6);
    const swap = JSON.parse(
      await runCli(stack, ['pool', 'swap', '100', '--in', 'usd', '--json'], DEVNET_ROLES.user0),
    ) as { swapped: Record<string, string> };
    const after = await readPool(agent, addresses.pool);
    expect(after.reserve1).toBe(before.reserve1 + 100n * E6);
    expect(after.reserve0).toBe(before.reserve0 - BigInt(swap.swapped.amountOut!));
    expect(after.reserve0 * after.reserve1).toBeGreaterThanOrEqual(before.reserve0 * before.reserve1);
    const shown = JSON.parse(await runCli(stack, ['pool', 'show', '--json'], DEVNET_ROLES.agent)) as {
      feeBps: number;
      reserve1: string;
    };
    expect(shown).toMatchObject({ feeBps: 25, reserve1: '2023' });
  });
});

describe('CLI reads', () => {
  test('model show --json lists both registered models, approved by the bootstrap proposal', async () => {
    const models = JSON.parse(await runCli(stack, ['model', 'show', '--json'], DEVNET_ROLES.user0)) as {
      modelId: Address;
      kind: string;
      approved: boolean;
    }[];
    expect(models.map((m) => [m.modelId, m.kind, m.approved])).toEqual([
      [stack.forecaster.id, 'forecaster', true],
      [stack.generator.id, 'generator', true],
    ]);
  });

  test('model register + approve --pass: a new model is registered with its share split and approved through governance', async () => {
    const [alice, bob] = [stack.users[0]!.account.address, stack.users[1]!.account.address];
    const registered = JSON.parse(
      await runCli(
        stack,
        [
          'model',
          'register',
          'models/forecaster-wti.json',
          '--uri',
          'ipfs://example',
          '--holder',
          `${alice}=700000`,
          `${bob}=300000`,
          '--json',
        ],
        DEVNET_ROLES.user0,
      ),
    ) as { modelId: Hex; kind: string; approved: boolean; owner: Address };
    expect(registered).toMatchObject({ kind: 'forecaster', approved: false, owner: alice });
    const approved = JSON.parse(
      await runCli(
        stack,
        [
          'model',
          'approve',
          registered.modelId.slice(0, 14),
          '--owner',
          alice,
          '--holder',
          `${alice}=700000`,
          `${bob}=300000`,
          '--pass',
          '--json',
        ],
        DEVNET_ROLES.deployer,
      ),
    ) as { state: string };
    expect(approved.state).toBe('Executed');
    const shown = JSON.parse(
      await runCli(stack, ['model', 'show', registered.modelId, '--json'], DEVNET_ROLES.user0),
    ) as { approved: boolean };
    expect(shown.approved).toBe(true);
    const status = JSON.parse(await runCli(stack, ['gov', 'status', '--json'], DEVNET_ROLES.user0)) as {
      state: string;
      calls: string[];
    }[];
    // The stack's bootstrap proposal (saved by the stack like any other) and this approval.
    expect(status.map((p) => p.state)).toEqual(['Executed', 'Executed']);
    expect(status.map((p) => p.calls.length)).toEqual([expect.any(Number), 1]);
    expect(status[1]!.calls[0]).toMatch(new RegExp(`^approve forecaster ${registered.modelId.slice(0, 12)}`));
    const shares = JSON.parse(
      await runCli(
        stack,
        ['model', 'shares', registered.modelId, '--holder', alice, bob, '--json'],
        DEVNET_ROLES.user0,
      ),
    ) as {
      holders: { shares: string }[];
    };
    expect(shares.holders.map((h) => h.shares)).toEqual(['700000', '300000']);
  });

  test('model squatting: an id registered first by someone else does not block the owner; governance approves the owner and the squatter can never be approved', async () => {
    const [alice, mallory] = [stack.users[0]!.account.address, stack.users[1]!.account.address];
    // A model file alice is about to publish; its id is computable by anyone who sees the file.
    const model = { ...parseModelFile(readFileSync('models/forecaster-wti.json')), version: 'squat-test' };
    const dir = mkdtempSync(join(tmpdir(), 'provenant-squat-'));
    const file = join(dir, 'model.json');
    writeFileSync(file, modelFileBytes(model));
    const id = modelIdOf(model);
    const registration = (holders: Address[]) => ({
      id,
      kind: 0 as const,
      version: model.version,
      uri: '',
      licence: 'MIT',
      holders,
      amounts: [1_000_000n * E18],
    });
    try {
      // mallory registers it first, every share to herself
      await runCli(stack, ['model', 'register', file, '--holder', `${mallory}=1000000`], DEVNET_ROLES.user1);
      expect((await readModel(stack.users[0]!, stack.addresses.registry, id))?.owner).toBe(mallory);
      // a proposal naming alice is refused before it is made: alice has not registered yet
      await expect(
        runCli(
          stack,
          ['model', 'approve', id.slice(0, 14), '--owner', alice, '--holder', `${alice}=1000000`],
          DEVNET_ROLES.deployer,
        ),
      ).rejects.toThrow(`Model ${id} has no registration by ${alice}`);
      // alice still registers her own (the bootstrap path), and again is idempotent
      const mine = await ensureModelRegistered(
        stack.users[0]!,
        stack.addresses.registry,
        registration([alice]),
      );
      expect(mine.owner).toBe(alice);
      expect(
        await ensureModelRegistered(stack.users[0]!, stack.addresses.registry, registration([alice])),
      ).toEqual(mine);
      expect(
        (await readRegistration(stack.users[0]!, stack.addresses.registry, id, mallory))?.shares,
      ).not.toBe(mine.shares);
      // governance approves alice's registration, the one it reviewed
      const approved = JSON.parse(
        await runCli(
          stack,
          [
            'model',
            'approve',
            id.slice(0, 14),
            '--owner',
            alice,
            '--holder',
            `${alice}=1000000`,
            '--pass',
            '--json',
          ],
          DEVNET_ROLES.deployer,
        ),
      ) as { state: string };
      expect(approved.state).toBe('Executed');
      const shown = JSON.parse(await runCli(stack, ['model', 'show', id, '--json'], DEVNET_ROLES.user0)) as {
        owner: Address;
        approved: boolean;
        bound: boolean;
        otherRegistrations: { owner: Address; approved: boolean }[];
      };
      expect(shown).toMatchObject({ owner: alice, approved: true, bound: true });
      expect(shown.otherRegistrations).toEqual([
        expect.objectContaining({ owner: mallory, approved: false }),
      ]);
      // mallory's registration can never be approved now: refused before proposing, and by the bootstrap path
      await expect(
        runCli(
          stack,
          ['model', 'approve', id.slice(0, 14), '--owner', mallory, '--holder', `${mallory}=1000000`],
          DEVNET_ROLES.deployer,
        ),
      ).rejects.toThrow(`Model ${id} is registered with a different owner than expected`);
      await expect(
        ensureModelRegistered(stack.users[1]!, stack.addresses.registry, registration([mallory])),
      ).rejects.toBeInstanceOf(ModelRegistrationMismatchError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('behavior: synth mint --intent retried after it landed is reported, not minted again; repay and deposit keys stay recorded', async () => {
    const { agent, addresses } = stack;
    const owner = stack.agentAccount.address;
    const nonce = await mintNonce();
    const cli = ['synth', 'mint', '1', '--intent', 'cli-retry'];
    await runCli(stack, cli, DEVNET_ROLES.agent);
    expect(await mintNonce()).toBe(nonce + 1n);
    await expect(runCli(stack, cli, DEVNET_ROLES.agent)).rejects.toThrow(
      /A mint with --intent 'cli-retry' already landed: 1 sWTI in tx 0x[0-9a-f]{64} \(block \d+\); it is not minted again\./,
    );
    expect(await mintNonce()).toBe(nonce + 1n);
    // The other actions' optional keys are still recorded per caller, and refused when reused.
    await repaySynth(agent, addresses.vault, { owner, amount: E18, intentId: intent('repay-1') });
    expect(await readIntentUsed(agent, addresses.vault, owner, intent('repay-1'))).toBe(true);
    expect(await readIntentUsed(agent, addresses.vault, owner, intent('top-up'))).toBe(true); // a deposit's
    let revert: ContractRevertError | undefined;
    try {
      await repaySynth(agent, addresses.vault, { owner, amount: E18, intentId: intent('repay-1') });
    } catch (error) {
      revert = toContractRevertError(error);
    }
    expect(revert?.errorName).toBe('DuplicateIntent');
    expect(await mintNonce()).toBe(nonce + 1n); // a repay neither names nor moves the mint nonce
  });

  test('synth open / withdraw / show for a user position (no debt: withdraw needs no price)', async () => {
    const user = stack.users[0]!.account.address;
    await runCli(stack, ['synth', 'open', '500'], DEVNET_ROLES.user0);
    await runCli(stack, ['synth', 'withdraw', '200'], DEVNET_ROLES.user0);
    const shown = JSON.parse(await runCli(stack, ['synth', 'show', '--json'], DEVNET_ROLES.user0)) as {
      owner: Address;
      collateral: string;
      debt: string;
    };
    expect(shown).toMatchObject({ owner: user, collateral: '300', debt: '0' });
  });
});
