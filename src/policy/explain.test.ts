import { type Abi, encodeErrorResult, formatUnits, type Hex, parseAbi } from 'viem';
import { describe, expect, test } from 'vitest';
import { decodeRevertData } from '../chain/index.js';
import { POLICY_ACTIONS } from './actions.js';
import { type ExplainContext, explainRefusal, type Refusal } from './explain.js';
import type { PolicyLimits, PolicyState } from './read.js';

const E18 = 10n ** 18n;
const VAULT = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const POOL = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512';
const FEED = '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0';
const ZERO_ID = `0x${'0'.repeat(64)}` as Hex;
const MINT_ID = `0x${'a1'.repeat(32)}` as Hex;
const FEE_ID = `0x${'b2'.repeat(32)}` as Hex;
const MODEL = `0x${'c3'.repeat(32)}` as Hex;
const COMMITMENT = `0x${'d4'.repeat(32)}` as Hex;

// PolicyGuard.Field indices (Limits order).
const FIELD = { epochCap: 0, rateLimit: 2, minValue: 4, maxStep: 6, marginBps: 7, maxOracleAge: 8 };

const limits = (over: Partial<PolicyLimits> = {}): PolicyLimits => ({
  epochCap: 0n,
  lifetimeCap: 0n,
  rateLimit: 0n,
  subjectRateLimit: 0n,
  minValue: 0n,
  maxValue: 0n,
  maxStep: 0n,
  marginBps: 0n,
  maxOracleAge: 0n,
  maxDeviationBps: 0n,
  ...over,
});

const policy = (over: Partial<PolicyState>): PolicyState => ({
  policyId: MINT_ID,
  asset: VAULT,
  assetLabel: 'sWTI vault',
  action: POLICY_ACTIONS.SYNTH_MINT,
  actionLabel: 'SYNTH_MINT',
  epochLength: 86_400n,
  paused: false,
  limits: limits(),
  ceiling: limits(),
  epochIndex: 18_051n,
  epochResetsAt: 1_559_692_800n, // 2019-06-05T00:00:00Z
  usedThisEpoch: 0n,
  actionsThisEpoch: 0n,
  usedLifetime: 0n,
  value: 0n,
  valueAtEpochStart: 0n,
  ...over,
});

const context: ExplainContext = {
  policies: [
    policy({}),
    policy({
      policyId: FEE_ID,
      asset: POOL,
      assetLabel: 'sWTI/USD pool',
      action: POLICY_ACTIONS.SET_FEE,
      actionLabel: 'SET_FEE',
    }),
  ],
  // The same helper the CLI and the e2e tests use: SYNTH_MINT amounts in whole synth, others raw.
  formatAmount: (p, amount) => (p?.actionLabel === 'SYNTH_MINT' ? formatUnits(amount, 18) : String(amount)),
  labels: { [FEED.toLowerCase()]: 'WTI/USD feed' },
};

/** Encodes the revert as the contract would and decodes it against the project's error ABI. */
function explain(signature: string, args: readonly unknown[], ctx: ExplainContext = context): Refusal {
  const abi = parseAbi([signature]) as Abi;
  const item = abi[0] as { name: string };
  const data = encodeErrorResult({ abi, errorName: item.name, args });
  // PolicyModelRequired is new (PolicyGuard change in progress): decode it with its own definition.
  const decoded = decodeRevertData(data, item.name === 'PolicyModelRequired' ? abi : []);
  if (!decoded) throw new Error(`${signature} is not an error the project's contracts declare`);
  expect(decoded.errorName).toBe(item.name);
  return explainRefusal({ errorName: decoded.errorName, args: decoded.args }, ctx);
}

