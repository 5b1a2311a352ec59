/**
 * The one error base of Provenant, after viem's `BaseError`: a short sentence saying what went wrong,
 * optional details (what was given, what was expected, what to do), and a pointer to the docs.
 *
 * Errors split into retryable (an RPC timeout, a dropped connection: the agent may try again) and
 * non-retryable (a policy refusal, a malformed config: retrying changes nothing). The agent loop and
 * the transaction manager branch on `retryable`, never on message text.
 */
export type ProvenantErrorParameters = {
  /** What to do about it, or what was given versus expected. Printed under the short message. */
  details?: string | undefined;
  /** A path under docs/ (or a README anchor) that explains the rule. */
  docsPath?: string | undefined;
  /** The error that caused this one; shown with `--verbose`. */
  cause?: unknown;
  /** Extra named lines, e.g. `{ field: 'agent.epochSeconds', given: '-1' }`. */
  metaMessages?: string[] | undefined;
};

export class ProvenantError extends Error {
  override name = 'ProvenantError';
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly docsPath: string | undefined;
  readonly metaMessages: string[] | undefined;
  /** True when trying again may succeed. */
  readonly retryable: boolean = false;

  constructor(shortMessage: string, parameters: ProvenantErrorParameters = {}) {
    const lines = [shortMessage];
    if (parameters.metaMessages?.length) lines.push('', ...parameters.metaMessages);
    if (parameters.details) lines.push('', parameters.details);
    if (parameters.docsPath) lines.push('', `Docs: ${parameters.docsPath}`);
    super(lines.join('\n'), parameters.cause === undefined ? undefined : { cause: parameters.cause });
    this.shortMessage = shortMessage;
    this.details = parameters.details;
    this.docsPath = parameters.docsPath;
    this.metaMessages = parameters.metaMessages;
  }

  /** Walks the cause chain; returns the first error for which `predicate` holds. */
  walk(predicate: (error: unknown) => boolean): unknown {
    let current: unknown = this;
    while (current) {
      if (predicate(current)) return current;
      current = (current as { cause?: unknown }).cause;
    }
    return undefined;
  }
}

/** An error that may go away if the same thing is tried again (network, timeouts, node restarts). */
export class RetryableError extends ProvenantError {
  override name = 'RetryableError';
  override readonly retryable: boolean = true;
}

/** An error that retrying cannot fix: bad input, a refusal by the chain or the policy, a bug. */
export class NonRetryableError extends ProvenantError {
  override name = 'NonRetryableError';
}

/** True for errors the caller may retry. Unknown errors are treated as non-retryable: fail closed. */
export function isRetryable(error: unknown): boolean {
  return error instanceof ProvenantError && error.retryable;
}
