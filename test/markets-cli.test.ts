import { encodeAbiParameters, erc20Abi, formatUnits, type Hex, keccak256, parseUnits } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Stack } from '../src/agent/index.js';
import {
  balanceOf,
  DEVNET_ROLES,
  dynamicFeePoolAbi,
  mintSynth,
  readPosition,
  syntheticVaultAbi,
  writeContract,
} from '../src/chain/index.js';
import { explainPoolError } from '../src/cli/commands/pool.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack, publishWtiClose, wtiCloses } from './marketStack.js';

// Review s7 (markets journey): what `synth` and `pool` print for a position holder, a keeper and an LP.

const E18 = 10n ** 18n;

let market: MarketStack;
let stack: Stack;
let closes: { date: string; value: number }[];

const intent = (label: string): Hex =>
  keccak256(encodeAbiParameters([{ type: 'string' }], [`markets-cli:${label}`]));

async function publish(date: string): Promise<void> {
  await publishWtiClose(stack, closes, date);
}

/** Runs a command expected to fail and returns its error message (the CLI's printed text). */
async function refusal(args: string[], account: number): Promise<string> {
  try {
    await runCli(stack, args, account);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected \`${args.join(' ')}\` to be refused`);
}

type Shown = Record<string, string | number | boolean | null>;
const show = async (owner: string): Promise<Shown> =>
  JSON.parse(await runCli(stack, ['synth', 'show', owner, '--json'], DEVNET_ROLES.user0)) as Shown;

beforeAll(async () => {
  market = await openMarketStack('markets-cli');
  ({ stack } = market);
  closes = wtiCloses('2020-04-21', '2020-04-28');
  for (const c of closes) await publish(c.date);
  await mintSynth(stack.agent, stack.addresses.vault, {
    amount: 1_000n * E18,
    modelId: stack.forecaster.id,
    intentId: intent('mint'),
  });
  await runCli(stack, ['pool', 'add', '100', '1240'], DEVNET_ROLES.agent);
}, 240_000);

afterAll(async () => {
  await market?.close();
});

describe('synth show (review s7: price age, room to act, liquidation price)', () => {
  test('the price carries its round and age; withdrawing exactly `withdrawable` passes and 1 unit more is refused', async () => {
    const agent = stack.agentAccount.address;
    const shown = await show(agent);
    expect(shown).toMatchObject({
      collateralSymbol: 'tUSD',
      price: '12.4',
      lastPrice: '12.4',
      priceFresh: true,
      maxOracleAgeSeconds: expect.any(Number),
      priceAgeSeconds: expect.any(Number),
    });
    expect(Number(shown.priceRound)).toBeGreaterThan(0);
    expect(shown.liquidationPrice).not.toBeNull();
    expect(shown.mintable).not.toBeNull();
    const withdrawable = parseUnits(String(shown.withdrawable), 6);
    expect(withdrawable).toBeGreaterThan(0n);
    // One unit above what `synth show` offers is refused by the vault, with the figure to use instead.
    const over = formatUnits(withdrawable + 1n, 6);
    expect(await refusal(['synth', 'withdraw', over], DEVNET_ROLES.agent)).toContain(
      `At most ${shown.withdrawable} tUSD can be withdrawn now`,
    );
    await expect(
      stack.agent.publicClient.simulateContract({
        account: stack.agentAccount,
        address: stack.addresses.vault,
        abi: syntheticVaultAbi,
        functionName: 'withdraw',
        args: [withdrawable + 1n, agent, intent('over')],
      }),
    ).rejects.toThrow(/CollateralRatioTooLow/);
    await runCli(stack, ['synth', 'withdraw', String(shown.withdrawable)], DEVNET_ROLES.agent);
    const after = await show(agent);
    expect(after.withdrawable).toBe('0');
    expect(after.ratioAtLastPrice).toBe(after.ratio);
    const position = await readPosition(stack.agent, stack.addresses.vault, agent);
    expect(position.ratioBps).toBeGreaterThanOrEqual(15_000n);
  });
});

