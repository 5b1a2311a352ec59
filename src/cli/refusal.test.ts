import { encodeFunctionData } from 'viem';
import { describe, expect, test } from 'vitest';
import { ContractRevertError, dynamicFeePoolAbi } from '../chain/index.js';
import { formatError } from './output.js';
import {
  calledArgs,
  deploymentLabels,
  ExplainedRefusalError,
  explainCliError,
  PROPOSAL_STATES,
  proposalStatesOf,
} from './refusal.js';

const VAULT = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';
const POOL = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9';
const TUSD = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const GOVERNOR = '0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9';
const OWNER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const labels = deploymentLabels([
  {
    contracts: {
      TestStablecoin: { address: TUSD },
      'SyntheticVault.sWTI': { address: VAULT },
      'DynamicFeePool.sWTI': { address: POOL },
      ProvenantGovernor: { address: GOVERNOR },
    },
  },
]);

/** A refusal as write.ts makes it: viem's ContractFunctionExecutionError (contract, function, args) as its cause. */
const revert = (
  address: string,
  errorName: string,
  args: Record<string, unknown>,
  functionName: string,
  callArgs: readonly unknown[] = [],
) =>
  new ContractRevertError(errorName, args, undefined, {
    name: 'ContractFunctionExecutionError',
    contractAddress: address,
    functionName,
    args: callArgs,
  });

const explained = (error: ContractRevertError) => {
  const e = explainCliError(error, labels);
  expect(e).toBeInstanceOf(ExplainedRefusalError);
  return formatError(e, false);
};