describe('explainRefusal: CeilingExceeded', () => {
  const sig = 'error CeilingExceeded(bytes32 policyId, uint8 field, uint256 ceiling, uint256 requested)';

  test('behavior: a floor field (marginBps) below its floor says "below the hard floor"', () => {
    const r = explain(sig, [MINT_ID, FIELD.marginBps, 3000n, 1000n]);
    expect(r.rule).toBe('ceiling');
    expect(r.sentence).toContain('marginBps = 10.00% (1000 bps) is below the hard floor');
    expect(r.sentence).toContain("policy 'sWTI vault/SYNTH_MINT'");
    expect(r.sentence).toContain('30.00% (3000 bps)');
    expect(r.sentence).toContain('can never be lowered');
    expect(r.sentence).not.toMatch(/is above|ceiling/);
  });

  test('behavior: minValue is a floor too', () => {
    const r = explain(sig, [FEE_ID, FIELD.minValue, 5n, 2n]);
    expect(r.sentence).toContain(
      "minValue = 2 is below the hard floor of policy 'sWTI/USD pool/SET_FEE', 5,",
    );
  });

  test('behavior: a ceiling field (epochCap) above its ceiling is formatted in whole synth', () => {
    const r = explain(sig, [MINT_ID, FIELD.epochCap, 3_000n * E18, 5_000n * E18]);
    expect(r.sentence).toContain(
      "epochCap = 5000 is above the hard ceiling of policy 'sWTI vault/SYNTH_MINT', 3000,",
    );
    expect(r.sentence).toContain('can never be raised');
  });

  test('behavior: policyId 0 names the global floor fixed at deployment', () => {
    const r = explain(sig, [ZERO_ID, FIELD.marginBps, 2000n, 500n]);
    expect(r.sentence).toContain(
      'marginBps = 5.00% (500 bps) is below the global hard floor, 20.00% (2000 bps)',
    );
  });

  test('behavior: the constructor bound (storage width) is not called a floor', () => {
    const width = 2n ** 32n - 1n;
    const r = explain(sig, [ZERO_ID, FIELD.marginBps, width, width + 1n]);
    expect(r.sentence).toContain(
      `marginBps = 42949672.96% (${width + 1n} bps) does not fit the field's storage`,
    );
    expect(r.sentence).toContain(`(${width} bps)`);
    expect(r.sentence).not.toMatch(/floor/);
  });
});

describe('explainRefusal: PolicyPaused', () => {
  const sig = 'error PolicyPaused(address asset)';

  test('behavior: a global pause (address 0) says so and who can unpause', () => {
    const r = explain(sig, ['0x0000000000000000000000000000000000000000']);
    expect(r.rule).toBe('paused');
    expect(r.sentence).toContain('globally paused');
    expect(r.sentence).toContain('guardian or governance');
    expect(r.sentence).toContain('only governance can unpause');
    expect(r.sentence).toContain('PolicyGuard.unpause()');
    expect(r.sentence).toContain('provenant gov');
    expect(r.sentence).not.toContain('0x0000');
  });

  test('behavior: an asset pause names the asset', () => {
    const r = explain(sig, [VAULT]);
    expect(r.sentence).toContain(`asset sWTI vault (${VAULT}) is paused`);
    expect(r.sentence).toContain('only governance can unpause it');
  });
});

describe('explainRefusal: GuardianCannotLoosen', () => {
  const sig = 'error GuardianCannotLoosen(bytes32 policyId, uint8 field, uint256 current, uint256 requested)';

  test('behavior: amounts are formatted with formatAmount, not printed as wei', () => {
    const r = explain(sig, [MINT_ID, FIELD.epochCap, 1_800n * E18, 5_000n * E18]);
    expect(r.rule).toBe('guardian-cannot-loosen');
    expect(r.sentence).toContain("may only tighten policy 'sWTI vault/SYNTH_MINT'");
    expect(r.sentence).toContain('epochCap 1800 → 5000 would loosen it');
    expect(r.sentence).toContain('a higher epochCap is looser');
    expect(r.sentence).toContain('governance proposal');
    expect(r.sentence).not.toContain(String(1_800n * E18));
  });

  test('behavior: lowering a floor (marginBps) is the loosening direction', () => {
    const r = explain(sig, [MINT_ID, FIELD.marginBps, 3000n, 1000n]);
    expect(r.sentence).toContain('marginBps 30.00% (3000 bps) → 10.00% (1000 bps) would loosen it');
    expect(r.sentence).toContain('a lower marginBps is looser');
  });

  test('behavior: counts, values and seconds carry their unit', () => {
    expect(explain(sig, [FEE_ID, FIELD.rateLimit, 2n, 5n]).sentence).toContain(
      'rateLimit 2 action(s) per epoch → 5 action(s) per epoch',
    );
    expect(explain(sig, [FEE_ID, FIELD.maxStep, 10n, 40n]).sentence).toContain('maxStep 10 → 40');
    expect(explain(sig, [MINT_ID, FIELD.maxOracleAge, 3600n, 7200n]).sentence).toContain(
      'maxOracleAge 3600 s → 7200 s',
    );
  });

  test('default: without a context the raw amount is shown (nothing invented)', () => {
    const r = explain(sig, [MINT_ID, FIELD.epochCap, 18n, 50n], {});
    expect(r.sentence).toContain('epochCap 18 → 50 would loosen it');
  });
});