describe('synth refusals name the rule, the numbers and the fix (review s7)', () => {
  test('liquidating a position without debt says so (it used to say "You hold no sWTI" to a keeper holding sWTI)', async () => {
    const keeper = stack.users[1]!;
    await writeContract(stack.agent, {
      address: stack.addresses.synth,
      abi: erc20Abi,
      functionName: 'transfer',
      args: [keeper.account.address, 5n * E18],
    });
    const empty = stack.users[2]!.account.address;
    const message = await refusal(['synth', 'liquidate', empty], DEVNET_ROLES.user1);
    expect(message).toContain(`Position ${empty} in sWTI has no debt, so there is nothing to liquidate.`);
    expect(message).not.toContain('You hold no sWTI');
  });

  test('liquidating a safe position names its ratio and the price at which it becomes liquidatable', async () => {
    const agent = stack.agentAccount.address;
    const shown = await show(agent);
    const message = await refusal(['synth', 'liquidate', agent], DEVNET_ROLES.user1);
    expect(message).toContain(`Position ${agent} in sWTI is safe: its collateral ratio is ${shown.ratio}`);
    expect(message).toContain(
      `it becomes liquidatable when the price reaches ${shown.liquidationPrice} USD per sWTI`,
    );
  });

  test('burning with no debt, or more than the debt, is refused in whole sWTI', async () => {
    expect(await refusal(['synth', 'burn', '1'], DEVNET_ROLES.user1)).toContain(
      'Your position in sWTI has no debt, so there is nothing to repay.',
    );
    const agent = stack.agentAccount.address;
    const debt = (await readPosition(stack.agent, stack.addresses.vault, agent)).debt;
    expect(await refusal(['synth', 'burn', '2000', '--owner', agent], DEVNET_ROLES.user1)).toContain(
      `Repaying 2000 sWTI is more than the debt of ${formatUnits(debt, 18)} sWTI.`,
    );
  });
});

describe('pool (review s7: balances in whole units, your share, deadline)', () => {
  test('adding, swapping or removing more than you hold is refused in whole units, not base units', async () => {
    const user = stack.users[0]!.account.address;
    const usd = await balanceOf(stack.agent, stack.addresses.collateral, user);
    const more = formatUnits(usd + 1_000_000n, 6);
    const swap = await refusal(['pool', 'swap', more, '--in', 'usd'], DEVNET_ROLES.user0);
    expect(swap).toContain(`You hold ${formatUnits(usd, 6)} tUSD, less than the ${more} tUSD this needs.`);
    expect(swap).not.toContain('base units');
    const add = await refusal(['pool', 'add', '1', '12.4'], DEVNET_ROLES.user2);
    expect(add).toContain('You hold 0 sWTI, less than the 1 sWTI this needs.');
    const remove = await refusal(['pool', 'remove', '1'], DEVNET_ROLES.user0);
    expect(remove).toContain('You hold 0 LP shares, less than the 1 to burn.');
  });

  test('pool show gives your share of the pool and what it redeems for', async () => {
    const shown = JSON.parse(await runCli(stack, ['pool', 'show', '--json'], DEVNET_ROLES.agent)) as Shown;
    const [r0, r1] = await stack.agent.publicClient.readContract({
      address: stack.addresses.pool,
      abi: dynamicFeePoolAbi,
      functionName: 'previewRemove',
      args: [parseUnits(String(shown.yourShares), 18)],
    });
    // The first deposit burns 1,000 shares to 0x…dEaD: the agent holds all but those.
    expect(Number(shown.yourSharePercent)).toBeGreaterThan(99.99);
    expect(Number(shown.yourSharePercent)).toBeLessThan(100);
    expect(shown.yourRedeem0).toBe(formatUnits(r0, 18));
    expect(shown.yourRedeem1).toBe(formatUnits(r1, 6));
  });

  test('a swap after the chain sat idle for an hour lands (the deadline counts from the next block, not the last one)', async () => {
    await writeContract(stack.agent, {
      address: stack.addresses.collateral,
      abi: erc20Abi,
      functionName: 'transfer',
      args: [stack.users[0]!.account.address, 100_000_000n], // 100 tUSD
    });
    // Approved beforehand: an approval transaction would mine a fresh block and hide the idle chain.
    await writeContract(stack.users[0]!, {
      address: stack.addresses.collateral,
      abi: erc20Abi,
      functionName: 'approve',
      args: [stack.addresses.pool, 100_000_000n],
    });
    await stack.deployer.testClient!.increaseTime({ seconds: 3_600 });
    const out = await runCli(
      stack,
      ['pool', 'swap', '10', '--in', 'usd', '--deadline', '60'],
      DEVNET_ROLES.user0,
    );
    expect(out).toMatch(/^Swapped 10 tUSD for [0-9.]+ sWTI at \d+ bps fee: [0-9.]+ tUSD per sWTI/);
  });

  test('a swap mined after its deadline is explained with both times', async () => {
    const user = stack.users[0]!;
    const block = await user.publicClient.getBlock();
    let caught: unknown;
    try {
      await writeContract(user, {
        address: stack.addresses.pool,
        abi: dynamicFeePoolAbi,
        functionName: 'swapExactIn',
        args: [stack.addresses.collateral, 1_000_000n, 0n, user.account.address, block.timestamp - 1n],
      });
    } catch (error) {
      caught = error;
    }
    const explained = explainPoolError(caught) as Error;
    expect(explained.message).toContain(
      `Refused by the pool: the deadline ${new Date(Number(block.timestamp - 1n) * 1000).toISOString()} had passed`,
    );
    expect(explained.message).toContain('--deadline');
  });
});

