import { formatUnits, type Hex } from 'viem';
import type { ContractRevertError } from '../chain/index.js';
import { actionName, POLICY_FIELDS, type PolicyField } from './actions.js';
import { labelOf, type PolicyState, policyName } from './read.js';

/** Which rule refused an action; used to count refusals by rule. */
export type RefusalRule =
  | 'epoch-cap'
  | 'lifetime-cap'
  | 'rate-limit'
  | 'value-bounds'
  | 'max-step'
  | 'collateral-margin'
  | 'oracle-stale'
  | 'oracle-deviation'
  | 'model-not-allowed'
  | 'model-required'
  | 'paused'
  | 'not-agent'
  | 'no-policy'
  | 'ceiling'
  | 'guardian-cannot-loosen'
  | 'unauthorized'
  | 'governance'
  | 'vault-collateral-ratio'
  | 'debt-ceiling'
  | 'min-debt'
  | 'minting-paused'
  | 'mint-nonce'
  | 'insufficient-collateral'
  | 'oracle-heartbeat'
  | 'oracle-non-positive'
  | 'duplicate-content'
  | 'zero-key'
  | 'invalid-update-proof'
  | 'version-conflict'
  | 'insufficient-balance'
  | 'insufficient-allowance'
  | 'contract';

export type Refusal = {
  rule: RefusalRule;
  sentence: string;
  errorName: string;
  args: Record<string, unknown>;
};

export type ExplainContext = {
  /** Policies read just before (PolicyGuard.policyOf), to name the policy and its reset time. */
  policies?: readonly PolicyState[];
  /**
   * Formats an amount of a policy for people: its caps (epochCap, lifetimeCap, requested, remaining)
   * and its bounded values (minValue, maxValue, maxStep), e.g. 18-decimal synth units as whole synth.
   * Without it amounts are printed as raw integers.
   */
  formatAmount?: (policy: PolicyState | undefined, amount: bigint) => string;
  /** Names for addresses (assets, feeds), any case; e.g. `addressLabels(manifest)`. */
  labels?: Record<string, string>;
  /** Decimals of the vaults' collateral token (default 6, the dollar stablecoin). */
  collateralDecimals?: number;
  /**
   * The ERC-20 token an ERC20Insufficient* refusal came from, when the caller knows it (e.g. the
   * collateral for a deposit): amounts are then shown in whole tokens. Without it they are base units.
   */
  token?: { symbol: string; decimals: number };
  /** How to get tokens on this network, appended to an ERC20InsufficientBalance sentence. */
  fundingHint?: string;
  /**
   * The intent id of the refused mint, given when the caller (the agent) checked the vault's Minted logs and
   * none carries it: a `MintNonceMismatch` behind the position then says that THIS intent did not land
   * (another mint took the position's nonce) and that it is decided again, instead of the general "a mint
   * with that nonce already landed", which reads as if this intent had.
   */
  unlandedMintIntent?: Hex | undefined;
};

/** Synth amounts (debt) are always 18-decimal (SyntheticVault.Position). */
const SYNTH_DECIMALS = 18;
const DEFAULT_COLLATERAL_DECIMALS = 6;
/** Governance votes (ProvenantVotes, PVG) are an 18-decimal ERC20Votes token. */
const VOTE_DECIMALS = 18;

/** Fields where a LOWER value is looser (PolicyGuard._looser): their limit is a floor, not a ceiling. */
const FLOOR_FIELDS: readonly PolicyField[] = ['minValue', 'marginBps'];

/** PolicyGuard._widths(): the storage width of each field (the constructor's bound on the global ceiling). */
const FIELD_WIDTHS: Record<PolicyField, bigint> = {
  epochCap: 2n ** 96n - 1n,
  lifetimeCap: 2n ** 96n - 1n,
  rateLimit: 2n ** 16n - 1n,
  subjectRateLimit: 2n ** 8n - 1n,
  minValue: 2n ** 80n - 1n,
  maxValue: 2n ** 80n - 1n,
  maxStep: 2n ** 80n - 1n,
  marginBps: 2n ** 32n - 1n,
  maxOracleAge: 2n ** 32n - 1n,
  maxDeviationBps: 2n ** 32n - 1n,
};

