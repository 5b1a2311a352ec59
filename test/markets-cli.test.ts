import {
  type Address,
  encodeAbiParameters,
  erc20Abi,
  formatUnits,
  type Hex,
  keccak256,
  parseUnits,
  zeroAddress,
} from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Stack } from '../src/agent/index.js';
import {
  balanceOf,
  DEVNET_ROLES,
  dynamicFeePoolAbi,
  maxAmountInForImpact,
  mintSynth,
  policyGuardAbi,
  readMintNonce,
  readPool,
  readPosition,
  swapPriceImpact,
  syntheticVaultAbi,
  writeContract,
} from '../src/chain/index.js';
import { explainPoolError, PriceImpactTooHighError } from '../src/cli/commands/pool.js';
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
    nonce: await readMintNonce(stack.agent, stack.addresses.vault, stack.agentAccount.address),
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
    // To the vault itself: refused before sending (the collateral would belong to no position), and the
    // vault refuses it too.
    const vault = stack.addresses.vault;
    expect(await refusal(['synth', 'withdraw', '1', '--to', vault], DEVNET_ROLES.agent)).toContain(
      'is the sWTI vault itself: collateral sent there belongs to no position',
    );
    await expect(
      stack.agent.publicClient.simulateContract({
        account: stack.agentAccount,
        address: vault,
        abi: syntheticVaultAbi,
        functionName: 'withdraw',
        args: [1n, vault, intent('to-vault')],
      }),
    ).rejects.toThrow(/CollateralToVault/);
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