describe('synth mint refusals that no policy limit would change (review s7)', () => {
  test('zkRequired: the refusal names the rule and the two ways forward, not `policy show`', async () => {
    await writeContract(stack.guardian, {
      address: stack.addresses.vault,
      abi: syntheticVaultAbi,
      functionName: 'setZkRequired',
      args: [true],
    });
    const message = await refusal(['synth', 'mint', '1'], DEVNET_ROLES.agent);
    expect(message).toContain('Refused by the vault: it accepts zk-proven mints only (zkRequired is on)');
    expect(message).toContain('This is a rule of the contract, not a policy limit');
    expect(message).not.toContain('policy show');
    // `open --mint` is refused before its deposit (it used to deposit, then fail the mint).
    const before = await readPosition(stack.agent, stack.addresses.vault, stack.agentAccount.address);
    const open = await refusal(['synth', 'open', '10', '--mint', '1'], DEVNET_ROLES.agent);
    expect(open).toContain('it accepts zk-proven mints only');
    expect(open).toContain('Nothing was sent: the deposit was not made either.');
    const after = await readPosition(stack.agent, stack.addresses.vault, stack.agentAccount.address);
    expect(after.collateral).toBe(before.collateral);
  });

  test('a stale price: synth show keeps the last price with its age and the ratio at it', async () => {
    const before = await show(stack.agentAccount.address);
    const maxAge = Number(before.maxOracleAgeSeconds);
    await stack.deployer.testClient!.increaseTime({ seconds: maxAge + 60 });
    await stack.deployer.testClient!.mine({ blocks: 1 });
    const shown = await show(stack.agentAccount.address);
    expect(shown).toMatchObject({
      price: null,
      lastPrice: '12.4',
      priceFresh: false,
      ratio: 'n/a (no fresh price)',
    });
    expect(Number(shown.priceAgeSeconds)).toBeGreaterThan(maxAge);
    expect(shown.ratioAtLastPrice).toBe(before.ratio);
    const table = await runCli(stack, ['synth', 'show', stack.agentAccount.address], DEVNET_ROLES.user0);
    expect(table).toContain('STALE: last 12.4 USD per sWTI');
  });
});

describe('faucet (devnet collateral)', () => {
  test('mints tUSD in whole units to --to; over the per-call cap and too many decimals are refused', async () => {
    const to = stack.users[2]!.account.address;
    const before = await balanceOf(stack.deployer, stack.addresses.collateral, to);
    const printed = await runCli(stack, ['faucet', '1,500.25', '--to', to], DEVNET_ROLES.user0);
    const after = await balanceOf(stack.deployer, stack.addresses.collateral, to);
    expect(after - before).toBe(1_500_250_000n);
    expect(printed).toContain(`Minted 1500.25 tUSD to ${to}`);
    expect(printed).toContain(`its balance is now ${formatUnits(after, 6)} tUSD`);
    expect(await refusal(['faucet', '2000000000000'], DEVNET_ROLES.user0)).toContain(
      'The faucet mints at most 1000000000000 tUSD per call; asked for 2000000000000.',
    );
    expect(await refusal(['faucet', '1.1234567'], DEVNET_ROLES.user0)).toContain(
      "The amount '1.1234567' has 7 decimals, but at most 6 are allowed",
    );
  });
});