describe('explainRefusal: policy oracle and model rules', () => {
  test('PolicyOracleStale names the age, the maximum and when the round was updated', () => {
    const r = explain(
      'error PolicyOracleStale(bytes32 policyId, uint256 updatedAt, uint256 age, uint256 maxAge)',
      [MINT_ID, 1_559_592_000n, 7_300n, 3_600n],
    );
    expect(r.rule).toBe('oracle-stale');
    expect(r.sentence).toContain("policy 'sWTI vault/SYNTH_MINT'");
    expect(r.sentence).toContain('7300 s old');
    expect(r.sentence).toContain('2019-06-03T20:00:00Z');
    expect(r.sentence).toContain('maximum age is 3600 s');
  });

  test('PolicyOracleDeviation names the move, the answers and the limit', () => {
    const r = explain(
      'error PolicyOracleDeviation(bytes32 policyId, int256 answer, int256 previousAnswer, uint256 deviationBps, uint256 maxDeviationBps)',
      [MINT_ID, 1_504_000_000n, 1_240_000_000n, 2129n, 1500n],
    );
    expect(r.rule).toBe('oracle-deviation');
    expect(r.sentence).toContain('moved 21.29% between consecutive rounds');
    expect(r.sentence).toContain('1240000000 → 1504000000');
    expect(r.sentence).toContain("the policy's limit is 15.00%");
  });

  test('PolicyModelRequired says a model id must be named and zero is refused', () => {
    const r = explain('error PolicyModelRequired(bytes32 policyId)', [MINT_ID]);
    expect(r.rule).toBe('model-required');
    expect(r.sentence).toContain("policy 'sWTI vault/SYNTH_MINT'");
    expect(r.sentence).toContain('model id 0');
    expect(r.sentence).toContain('must name an approved model id');
  });

  test('PolicyModelNotAllowed names the policy and the model', () => {
    const r = explain('error PolicyModelNotAllowed(bytes32 policyId, bytes32 modelId)', [MINT_ID, MODEL]);
    expect(r.rule).toBe('model-not-allowed');
    expect(r.sentence).toContain("policy 'sWTI vault/SYNTH_MINT'");
    expect(r.sentence).toContain(`model ${MODEL} is not approved`);
  });
});

