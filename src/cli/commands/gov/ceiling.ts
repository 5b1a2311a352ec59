// Why: `gov propose --lower-ceiling` reads `field=value` lists in each field's units and checks them against
// the policy's current hard bounds before anything is proposed; parsing and checking are one job, kept apart
// from the proposing.
import type { Hex } from 'viem';
import type { GuardField, LimitsTuple } from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { type PolicyState, policyName } from '../../../policy/index.js';
import { formatLimit, hardBoundName, parseField, parseLimitValue } from '../policy.js';
import { beyondBound } from './describe.js';
import { CeilingRaiseError } from './errors.js';

/** One requested hard bound: the field, its value in base units and as the user wrote it. */
export type CeilingAssignment = { field: GuardField; value: bigint; text: string };

const example =
  'Example: provenant gov propose --lower-ceiling sWTI/SYNTH_MINT epochCap=5000,lifetimeCap=500000';

/**
 * Parses `field=value[,field=value…]` (one or more arguments, each may hold several pairs) in the units of
 * `action` (SYNTH_MINT caps in whole synth, the rest raw), exactly as `--set-limit` does; a field named
 * twice, a pair without `=` or an empty list is refused.
 */
export function parseCeilingAssignments(action: Hex, args: readonly string[]): CeilingAssignment[] {
  const pairs = args
    .flatMap((a) => a.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pairs.length === 0)
    throw new NonRetryableError('--lower-ceiling needs a policy and at least one field=value.', {
      details: example,
      docsPath: 'docs/governance.md',
    });
  const seen = new Set<GuardField>();
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1)
      throw new NonRetryableError(`'${pair}' is not field=value.`, {
        details: `--lower-ceiling takes the policy, then field=value pairs separated by commas or spaces. ${example}`,
        docsPath: 'docs/governance.md',
      });
    const field = parseField(pair.slice(0, eq).trim());
    if (seen.has(field))
      throw new NonRetryableError(`--lower-ceiling names ${field} twice.`, {
        details: `Give each field once. ${example}`,
        docsPath: 'docs/governance.md',
      });
    seen.add(field);
    const text = pair.slice(eq + 1).trim();
    return { field, value: parseLimitValue(action, field, text, `${field} (--lower-ceiling)`), text };
  });
}

/**
 * The whole new ceiling for PolicyGuard.lowerCeiling: the requested fields, every other field at its
 * current hard bound. Refused with CeilingRaiseError when a requested field is looser than its current
 * bound (a ceiling raised, a floor lowered), and when nothing would change.
 */
export function nextCeiling(current: PolicyState, requested: readonly CeilingAssignment[]): LimitsTuple {
  for (const r of requested)
    if (beyondBound(current, r.field, r.value)) throw new CeilingRaiseError(current, r.field, r.value);
  const ceiling: LimitsTuple = { ...current.ceiling };
  for (const r of requested) ceiling[r.field] = r.value;
  if (requested.every((r) => current.ceiling[r.field] === r.value))
    throw new NonRetryableError(
      `Every bound given is already the hard bound of ${policyName(current)}: the proposal would change nothing.`,
      {
        details: `Current bounds: ${requested.map((r) => `${r.field} ${hardBoundName(r.field)} ${formatLimit(current.action, r.field, current.ceiling[r.field])}`).join(', ')}. Give a lower ceiling or a higher floor; \`provenant policy show\` lists every bound.`,
        docsPath: 'docs/governance.md',
      },
    );
  return ceiling;
}
