import type { Address } from 'viem';
import { proxyRoundIdText } from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';

/** The agent refuses a feed reading. `rule` names which check failed. */
export class FeedRefusedError extends NonRetryableError {
  override name = 'FeedRefusedError';
  readonly rule: 'stale' | 'deviation' | 'non-positive' | 'no-rounds' | 'outlier';
  readonly feed: string;
  readonly roundId: bigint;
  constructor(rule: FeedRefusedError['rule'], feed: string, roundId: bigint, sentence: string) {
    super(`Refused feed ${feed} round ${proxyRoundIdText(roundId)}: ${sentence}`, {
      details:
        'The agent does not act on this round. It will act again once a fresh, consistent round is published.',
      docsPath: 'docs/oracle.md#refusals',
    });
    this.rule = rule;
    this.feed = feed;
    this.roundId = roundId;
  }
}

/**
 * The relayer will not publish to a feed: it is not a MedianOracle (e.g. an external Chainlink feed the
 * deployment points at), or the reporter set cannot meet its quorum.
 */
export class FeedNotRelayableError extends NonRetryableError {
  override name = 'FeedNotRelayableError';
  readonly feed: Address;
  constructor(feed: Address, reason: string) {
    super(`Cannot publish a round to feed ${feed}: ${reason}.`, {
      details:
        'Provenant reporters publish only to the MedianOracle feeds the deployment created. A feed passed with `provenant deploy --feed KEY=ADDRESS` is read, never written: its own operators publish to it. For a MedianOracle, use a reporter set with at least quorum() registered keys.',
      docsPath: 'docs/oracle.md#external-feeds',
    });
    this.feed = feed;
  }
}
