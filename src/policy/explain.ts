import type { ContractRevertError } from '../chain/index.js';
import { POLICY_FIELDS } from './actions.js';
import { type PolicyState, policyName } from './read.js';

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
  | 'paused'
  | 'not-agent'
  | 'no-policy'
  | 'ceiling'
  | 'guardian-cannot-loosen'
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
  /** Formats an amount of a policy (e.g. 18-decimal synth units) for people. */
  formatAmount?: (policy: PolicyState | undefined, amount: bigint) => string;
};

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');
const pct = (bps: unknown) => `${(Number(bps) / 100).toFixed(2)}%`;

/**
 * Turns a decoded refusal into one sentence naming the rule, the value, the limit and when it resets:
 * `Mint refused by policy 'sWTI/SYNTH_MINT': requested 1200, remaining 300 this epoch (resets at …).`
 */
export function explainRefusal(
  error: Pick<ContractRevertError, 'errorName' | 'args'>,
  context: ExplainContext = {},
): Refusal {
  const a = error.args;
  const policy = context.policies?.find(
    (p) => p.policyId.toLowerCase() === String(a.policyId ?? '').toLowerCase(),
  );
  const name = policy ? `'${policyName(policy)}'` : a.policyId ? `${String(a.policyId).slice(0, 10)}…` : '';
  const amount = (v: unknown) =>
    context.formatAmount ? context.formatAmount(policy, BigInt(v as bigint)) : String(v);
  const resets = policy ? ` (resets at ${iso(policy.epochResetsAt)})` : '';
  const make = (rule: RefusalRule, sentence: string): Refusal => ({
    rule,
    sentence,
    errorName: error.errorName,
    args: a,
  });
  switch (error.errorName) {
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
        `Refused by policy ${name}: at most ${String(a.limit)} action(s) per epoch${BigInt((a.subject as bigint) ?? 0n) !== 0n ? ` for token ${String(a.subject)}` : ''} (resets at ${iso(BigInt(a.resetsAt as bigint))}).`,
      );
    case 'PolicyValueOutOfBounds':
      return make(
        'value-bounds',
        `Refused by policy ${name}: value ${String(a.value)} is outside [${String(a.minValue)}, ${String(a.maxValue)}].`,
      );
    case 'PolicyStepTooLarge':
      return make(
        'max-step',
        `Refused by policy ${name}: change ${String(a.fromValue)} → ${String(a.toValue)} exceeds the max step of ${String(a.maxStep)} per epoch${resets}.`,
      );
    case 'PolicyCollateralTooLow':
      return make(
        'collateral-margin',
        `Refused by policy ${name}: collateral ratio after the action would be ${pct(a.ratioAfterBps)}, the policy requires at least ${pct(a.requiredBps)} (liquidation ratio + margin).`,
      );
    case 'PolicyOracleStale':
      return make(
        'oracle-stale',
        `Refused by policy ${name}: the oracle round is ${String(a.age)}s old, the limit is ${String(a.maxAge)}s.`,
      );
    case 'PolicyOracleDeviation':
      return make(
        'oracle-deviation',
        `Refused by policy ${name}: the oracle answer moved ${pct(a.deviationBps ?? a.moveBps ?? 0)} between rounds, the limit is ${pct(a.maxDeviationBps)}.`,
      );
    case 'PolicyModelNotAllowed':
      return make(
        'model-not-allowed',
        `Refused: model ${String(a.modelId)} is not approved for agent use (approval is a governance decision).`,
      );
    case 'PolicyPaused':
      return make(
        'paused',
        `Refused: the guard is paused for ${String(a.asset)} (a guardian paused it; only governance unpauses).`,
      );
    case 'PolicyNotAgent':
      return make('not-agent', `Refused: ${String(a.actor)} does not hold the agent role.`);
    case 'PolicyUnknown':
      return make(
        'no-policy',
        `Refused: no policy exists for asset ${String(a.asset)} and action ${String(a.action)}; governance must create one first.`,
      );
    case 'CeilingExceeded':
      return make(
        'ceiling',
        `Refused: ${POLICY_FIELDS[Number(a.field)] ?? `field ${String(a.field)}`} = ${String(a.requested)} is above the hard ceiling ${String(a.ceiling)}, which can never be raised.`,
      );
    case 'GuardianCannotLoosen':
      return make(
        'guardian-cannot-loosen',
        `Refused: the guardian may only tighten; ${POLICY_FIELDS[Number(a.field)] ?? `field ${String(a.field)}`} ${String(a.current)} → ${String(a.requested)} would loosen it (use a governance proposal).`,
      );
    default: {
      const shown = Object.entries(a)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', ');
      return make('contract', `Refused by the contract: ${error.errorName}(${shown}).`);
    }
  }
}

export function isPolicyRefusal(errorName: string): boolean {
  return /^Policy|^CeilingExceeded$|^GuardianCannotLoosen$/.test(errorName);
}