describe('explainRefusal: SyntheticVault', () => {
  test('CollateralRatioTooLow names the ratio and the minimum', () => {
    const r = explain('error CollateralRatioTooLow(uint256 ratioBps, uint256 minimumBps)', [
      14_200n,
      15_000n,
    ]);
    expect(r.rule).toBe('vault-collateral-ratio');
    expect(r.sentence).toContain('collateral ratio would be 142.00%');
    expect(r.sentence).toContain('minimum collateral ratio 150.00%');
    expect(r.sentence).toContain('deposit more collateral');
  });

  test('DebtCeilingExceeded names the total debt and the ceiling in whole synth', () => {
    const r = explain('error DebtCeilingExceeded(uint256 totalDebtAfter, uint256 debtCeiling)', [
      1_000_500n * E18,
      1_000_000n * E18,
    ]);
    expect(r.rule).toBe('debt-ceiling');
    expect(r.sentence).toContain('total debt would be 1000500 synth');
    expect(r.sentence).toContain('debt ceiling 1000000 synth');
  });

  test('DebtBelowMinimum names the debt and the minimum', () => {
    const r = explain('error DebtBelowMinimum(uint256 debtAfter, uint256 minDebt)', [
      (5n * E18) / 2n,
      10n * E18,
    ]);
    expect(r.rule).toBe('min-debt');
    expect(r.sentence).toContain('debt would be 2.5 synth');
    expect(r.sentence).toContain('minimum debt 10 synth');
    expect(r.sentence).toContain('repay all of it');
  });

  test('MintingPaused says what still works and who resumes', () => {
    const r = explain('error MintingPaused()', []);
    expect(r.rule).toBe('minting-paused');
    expect(r.sentence).toContain('minting is paused');
    expect(r.sentence).toContain('only governance can resume minting');
  });

  test('MintNonceMismatch behind the position: that mint already landed, nothing minted twice', () => {
    const r = explain('error MintNonceMismatch(uint256 nonce, uint256 current)', [3n, 4n]);
    expect(r.rule).toBe('mint-nonce');
    expect(r.args).toEqual({ nonce: 3n, current: 4n });
    expect(r.sentence).toMatchInlineSnapshot(
      `"Refused by the vault: the mint named mint nonce 3, but the position is at 4, so a mint with nonce 3 already landed (a mint is keyed by its nonce and lands at most once): it was not minted again. Look for that mint's Minted log before minting more; for a new mint, read the nonce again (SyntheticVault.mintNonce(owner), \`provenant synth show\`) and prepare the call anew."`,
    );
  });

  test('MintNonceMismatch for an agent intent with no Minted log: this intent did not land, it is decided again', () => {
    const intent = `0x${'e5'.repeat(32)}` as Hex;
    const r = explain('error MintNonceMismatch(uint256 nonce, uint256 current)', [3n, 4n], {
      ...context,
      unlandedMintIntent: intent,
    });
    expect(r.rule).toBe('mint-nonce');
    expect(r.args).toEqual({ nonce: 3n, current: 4n });
    expect(r.sentence).toMatchInlineSnapshot(
      `"Refused by the vault: this mint (intent 0xe5e5e5e5…) named mint nonce 3, but the position is at 4: another mint of the position took nonce 3. No Minted log carries this intent id, so this intent did not land and nothing was minted for it; it is not sent again, and the agent decides anew at its next epoch with the position's current nonce."`,
    );
    // Nothing in it reads as if this intent had landed.
    expect(r.sentence).not.toContain('already landed');
    expect(r.sentence).not.toContain('not minted again');
    // Ahead of the position the general sentence stands (nothing was minted, read the nonce again).
    const ahead = explain('error MintNonceMismatch(uint256 nonce, uint256 current)', [7n, 5n], {
      ...context,
      unlandedMintIntent: intent,
    });
    expect(ahead.sentence).toContain('nothing was minted');
    expect(ahead.sentence).not.toContain('already landed');
  });

  test('MintNonceMismatch ahead of the position: read the nonce again', () => {
    const r = explain('error MintNonceMismatch(uint256 nonce, uint256 current)', [7n, 5n]);
    expect(r.rule).toBe('mint-nonce');
    expect(r.sentence).toContain('named mint nonce 7, but the position is at 5');
    expect(r.sentence).toContain('nothing was minted');
    expect(r.sentence).toContain('Read the nonce again');
    expect(r.sentence).not.toContain('already landed');
  });

  test('InsufficientCollateral formats 6-decimal collateral', () => {
    const r = explain('error InsufficientCollateral(uint256 available, uint256 needed)', [
      1_250_500_000n,
      2_000_000_000n,
    ]);
    expect(r.rule).toBe('insufficient-collateral');
    expect(r.sentence).toContain('2000 collateral is needed');
    expect(r.sentence).toContain('only 1250.5 collateral is available');
    expect(r.sentence).not.toContain('1250500000');
  });

  test('InsufficientCollateral honours another collateral decimals', () => {
    const r = explain('error InsufficientCollateral(uint256 available, uint256 needed)', [E18, 2n * E18], {
      collateralDecimals: 18,
    });
    expect(r.sentence).toContain('2 collateral is needed but only 1 collateral is available');
  });
});