describe('pool swap --max-price-impact-bps (refused before anything is sent)', () => {
  const user = () => stack.users[0]!.account.address;
  const nonce = () => stack.agent.publicClient.getTransactionCount({ address: user() });
  /** Runs a swap expected to be refused and returns the error. */
  async function refusedSwap(args: string[]): Promise<PriceImpactTooHighError> {
    try {
      await runCli(stack, ['pool', 'swap', ...args], DEVNET_ROLES.user0);
    } catch (error) {
      return error as PriceImpactTooHighError;
    }
    throw new Error(`expected \`pool swap ${args.join(' ')}\` to be refused`);
  }

  test('by default (1000 bps) a swap moving the price 44% is refused with the impact, the limit and the size that fits; nothing is sent', async () => {
    await runCli(stack, ['faucet', '3000', '--to', user()], DEVNET_ROLES.user0);
    const state = await readPool(stack.agent, stack.addresses.pool);
    const before = await nonce();
    const error = await refusedSwap(['1000', '--in', 'usd']);
    expect(error).toBeInstanceOf(PriceImpactTooHighError);
    const impact = swapPriceImpact({
      amountIn: 1_000_000_000n,
      reserveIn: state.reserve1,
      feeBps: state.feeBps,
    });
    const fits = maxAmountInForImpact({
      reserveIn: state.reserve1,
      feeBps: state.feeBps,
      maxImpactBps: 1_000n,
    })!;
    expect(error.impactBps).toBe(impact.impactBps);
    expect(error.impactBps).toBeGreaterThan(4_000n);
    expect(error.maxImpactBps).toBe(1_000n);
    expect(error.maxAmountIn).toBe(fits);
    expect(error.message).toContain(
      `Swapping 1000 tUSD would move the price ${formatUnits(impact.impactBps, 2)}% against you (price impact ${impact.impactBps} bps, not counting the ${state.feeBps} bps fee), above --max-price-impact-bps 1000 (10%).`,
    );
    expect(error.message).toContain(`at most ${formatUnits(fits, 6)} tUSD fits within 1000 bps now`);
    // Nothing was sent: not the swap, not even the approval before it.
    expect(await nonce()).toBe(before);
    expect(await readPool(stack.agent, stack.addresses.pool)).toEqual(state);
  });

  test('the size that fits a limit passes and one base unit more is refused; the swap it sends moves the price within the limit', async () => {
    const state = await readPool(stack.agent, stack.addresses.pool);
    const fits = maxAmountInForImpact({
      reserveIn: state.reserve1,
      feeBps: state.feeBps,
      maxImpactBps: 200n,
    })!;
    const over = await refusedSwap([
      formatUnits(fits + 1n, 6),
      '--in',
      'usd',
      '--max-price-impact-bps',
      '200',
    ]);
    expect(over).toBeInstanceOf(PriceImpactTooHighError);
    expect(over.impactBps).toBe(201n); // rounded up: just above 200
    expect(over.maxAmountIn).toBe(fits);
    const swap = JSON.parse(
      await runCli(
        stack,
        ['pool', 'swap', formatUnits(fits, 6), '--in', 'usd', '--max-price-impact-bps', '200', '--json'],
        DEVNET_ROLES.user0,
      ),
    ) as Record<string, unknown> & { swapped: Record<string, string> };
    expect(swap.priceImpactBps).toBe(200);
    // What the pool paid, before its fee, against its price before: within 2% (1 wei for the pool's rounding).
    const out = BigInt(swap.swapped.amountOut!);
    const x = fits * (10_000n - state.feeBps); // the input after the fee, times 10,000
    expect((out + 1n) * state.reserve1 * 10_000n * 10_000n).toBeGreaterThanOrEqual(
      (10_000n - 200n) * x * state.reserve0,
    );
    expect(out * state.reserve1 * 10_000n * 10_000n).toBeLessThan((10_000n - 199n) * x * state.reserve0);
  });

  test('--json gives the amounts in whole units next to the base units', async () => {
    const swap = JSON.parse(
      await runCli(stack, ['pool', 'swap', '5', '--in', 'usd', '--json'], DEVNET_ROLES.user0),
    ) as Record<string, string> & { swapped: Record<string, string> };
    expect(swap.swapped.amountIn).toBe('5000000');
    expect(swap).toMatchObject({
      tokenIn: 'tUSD',
      tokenOut: 'sWTI',
      amountInUnits: '5',
      amountOutUnits: formatUnits(BigInt(swap.swapped.amountOut!), 18),
      quotedUnits: formatUnits(BigInt(swap.quoted!), 18),
      minOutUnits: formatUnits(BigInt(swap.minOut!), 18),
    });
    expect(swap.quoted).toMatch(/^\d+$/);
  });

  test("pool add off the pool's ratio is refused before sending, in whole units; pool add|remove --json (they had no JSON) give base and whole units", async () => {
    type Liquidity = Record<string, string | null>;
    // Off the pool's ratio (about 13 tUSD per sWTI) the pool would take far less than 5 tUSD: refused before
    // sending, in whole units with the amounts that pair (it used to revert `InsufficientAmount` in base units).
    const { reserve0, reserve1 } = await readPool(stack.agent, stack.addresses.pool);
    const pair1 = (10n ** 17n * reserve1 + reserve0 - 1n) / reserve0; // 0.1 sWTI's worth of tUSD, rounded up
    const before = await stack.agent.publicClient.getTransactionCount({ address: user() });
    const off = await refusal(['pool', 'add', '0.1', '5'], DEVNET_ROLES.user0);
    expect(off).toContain("0.1 sWTI and 5 tUSD are off the pool's ratio");
    expect(off).toMatch(
      /it would take 0\.\d+ sWTI \+ 1\.\d+ tUSD; 1\.\d+ tUSD is below the 4\.95 tUSD that --slippage-bps 100 accepts\./,
    );
    expect(off).toContain(`\`provenant pool add 0.1 ${formatUnits(pair1, 6)}\``);
    expect(await stack.agent.publicClient.getTransactionCount({ address: user() })).toBe(before);
    const added = JSON.parse(
      await runCli(stack, ['pool', 'add', '0.1', formatUnits(pair1, 6), '--json'], DEVNET_ROLES.user0),
    ) as Liquidity & { added: Record<string, string> };
    expect(added).toMatchObject({
      token0: 'sWTI',
      token1: 'tUSD',
      amount0Units: formatUnits(BigInt(added.added.amount0!), 18),
      amount1Units: formatUnits(BigInt(added.added.amount1!), 6),
      sharesUnits: formatUnits(BigInt(added.added.shares!), 18),
    });
    expect(BigInt(added.added.shares!)).toBeGreaterThan(0n);
    const removed = JSON.parse(
      await runCli(stack, ['pool', 'remove', '--all', '--json'], DEVNET_ROLES.user0),
    ) as Liquidity & { removed: Record<string, string> };
    expect(removed.removed.shares).toBe(added.added.shares);
    expect(removed).toMatchObject({
      token0: 'sWTI',
      token1: 'tUSD',
      amount0Units: formatUnits(BigInt(removed.removed.amount0!), 18),
      amount1Units: formatUnits(BigInt(removed.removed.amount1!), 6),
      sharesUnits: added.sharesUnits,
    });
  });
});