const ZERO_ID = `0x${'0'.repeat(64)}`;
const ZERO_ADDRESS = `0x${'0'.repeat(40)}`;

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
const pct = (bps: unknown) => `${(Number(bps) / 100).toFixed(2)}%`;
const big = (v: unknown): bigint =>
  typeof v === 'bigint' ? v : BigInt((v as number | string | undefined) ?? 0);
const short = (hex: unknown) => `${String(hex).slice(0, 10)}…`;

/**
 * Turns a decoded refusal into one sentence naming the rule, the value, the limit and when it resets
 * (or what to do instead):
 * `Refused by policy 'sWTI/SYNTH_MINT': requested 1200, remaining 300 this epoch (resets at …).`
 * Covers every PolicyGuard refusal and the vault, oracle and NFT refusals an agent action can meet;
 * any other custom error is shown as `Refused by the contract: Name(args…)`.
 */
export function explainRefusal(
  error: Pick<ContractRevertError, 'errorName' | 'args'>,
  context: ExplainContext = {},
): Refusal {
  const a = error.args;
  const policy = context.policies?.find(
    (p) => p.policyId.toLowerCase() === String(a.policyId ?? '').toLowerCase(),
  );
  const name = policy ? `'${policyName(policy)}'` : a.policyId ? short(a.policyId) : '';
  const amount = (v: unknown) => (context.formatAmount ? context.formatAmount(policy, big(v)) : String(v));
  const resets = policy ? ` (resets at ${iso(policy.epochResetsAt)})` : '';
  const label = (address: unknown) => addressLabel(String(address), context);
  const synth = (v: unknown) => `${formatUnits(big(v), SYNTH_DECIMALS)} synth`;
  const tokens = (v: unknown) =>
    context.token
      ? `${formatUnits(big(v), context.token.decimals)} ${context.token.symbol}`
      : `${String(v)} base units (the token's smallest unit)`;
  const votes = (v: unknown) => `${formatUnits(big(v), VOTE_DECIMALS)} PVG`;
  const collateral = (v: unknown) =>
    `${formatUnits(big(v), context.collateralDecimals ?? DEFAULT_COLLATERAL_DECIMALS)} collateral`;
  /** A limit field's value in its unit: amounts through formatAmount, bps as percent, seconds, counts. */
  const fieldValue = (field: PolicyField | undefined, v: unknown) => {
    switch (field) {
      case 'epochCap':
      case 'lifetimeCap':
      case 'minValue':
      case 'maxValue':
      case 'maxStep':
        return amount(v);
      case 'rateLimit':
        return `${String(v)} action(s) per epoch`;
      case 'subjectRateLimit':
        return `${String(v)} action(s) per token per epoch`;
      case 'marginBps':
      case 'maxDeviationBps':
        return `${pct(v)} (${String(v)} bps)`;
      case 'maxOracleAge':
        return `${String(v)} s`;
      default:
        return String(v);
    }
  };
  const make = (rule: RefusalRule, sentence: string): Refusal => ({
    rule,
    sentence,
    errorName: error.errorName,
    args: a,
  });
  switch (error.errorName) {
    // ------------------------------------------------------------------ PolicyGuard: actions
    case 'PolicyMintCapExceeded':
      return make(
        'epoch-cap',
        `Refused by policy ${name}: requested ${amount(a.requested)}, remaining ${amount(a.remaining)} this epoch${resets}.`,
      );
    case 'PolicyLifetimeCapExceeded':
      return make(
        'lifetime-cap',
        `Refused by policy ${name}: requested ${amount(a.requested)}, remaining ${amount(a.remaining)} of the lifetime cap (never resets).`,
      );
    case 'PolicyRateLimited':
      return make(
        'rate-limit',
        `Refused by policy ${name}: at most ${String(a.limit)} action(s) per epoch${big(a.subject) !== 0n ? ` for token ${String(a.subject)}` : ''} (resets at ${iso(big(a.resetsAt))}).`,
      );
    case 'PolicyValueOutOfBounds':
      return make(
        'value-bounds',
        `Refused by policy ${name}: value ${amount(a.value)} is outside [${amount(a.minValue)}, ${amount(a.maxValue)}].`,
      );
    case 'PolicyStepTooLarge':
      return make(
        'max-step',
        `Refused by policy ${name}: change ${amount(a.fromValue)} → ${amount(a.toValue)} exceeds the max step of ${amount(a.maxStep)} per epoch${resets}.`,
      );
    case 'PolicyCollateralTooLow':
      return make(
        'collateral-margin',
        `Refused by policy ${name}: collateral ratio after the action would be ${pct(a.ratioAfterBps)}, the policy requires at least ${pct(a.requiredBps)} (liquidation ratio + margin).`,
      );
    case 'PolicyOracleStale':
      return make(
        'oracle-stale',
        `Refused by policy ${name}: the oracle round used is ${String(a.age)} s old (updated at ${iso(big(a.updatedAt))}), the policy's maximum age is ${String(a.maxAge)} s; wait for a fresh round.`,
      );
    case 'PolicyOracleDeviation':
      return make(
        'oracle-deviation',
        `Refused by policy ${name}: the oracle answer moved ${pct(a.deviationBps)} between consecutive rounds (${String(a.previousAnswer)} → ${String(a.answer)}), the policy's limit is ${pct(a.maxDeviationBps)}; wait for the next round.`,
      );
    case 'PolicyModelNotAllowed':
      return make(
        'model-not-allowed',
        `Refused by policy ${name}: model ${String(a.modelId)} is not approved for agent use (approval is a governance decision: provenant model approve).`,
      );
    case 'PolicyModelRequired':
      return make(
        'model-required',
        `Refused by policy ${name}: no model was named (model id 0); every amount-consuming action must name an approved model id, and zero is refused.`,
      );
    case 'PolicyPaused':
      return make(
        'paused',
        String(a.asset).toLowerCase() === ZERO_ADDRESS
          ? 'Refused: the guard is globally paused (by the guardian or governance), so every guarded action is refused; only governance can unpause, with a timelock proposal calling PolicyGuard.unpause() (provenant gov …).'
          : `Refused: asset ${label(a.asset)} is paused in the guard (by the guardian or governance); only governance can unpause it, with a timelock proposal calling PolicyGuard.unpauseAsset (provenant gov …).`,
      );
    case 'PolicyNotAgent':
      return make('not-agent', `Refused: ${String(a.actor)} does not hold the agent role.`);
    case 'PolicyUnknown':
      return make(
        'no-policy',
        `Refused: there is no policy for ${label(a.asset)}/${actionName(String(a.action) as Hex)} yet, so the guard refuses every such action and there is no limit to change; governance creates it with a timelock proposal calling PolicyGuard.createPolicy (on the devnet \`provenant demo\` passes the bootstrap proposal that creates every default policy; \`provenant deploy\` alone creates none); \`provenant policy show\` lists the ones that exist, and \`provenant gov propose --set-limit\` changes them.`,
      );
    // ------------------------------------------------------------------ PolicyGuard: configuration
    case 'CeilingExceeded':
      return make('ceiling', ceilingSentence(a, name, fieldValue));
    case 'GuardianCannotLoosen': {
      const field = POLICY_FIELDS[Number(a.field)];
      const fieldName = field ?? `field ${String(a.field)}`;
      const floor = field !== undefined && FLOOR_FIELDS.includes(field);
      return make(
        'guardian-cannot-loosen',
        `Refused: the guardian may only tighten policy ${name}; ${fieldName} ${fieldValue(field, a.current)} → ${fieldValue(field, a.requested)} would loosen it (${floor ? 'a lower' : 'a higher'} ${fieldName} is looser); loosening needs a governance proposal (provenant gov propose --set-limit).`,
      );
    }
    case 'PolicyUnauthorized':
      return make(
        'unauthorized',
        `Refused: ${label(a.caller)} may not configure the guard; only governance (the timelock, through \`provenant gov propose\`) changes or loosens limits and unpauses, and only the guardian key may pause or tighten at once (\`provenant policy pause|tighten\`, on the devnet account 2); the agent key may do neither.`,
      );
    // ------------------------------------------------------------------ Governor (votes in PVG, 18 decimals)
    case 'GovernorAlreadyCastVote':
      return make(
        'governance',
        `Refused by the governor: ${label(a.voter)} has already voted on this proposal, and a vote cannot be changed or cast twice; \`provenant gov status <id>\` shows the tally.`,
      );
    case 'GovernorInsufficientProposerVotes':
      return make(
        'governance',
        `Refused by the governor: proposing needs ${votes(a.threshold)} delegated at the previous second, but ${label(a.proposer)} has ${votes(a.votes)}; propose with a key that holds (or is delegated) at least the threshold.`,
      );
    // ------------------------------------------------------------------ SyntheticVault
    case 'CollateralRatioTooLow':
      return make(
        'vault-collateral-ratio',
        `Refused by the vault: the position's collateral ratio would be ${pct(a.ratioBps)}, below the minimum collateral ratio ${pct(a.minimumBps)}; deposit more collateral, or mint or withdraw less.`,
      );
    case 'DebtCeilingExceeded':
      return make(
        'debt-ceiling',
        `Refused by the vault: total debt would be ${synth(a.totalDebtAfter)}, above the debt ceiling ${synth(a.debtCeiling)}; mint less (the room left is the ceiling minus today's total debt) or ask governance to raise the ceiling.`,
      );
    case 'DebtBelowMinimum':
      return make(
        'min-debt',
        `Refused by the vault: the position's debt would be ${synth(a.debtAfter)}, below the minimum debt ${synth(a.minDebt)}; a position's debt is either 0 or at least the minimum, so mint more or repay all of it.`,
      );
    case 'MintingPaused':
      return make(
        'minting-paused',
        'Refused by the vault: minting is paused (by the guardian or governance); deposit, repay, withdraw and liquidation still work, and only governance can resume minting (SyntheticVault.unpauseMinting through the timelock).',
      );
    case 'MintNonceMismatch': {
      const nonce = big(a.nonce);
      const current = big(a.current);
      const intent = context.unlandedMintIntent;
      if (intent !== undefined && nonce < current)
        return make(
          'mint-nonce',
          `Refused by the vault: this mint (intent ${short(intent)}) named mint nonce ${nonce}, but the position is at ${current}: another mint of the position took nonce ${nonce}. No Minted log carries this intent id, so this intent did not land and nothing was minted for it; it is not sent again, and the agent decides anew at its next epoch with the position's current nonce.`,
        );
      return make(
        'mint-nonce',
        nonce < current
          ? `Refused by the vault: the mint named mint nonce ${nonce}, but the position is at ${current}, so a mint with nonce ${nonce} already landed (a mint is keyed by its nonce and lands at most once): it was not minted again. Look for that mint's Minted log before minting more; for a new mint, read the nonce again (SyntheticVault.mintNonce(owner), \`provenant synth show\`) and prepare the call anew.`
          : `Refused by the vault: the mint named mint nonce ${nonce}, but the position is at ${current} (a mint must name the current nonce, and the one before it has not landed); nothing was minted. Read the nonce again (SyntheticVault.mintNonce(owner), \`provenant synth show\`) and prepare the call anew.`,
      );
    }
    case 'InsufficientCollateral':
      return make(
        'insufficient-collateral',
        `Refused by the vault: ${collateral(a.needed)} is needed but only ${collateral(a.available)} is available; deposit more collateral or ask for less.`,
      );
    // ------------------------------------------------------------------ OracleLib (feeds read by assets)
    case 'OracleStaleRound':
      return make(
        'oracle-heartbeat',
        `Refused: oracle feed ${label(a.feed)} round ${String(a.roundId)} is ${String(a.age)} s old (updated at ${iso(big(a.updatedAt))}), older than the heartbeat of ${String(a.heartbeat)} s; wait for the reporters to publish a fresh round.`,
      );
    case 'OracleNonPositiveAnswer':
      return make(
        'oracle-non-positive',
        `Refused: oracle feed ${label(a.feed)} round ${String(a.roundId)} answered ${String(a.answer)}, but a price must be greater than 0; nothing is priced until a round with a positive answer.`,
      );
    // ------------------------------------------------------------------ ProvenanceNFT
    case 'DuplicateContent':
      return make(
        'duplicate-content',
        `Refused by the NFT: the metadata with sha2-256 digest ${String(a.metadataDigest)} is already minted (a token id is its genesis metadata digest, and the same manifest gives the same metadata), so each content is minted once; evolve that token (its id is this digest) instead of minting it again, or render new content.`,
      );
    case 'ZeroKey': {
      const zero = (['metadataDigest', 'intentKey', 'manifestDigest'] as const).filter(
        (k) => big(a[k]) === 0n,
      );
      const named = zero.length > 0 ? zero.join(', ') : 'none of them';
      return make(
        'zero-key',
        `Refused by the NFT: the call gave metadataDigest ${String(a.metadataDigest)}, intentKey ${String(a.intentKey)} and manifestDigest ${String(a.manifestDigest)}, and zero is not allowed (zero: ${named}); the two digests must be real sha2-256 digests and a mint's intent key non-zero (an update passes intent key 0 itself, so there only the digests count). Re-render the asset so its metadata and manifest digests are set, and give the intent a non-zero key.`,
      );
    }
    case 'InvalidUpdateProof':
      return make(
        'invalid-update-proof',
        `Refused by the NFT: the addAigcData proof is ${String(a.length)} bytes, but it must be 64: abi.encodePacked(bytes32 modelId, uint256 parentVersion). Drop any trailing manifest digest (the manifest is named by the prompt) and send the model id and the parent version only.`,
      );
    case 'VersionConflict':
      return make(
        'version-conflict',
        `Refused by the NFT: token ${String(a.tokenId)} is at version ${String(a.latest)}, but the update named version ${String(a.parentGiven)} as its parent; only the latest version can be evolved, so re-read the token and evolve from version ${String(a.latest)}.`,
      );
    // ------------------------------------------------------------------ ERC-20 (OpenZeppelin IERC6093)
    case 'ERC20InsufficientBalance': {
      const fund = context.fundingHint ? ` ${context.fundingHint}` : '';
      return make(
        'insufficient-balance',
        `Refused by the token: account ${label(a.sender)} holds ${tokens(a.balance)} but the call needs ${tokens(a.needed)}; fund the account first or ask for less.${fund}`,
      );
    }
    case 'ERC20InsufficientAllowance':
      return make(
        'insufficient-allowance',
        `Refused by the token: ${label(a.spender)} may spend only ${tokens(a.allowance)} of the account's tokens but the call needs ${tokens(a.needed)}; approve the spender for at least that much first (the CLI commands approve before they deposit, so re-running the command normally fixes it).`,
      );
    default: {
      const shown = Object.entries(a)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      return make('contract', `Refused by the contract: ${error.errorName}(${shown}).`);
    }
  }
}