describe('explainRefusal: oracle feeds (OracleLib)', () => {
  test('OracleStaleRound names the feed, the round, the age and the heartbeat', () => {
    const r = explain(
      'error OracleStaleRound(address feed, uint80 roundId, uint256 updatedAt, uint256 age, uint256 heartbeat)',
      [FEED, 120n, 1_559_592_000n, 90_000n, 86_400n],
    );
    expect(r.rule).toBe('oracle-heartbeat');
    expect(r.sentence).toContain(`feed WTI/USD feed (${FEED}) round 120`);
    expect(r.sentence).toContain('90000 s old');
    expect(r.sentence).toContain('heartbeat of 86400 s');
  });

  test('OracleNonPositiveAnswer names the answer and the rule', () => {
    const r = explain('error OracleNonPositiveAnswer(address feed, uint80 roundId, int256 answer)', [
      FEED,
      77n,
      -3_763_000_000n,
    ]);
    expect(r.rule).toBe('oracle-non-positive');
    expect(r.sentence).toContain('round 77 answered -3763000000');
    expect(r.sentence).toContain('greater than 0');
  });
});

describe('explainRefusal: ProvenanceNFT', () => {
  test('DuplicateContent names the metadata digest and says content is minted once', () => {
    const r = explain('error DuplicateContent(bytes32 metadataDigest)', [COMMITMENT]);
    expect(r.rule).toBe('duplicate-content');
    expect(r.sentence).toMatchInlineSnapshot(
      `"Refused by the NFT: the metadata with sha2-256 digest 0xd4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4 is already minted (a token id is its genesis metadata digest, and the same manifest gives the same metadata), so each content is minted once; evolve that token (its id is this digest) instead of minting it again, or render new content."`,
    );
  });

  test('ZeroKey names the three values and which of them is zero', () => {
    const r = explain('error ZeroKey(bytes32 metadataDigest, bytes32 intentKey, bytes32 manifestDigest)', [
      COMMITMENT,
      MINT_ID,
      ZERO_ID,
    ]);
    expect(r.rule).toBe('zero-key');
    expect(r.sentence).toContain(
      `metadataDigest ${COMMITMENT}, intentKey ${MINT_ID} and manifestDigest ${ZERO_ID}`,
    );
    expect(r.sentence).toContain('(zero: manifestDigest)');
    expect(r.sentence).toContain('Re-render the asset');
    // An update passes intent key 0 itself: with a zero metadata digest both are named.
    const update = explain(
      'error ZeroKey(bytes32 metadataDigest, bytes32 intentKey, bytes32 manifestDigest)',
      [ZERO_ID, ZERO_ID, COMMITMENT],
    );
    expect(update.sentence).toContain('(zero: metadataDigest, intentKey)');
  });

  test('InvalidUpdateProof gives the length and the 64-byte layout', () => {
    const r = explain('error InvalidUpdateProof(uint256 length)', [96n]);
    expect(r.rule).toBe('invalid-update-proof');
    expect(r.sentence).toMatchInlineSnapshot(
      `"Refused by the NFT: the addAigcData proof is 96 bytes, but it must be 64: abi.encodePacked(bytes32 modelId, uint256 parentVersion). Drop any trailing manifest digest (the manifest is named by the prompt) and send the model id and the parent version only."`,
    );
  });

  test('VersionConflict names the given parent and the latest version', () => {
    const r = explain('error VersionConflict(uint256 tokenId, uint256 parentGiven, uint256 latest)', [
      42n,
      2n,
      3n,
    ]);
    expect(r.rule).toBe('version-conflict');
    expect(r.sentence).toContain('token 42 is at version 3');
    expect(r.sentence).toContain('named version 2 as its parent');
  });
});