describe('synth mint --json (whole units next to base units; JSON only on stdout)', () => {
  test('the document parses, and carries the Minted amounts in whole units with their tokens', async () => {
    const agent = stack.agentAccount.address;
    await runCli(stack, ['faucet', '200', '--to', agent], DEVNET_ROLES.user0);
    const opened = JSON.parse(
      await runCli(stack, ['synth', 'open', '200', '--json'], DEVNET_ROLES.agent),
    ) as Record<string, unknown> & { deposited: Record<string, string> };
    expect(opened.deposited.amount).toBe('200000000');
    expect(opened).toMatchObject({ token: 'tUSD', amountUnits: '200', minted: null });
    const printed = await runCli(stack, ['synth', 'mint', '1.5', '--json'], DEVNET_ROLES.agent);
    // It used to print the "Minted …" sentence before the JSON, which made stdout unparseable.
    const minted = JSON.parse(printed) as Record<string, unknown> & {
      events: { eventName: string; args: Record<string, string> }[];
    };
    const event = minted.events.find((e) => e.eventName === 'Minted')!;
    expect(event.args.amount).toBe('1500000000000000000');
    expect(minted).toMatchObject({
      synth: 'sWTI',
      feeToken: 'tUSD',
      amount: '1500000000000000000',
      amountUnits: '1.5',
      fee: event.args.fee,
      feeUnits: formatUnits(BigInt(event.args.fee!), 6),
      priceUnits: formatUnits(BigInt(event.args.priceWad!), 18),
      ratioAfter: `${(Number(event.args.ratioAfterBps) / 100).toFixed(2)}%`,
    });
    expect(BigInt(event.args.fee!)).toBeGreaterThan(0n);
  });
});

describe('synth burn|withdraw --json (they had no JSON; whole units next to base units)', () => {
  test('burn gives the Repaid event and the amount in sWTI; withdraw the Withdrawn event and the amount in tUSD', async () => {
    const agent = stack.agentAccount.address;
    const burned = JSON.parse(
      await runCli(stack, ['synth', 'burn', '1.25', '--owner', agent, '--json'], DEVNET_ROLES.user1),
    ) as Record<string, unknown> & { repaid: Record<string, string> };
    expect(burned.repaid).toMatchObject({ owner: agent, amount: '1250000000000000000' });
    expect(burned).toMatchObject({ token: 'sWTI', amountUnits: '1.25' });
    const withdrawn = JSON.parse(
      await runCli(stack, ['synth', 'withdraw', '0.5', '--json'], DEVNET_ROLES.agent),
    ) as Record<string, unknown> & { withdrawn: Record<string, string> };
    expect(withdrawn.withdrawn).toMatchObject({ owner: agent, to: agent, amount: '500000' });
    expect(withdrawn).toMatchObject({ token: 'tUSD', amountUnits: '0.5' });
  });
});