describe('explainCliError: refusals the shared explainer printed raw', () => {
  test('RepayExceedsDebt: whole synth of that vault, not base units', () => {
    const text = explained(
      revert(VAULT, 'RepayExceedsDebt', { amount: 12_500_000_000_000_000_000n, debt: 10n ** 19n }, 'repay'),
    );
    expect(text).toContain(
      "Refused by the sWTI vault: repaying 12.5 sWTI is more than the position's debt of 10 sWTI; repay at most 10 sWTI",
    );
    expect(text).not.toContain('12500000000000000000');
  });

  test('PositionSafe: ratio and liquidation ratio as percent; a position with no debt says so', () => {
    expect(
      explained(
        revert(
          VAULT,
          'PositionSafe',
          { owner: OWNER, ratioBps: 18_250n, liquidationRatioBps: 12_000n },
          'liquidate',
        ),
      ),
    ).toContain(
      `position ${OWNER} has a collateral ratio of 182.50% (18250 bps), at or above the liquidation ratio 120.00% (12000 bps), so it cannot be liquidated`,
    );
    expect(
      explained(
        revert(
          VAULT,
          'PositionSafe',
          { owner: OWNER, ratioBps: 2n ** 256n - 1n, liquidationRatioBps: 12_000n },
          'liquidate',
        ),
      ),
    ).toContain(`position ${OWNER} has no debt, so it cannot be liquidated`);
  });

  test('pool InsufficientAmount: the side is the minimum it names, in whole tokens', () => {
    // addLiquidity(amount0Desired, amount1Desired, amount0Min, amount1Min, to, deadline)
    const call = [10n ** 19n, 700_000_000n, 99n * 10n ** 17n, 693_000_000n, OWNER, 1n];
    expect(
      explained(
        revert(
          POOL,
          'InsufficientAmount',
          { amount: 650_000_000n, minAmount: 693_000_000n },
          'addLiquidity',
          call,
        ),
      ),
    ).toContain(
      "Refused by the sWTI/USD pool: at the pool's current ratio the deposit would take 650 tUSD, below the minimum 693 tUSD",
    );
    expect(
      explained(
        revert(
          POOL,
          'InsufficientAmount',
          { amount: 9n * 10n ** 18n, minAmount: 99n * 10n ** 17n },
          'addLiquidity',
          call,
        ),
      ),
    ).toContain('would take 9 sWTI, below the minimum 9.9 sWTI');
  });

  test('pool InsufficientOutput: swap pays the other token; removeLiquidity names the side by its minimum', () => {
    // swapExactIn(tokenIn, amountIn, minOut, to, deadline): tUSD in, so sWTI out.
    expect(
      explained(
        revert(
          POOL,
          'InsufficientOutput',
          { amountOut: 14n * 10n ** 18n, minOut: 15n * 10n ** 18n },
          'swapExactIn',
          [TUSD, 1_000_000_000n, 15n * 10n ** 18n, OWNER, 1n],
        ),
      ),
    ).toContain('Refused by the sWTI/USD pool: the swap would pay 14 sWTI, below the minimum 15 sWTI');
    // removeLiquidity(shares, amount0Min, amount1Min, to, deadline): the tUSD minimum failed.
    expect(
      explained(
        revert(
          POOL,
          'InsufficientOutput',
          { amountOut: 650_000_000n, minOut: 693_000_000n },
          'removeLiquidity',
          [10n ** 18n, 99n * 10n ** 17n, 693_000_000n, OWNER, 1n],
        ),
      ),
    ).toContain('the withdrawal would pay 650 tUSD, below the minimum 693 tUSD');
  });

  test('pool InsufficientAmount from raw calldata (CallExecutionError data: line) finds the side too', () => {
    const data = encodeFunctionData({
      abi: dynamicFeePoolAbi,
      functionName: 'addLiquidity',
      args: [10n ** 19n, 700_000_000n, 99n * 10n ** 17n, 693_000_000n, OWNER, 1n],
    });
    const cause = {
      name: 'CallExecutionError',
      metaMessages: ['Raw Call Arguments:', `  to:    ${POOL}`, `  data:  ${data}`],
    };
    const error = new ContractRevertError(
      'InsufficientAmount',
      { amount: 650_000_000n, minAmount: 693_000_000n },
      undefined,
      cause,
    );
    expect(calledArgs(error)?.[3]).toBe(693_000_000n);
    expect(explained(error)).toContain('would take 650 tUSD, below the minimum 693 tUSD');
  });

  test('pool InsufficientAmount with both minimums equal: base units, not a guessed token', () => {
    const call = [5n, 5n, 5n, 5n, OWNER, 1n];
    expect(
      explained(revert(POOL, 'InsufficientAmount', { amount: 4n, minAmount: 5n }, 'addLiquidity', call)),
    ).toContain('would take 4 base units, below the minimum 5 base units');
  });

  test('GovernorUnexpectedProposalState: states named, with what the proposal waits for', () => {
    const id = 71_922_835_474_389_123_744_090_142_736_018_472_734_001n;
    // Succeeded (bit 4) or Queued (bit 5) expected; Defeated (3) found.
    const expectedStates = `0x${'0'.repeat(62)}30`;
    const text = explained(
      revert(
        GOVERNOR,
        'GovernorUnexpectedProposalState',
        { proposalId: id, current: 3, expectedStates },
        'execute',
      ),
    );
    expect(text).toContain(
      'Refused by the governor: proposal 719228354743… is Defeated: it did not pass (too few votes for, or no quorum); propose it again; this step needs it to be Succeeded or Queued',
    );
    expect(text).toContain('`provenant gov status 719228354743`');
    expect(text).not.toContain(expectedStates);
  });

  test('proposalStatesOf decodes the OpenZeppelin bitmap (bit i = ProposalState i)', () => {
    expect(PROPOSAL_STATES).toEqual([
      'Pending',
      'Active',
      'Canceled',
      'Defeated',
      'Succeeded',
      'Queued',
      'Expired',
      'Executed',
    ]);
    expect(proposalStatesOf(`0x${'0'.repeat(63)}2`)).toEqual(['Active']);
    expect(proposalStatesOf(`0x${'0'.repeat(62)}ff`)).toEqual([...PROPOSAL_STATES]);
    expect(proposalStatesOf('not hex')).toEqual([]);
  });

  test('other refusals still go through the shared explainer', () => {
    expect(explained(revert(VAULT, 'MintingPaused', {}, 'mintWithIntent'))).toContain(
      'Refused by the vault: minting is paused',
    );
  });
});