describe('explainRefusal: fallback', () => {
  test('an error without a sentence is shown with its values', () => {
    const r = explain('error ZeroAmount()', []);
    expect(r.rule).toBe('contract');
    expect(r.sentence).toBe('Refused by the contract: ZeroAmount().');
  });
});

describe('explainRefusal: PolicyUnknown', () => {
  test('names the asset by its label and the action by name, and says governance creates it', () => {
    const r = explain('error PolicyUnknown(address asset, bytes32 action)', [
      VAULT,
      POLICY_ACTIONS.SYNTH_MINT,
    ]);
    expect(r.rule).toBe('no-policy');
    expect(r.sentence).toContain(`no policy for sWTI vault (${VAULT})/SYNTH_MINT yet`);
    expect(r.sentence).toContain('PolicyGuard.createPolicy');
    expect(r.sentence).toContain('provenant policy show');
    expect(r.sentence).not.toContain(POLICY_ACTIONS.SYNTH_MINT);
  });
});

describe('explainRefusal: ERC-20 (IERC6093)', () => {
  const ME = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
  test('ERC20InsufficientBalance in whole tokens with the funding hint', () => {
    const r = explain(
      'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
      [ME, 0n, 100_000_000n],
      { token: { symbol: 'tUSD', decimals: 6 }, fundingHint: 'Mint tUSD on the devnet.' },
    );
    expect(r.rule).toBe('insufficient-balance');
    expect(r.sentence).toBe(
      `Refused by the token: account ${ME} holds 0 tUSD but the call needs 100 tUSD; fund the account first or ask for less. Mint tUSD on the devnet.`,
    );
  });

  test('default: without the token, amounts are called base units (no decimals invented)', () => {
    const r = explain(
      'error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)',
      [ME, 5n, 100_000_000n],
      {},
    );
    expect(r.sentence).toContain("holds 5 base units (the token's smallest unit)");
    expect(r.sentence).toContain('needs 100000000 base units');
  });

  test('ERC20InsufficientAllowance names the spender, allowance and need', () => {
    const r = explain(
      'error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)',
      [VAULT, 1n * E18, 3n * E18],
      { token: { symbol: 'sWTI', decimals: 18 }, labels: { [VAULT.toLowerCase()]: 'sWTI vault' } },
    );
    expect(r.rule).toBe('insufficient-allowance');
    expect(r.sentence).toContain(`sWTI vault (${VAULT}) may spend only 1 sWTI`);
    expect(r.sentence).toContain('needs 3 sWTI');
  });
});

describe('explainRefusal: who may configure, and the governor', () => {
  const AGENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

  test('behavior: PolicyUnauthorized names the caller, who may do what, and what to use instead', () => {
    const r = explain('error PolicyUnauthorized(address caller)', [AGENT], { labels: { [AGENT]: 'agent' } });
    expect(r.rule).toBe('unauthorized');
    expect(r.sentence).toMatchInlineSnapshot(
      `"Refused: agent (0x70997970C51812dc3A010C7d01b50e0d17dc79C8) may not configure the guard; only governance (the timelock, through \`provenant gov propose\`) changes or loosens limits and unpauses, and only the guardian key may pause or tighten at once (\`provenant policy pause|tighten\`, on the devnet account 2); the agent key may do neither."`,
    );
  });

  test('behavior: GovernorAlreadyCastVote says a vote is cast once', () => {
    const r = explain('error GovernorAlreadyCastVote(address voter)', [AGENT]);
    expect(r.rule).toBe('governance');
    expect(r.sentence).toContain('has already voted on this proposal');
  });

  test('behavior: GovernorInsufficientProposerVotes shows votes in PVG, not base units', () => {
    const r = explain(
      'error GovernorInsufficientProposerVotes(address proposer, uint256 votes, uint256 threshold)',
      [AGENT, 0n, 1_000n * E18],
    );
    expect(r.sentence).toContain('proposing needs 1000 PVG delegated');
    expect(r.sentence).toContain('has 0 PVG');
    expect(r.sentence).not.toContain(String(1_000n * E18));
  });
});