describe('user walk s9: a holder is told who mints, what it holds, and the faucet and pool speak JSON and fixes', () => {
  test('a mint signed by a holder is refused for the role, naming the agent, before any deposit', async () => {
    const holder = stack.users[0]!.account.address;
    const agent = stack.agentAccount.address;
    await runCli(stack, ['faucet', '200', '--to', holder], DEVNET_ROLES.user0);
    const mint = await refusal(['synth', 'mint', '1'], DEVNET_ROLES.user0);
    expect(mint).toContain(`Only the agent ${agent} may mint sWTI`);
    expect(mint).toContain(`you sign as ${holder}`);
    expect(mint).toContain('A holder opens a position and deposits collateral');
    expect(mint).not.toContain('zk-proven');
    const before = await readPosition(stack.agent, stack.addresses.vault, holder);
    const open = await refusal(['synth', 'open', '100', '--mint', '1'], DEVNET_ROLES.user0);
    expect(open).toContain(`Only the agent ${agent} may mint sWTI`);
    expect(open).toContain('Nothing was sent: the deposit was not made either.');
    expect((await readPosition(stack.agent, stack.addresses.vault, holder)).collateral).toBe(
      before.collateral,
    );
  });

  test("synth show: a holder's position can mint nothing (mintable null, with the reason); the wallet is shown", async () => {
    const holder = stack.users[0]!.account.address;
    await runCli(stack, ['synth', 'open', '100'], DEVNET_ROLES.user0);
    const shown = (await show(holder)) as Shown & { wallet: Record<string, string> };
    expect(shown.mintable).toBeNull();
    expect(shown.mintableNote).toContain(`only the agent ${stack.agentAccount.address} mints`);
    expect(shown.withdrawable).toBe('100');
    const [synthHeld, usdHeld] = await Promise.all([
      balanceOf(stack.agent, stack.addresses.synth, holder),
      balanceOf(stack.agent, stack.addresses.collateral, holder),
    ]);
    expect(shown.wallet).toEqual({
      holder,
      synth: synthHeld.toString(),
      synthUnits: formatUnits(synthHeld, 18),
      collateral: usdHeld.toString(),
      collateralUnits: formatUnits(usdHeld, 6),
    });
    const text = await runCli(stack, ['synth', 'show'], DEVNET_ROLES.user0);
    expect(text).toMatch(
      /can mint +none: only the agent 0x[0-9a-fA-F]{40} mints, and only against its own position/,
    );
    expect(text).not.toMatch(/can mint +[0-9]/);
    expect(text).toContain(`you hold ${formatUnits(synthHeld, 18)} sWTI, ${formatUnits(usdHeld, 6)} tUSD`);
    // Someone else's position names its owner as the holder; the agent's own keeps its room to mint.
    const other = await runCli(stack, ['synth', 'show', holder], DEVNET_ROLES.user1);
    expect(other).toContain(`${holder} holds ${formatUnits(synthHeld, 18)} sWTI`);
    const agent = await show(stack.agentAccount.address);
    expect(agent.mintable).not.toBeNull();
    expect(agent.mintableNote).toBeNull();
  });

  test('faucet --json gives the amount and balance in base and whole units, the token, recipient and tx', async () => {
    const to = stack.users[2]!.account.address;
    const before = await balanceOf(stack.agent, stack.addresses.collateral, to);
    const out = JSON.parse(
      await runCli(stack, ['faucet', '12.5', '--to', to, '--json'], DEVNET_ROLES.user0),
    ) as Record<string, string>;
    expect(out).toMatchObject({
      token: 'tUSD',
      recipient: to,
      amount: '12500000',
      amountUnits: '12.5',
      balance: (before + 12_500_000n).toString(),
      balanceUnits: formatUnits(before + 12_500_000n, 6),
    });
    expect(out.hash).toMatch(/^0x[0-9a-f]{64}$/);
  });

  test('pool: remove --all without shares names how to get some; show does not offer remove --all; impact 0 names the limit that fits', async () => {
    const none = await refusal(['pool', 'remove', '--all'], DEVNET_ROLES.user2);
    expect(none).toContain('You hold no LP shares of this pool');
    expect(none).toContain('`provenant pool add <sWTI> <tUSD>`');
    const shown = await runCli(stack, ['pool', 'show'], DEVNET_ROLES.user2);
    expect(shown).not.toContain('pool remove --all');
    expect(shown).toContain('nothing: you hold no LP shares');
    const zero = await refusal(
      ['pool', 'swap', '1', '--in', 'usd', '--max-price-impact-bps', '0'],
      DEVNET_ROLES.user0,
    );
    expect(zero).toContain('no swap fits within 0 bps');
    expect(zero).toMatch(/--max-price-impact-bps \d+ accepts this swap/);
    expect(zero).not.toContain('at most 0 tUSD');
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
    // A holder's key is refused for the role first (only the agent mints), not for the zk rule.
    const holder = await refusal(['synth', 'mint', '1'], DEVNET_ROLES.user0);
    expect(holder).toContain(`Only the agent ${stack.agentAccount.address} may mint sWTI`);
    expect(holder).not.toContain('zk-proven mints only');
    // synth show of the agent's own position says minting is zk-only now.
    expect((await show(stack.agentAccount.address)).mintableNote).toContain('zk-proven mints only');
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

describe('synth liquidate --json (whole units next to base units)', () => {
  test('after WTI rose to its 2020-05-05 close, a keeper liquidates the agent; the JSON names the amounts in units', async () => {
    // The agent's position sits near the minimum ratio at 12.4 USD; a fresh round at the 2020-05-05 close
    // (about twice that) puts it below the liquidation ratio.
    await publishWtiClose(stack, wtiCloses('2020-05-05', '2020-05-05'), '2020-05-05');
    const agent = stack.agentAccount.address;
    expect((await readPosition(stack.agent, stack.addresses.vault, agent)).liquidatable).toBe(true);
    const out = JSON.parse(
      await runCli(stack, ['synth', 'liquidate', agent, '--max-repay', '2.5', '--json'], DEVNET_ROLES.user1),
    ) as Record<string, unknown> & { liquidated: Record<string, string> };
    const l = out.liquidated;
    expect(l.debtRepaid).toBe('2500000000000000000');
    expect(out).toMatchObject({
      synth: 'sWTI',
      collateralToken: 'tUSD',
      debtRepaidUnits: '2.5',
      toLiquidatorUnits: formatUnits(BigInt(l.toLiquidator!), 6),
      toReserveUnits: formatUnits(BigInt(l.toReserve!), 6),
      priceUnits: formatUnits(BigInt(l.priceWad!), 18),
    });
    expect(BigInt(l.toLiquidator!)).toBeGreaterThan(0n);
  });
});

describe('no agent key set in the guard', () => {
  test('error: a mint says nobody may mint now, and synth show says so, instead of naming the zero address as the agent', async () => {
    const { guard, timelock } = stack.addresses;
    const agent = stack.agentAccount.address;
    const test = stack.deployer.testClient!;
    // Governance (the timelock) clears the agent key, as `setAgent(0)` through a proposal would.
    const asTimelock = async (to: Address) => {
      await test.impersonateAccount({ address: timelock });
      await test.setBalance({ address: timelock, value: 10n ** 18n });
      const hash = await stack.deployer.walletClient.writeContract({
        account: timelock,
        chain: stack.deployer.chain,
        address: guard,
        abi: policyGuardAbi,
        functionName: 'setAgent',
        args: [to],
      });
      await stack.deployer.publicClient.waitForTransactionReceipt({ hash });
      await test.stopImpersonatingAccount({ address: timelock });
    };
    await asTimelock(zeroAddress);
    try {
      const refused = await refusal(['synth', 'mint', '1'], DEVNET_ROLES.agent);
      expect(refused).toContain('No agent key is set in the guard');
      expect(refused).not.toContain(`Only the agent ${zeroAddress}`);
      const shown = await show(agent);
      expect(shown.mintableNote).toMatch(/^no agent key is set in the guard \(nobody mints now\)/);
    } finally {
      await asTimelock(agent);
    }
  });
});