/**
 * CeilingExceeded(policyId, field, ceiling, requested). For a ceiling field (caps, maxValue, …) the
 * requested value is above the hard ceiling; for a floor field (minValue, marginBps: lower is looser)
 * it is below the hard floor. With policyId 0 the bound is the global one, fixed at deployment; in the
 * constructor it is the field's storage width.
 */
function ceilingSentence(
  a: Record<string, unknown>,
  name: string,
  fieldValue: (field: PolicyField | undefined, v: unknown) => string,
): string {
  const field = POLICY_FIELDS[Number(a.field)];
  const fieldName = field ?? `field ${String(a.field)}`;
  const requested = big(a.requested);
  const bound = big(a.ceiling);
  const global = String(a.policyId ?? ZERO_ID).toLowerCase() === ZERO_ID;
  const of = global ? 'the global' : 'the';
  const whose = global ? '' : ` of policy ${name}`;
  const shown = `${fieldName} = ${fieldValue(field, requested)}`;
  if (global && field !== undefined && bound === FIELD_WIDTHS[field] && requested > bound) {
    return `Refused: the global ceiling's ${shown} does not fit the field's storage (at most ${fieldValue(field, bound)}); deploy with a smaller value.`;
  }
  if (field !== undefined && FLOOR_FIELDS.includes(field) && requested < bound) {
    return `Refused: ${shown} is below ${of} hard floor${whose}, ${fieldValue(field, bound)}, which can never be lowered; propose a value at or above it.`;
  }
  return `Refused: ${shown} is above ${of} hard ceiling${whose}, ${fieldValue(field, bound)}, which can never be raised; propose a value at or below it.`;
}

/** An address as people read it: a label from the context (or a policy's asset label), else the address. */
function addressLabel(address: string, context: ExplainContext): string {
  const fromPolicy = context.policies?.find((p) => p.asset.toLowerCase() === address.toLowerCase());
  if (fromPolicy && fromPolicy.assetLabel !== fromPolicy.asset)
    return `${fromPolicy.assetLabel} (${address})`;
  const labelled = labelOf(context.labels ?? {}, address);
  return labelled === address ? address : `${labelled} (${address})`;
}

export function isPolicyRefusal(errorName: string): boolean {
  return /^Policy|^CeilingExceeded$|^GuardianCannotLoosen$/.test(errorName);
}
