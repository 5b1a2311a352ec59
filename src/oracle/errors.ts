import { NonRetryableError } from '../errors/index.js';

/** The agent refuses a feed reading. `rule` names which check failed. */
export class FeedRefusedError extends NonRetryableError {
  override name = 'FeedRefusedError';
  readonly rule: 'stale' | 'deviation' | 'non-positive' | 'no-rounds' | 'outlier';
  readonly feed: string;
  readonly roundId: bigint;
  constructor(rule: FeedRefusedError['rule'], feed: string, roundId: bigint, sentence: string) {
    super(`Refused feed ${feed} round ${roundId}: ${sentence}`, {
      details:
        'The agent does not act on this round. It will act again once a fresh, consistent round is published.',
      docsPath: 'docs/oracle.md#refusals',
    });
    this.rule = rule;
    this.feed = feed;
    this.roundId = roundId;
  }
}
