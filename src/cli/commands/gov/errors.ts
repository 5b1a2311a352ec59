// Why: the gov refusals a caller may catch by class live in one place, apart from the steps that throw them.
import type { GuardField } from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { type PolicyState, policyName } from '../../../policy/index.js';
import { formatLimit, hardBoundName, iso } from '../policy.js';

/** A governed limit proposed beyond its hard bound: the vote would pass and execution revert. */
export class LimitBeyondBoundError extends NonRetryableError {
  override name = 'LimitBeyondBoundError';
  constructor(p: PolicyState, field: GuardField, value: bigint) {
    const f = (v: bigint) => formatLimit(p.action, field, v);
    const floor = hardBoundName(field) === 'floor';
    super(
      `Cannot propose ${policyName(p)} ${field} = ${f(value)}: it is ${floor ? 'below' : 'above'} the policy's hard ${hardBoundName(field)} of ${f(p.ceiling[field])}, which can never be ${floor ? 'lowered' : 'raised'}.`,
      {
        details: `Such a proposal would pass the vote and then revert CeilingExceeded at execution. Propose a value ${floor ? 'at or above' : 'at or below'} ${f(p.ceiling[field])} (now ${f(p.limits[field])}); \`provenant policy show\` lists every limit with its bound.`,
        docsPath: 'docs/governance.md',
      },
    );
  }
}

/** A vote the governor would refuse (cast twice) or count as nothing (no votes at the snapshot). */
export class VoteRefusedError extends NonRetryableError {
  override name = 'VoteRefusedError';
}

/** `gov execute` before the timelock delay has passed. */
export class TimelockNotReadyError extends NonRetryableError {
  override name = 'TimelockNotReadyError';
  constructor(shortId: string, eta: bigint, now: bigint, cause: unknown) {
    super(
      `Cannot execute proposal ${shortId} yet: it is queued in the timelock until ${iso(eta)}, ${eta - now} s after the chain's time now (${iso(now)}).`,
      {
        details: `Run \`provenant gov execute ${shortId}\` from ${iso(eta)} on (\`provenant gov status ${shortId}\` shows it); on a devnet \`provenant gov queue --advance\` moves time past the delay.`,
        docsPath: 'docs/governance.md',
        cause,
      },
    );
  }
}

/**
 * `gov propose --lower-ceiling` with a field looser than the policy's current hard bound (a ceiling raised,
 * a floor lowered): PolicyGuard.lowerCeiling would revert CeilingExceeded at execution, after the vote.
 */
export class CeilingRaiseError extends NonRetryableError {
  override name = 'CeilingRaiseError';
  constructor(p: PolicyState, field: GuardField, requested: bigint) {
    const f = (v: bigint) => formatLimit(p.action, field, v);
    const floor = hardBoundName(field) === 'floor';
    const bound = hardBoundName(field);
    super(
      `Cannot propose ${policyName(p)} hard ${bound} of ${field} = ${f(requested)}: it is ${floor ? 'below' : 'above'} the current hard ${bound} of ${f(p.ceiling[field])}, and a hard ${bound} can only be ${floor ? 'raised' : 'lowered'}, never ${floor ? 'lowered' : 'raised'}.`,
      {
        details: `Such a proposal would pass the vote and then revert CeilingExceeded at execution. Give ${field}=<value> ${floor ? 'at or above' : 'at or below'} ${f(p.ceiling[field])} (the governed ${field} is ${f(p.limits[field])} now), or leave ${field} out to keep its ${bound}; \`provenant policy show\` lists every limit with its bound.`,
        docsPath: 'docs/governance.md',
      },
    );
  }
}

/**
 * `gov cancel` that the contracts would refuse: the governor lets only the proposer cancel, only while
 * Pending; a queued operation only a holder of the timelock's CANCELLER_ROLE cancels.
 */
export class CancelRefusedError extends NonRetryableError {
  override name = 'CancelRefusedError';
}
