// Why: the manifest's feed and rounds are checked against the chain itself, not against the manifest.
import { formatUnits } from 'viem';
import type { Manifest } from '../manifest.js';
import type { Hex, VerifyCheck, VerifyDependencies } from './types.js';
import { mapBounded, READ_CONCURRENCY, sameAddress, tryRead, utcOf } from './util.js';

/**
 * `oracle-feed`: the manifest's feed is one of the deployment's oracle feeds (not any contract that
 * answers getRoundData), and its stated decimals are the feed's `decimals()`.
 */
export async function oracleFeedCheck(manifest: Manifest, deps: VerifyDependencies): Promise<VerifyCheck> {
  const name = 'oracle-feed';
  const { feed, decimals } = manifest.inputs.oracle;
  const actual = `feed ${feed}, ${decimals} decimals`;
  if (!deps.oracleFeeds)
    return { name, status: 'skip', actual, detail: "the deployment's feeds are unknown; pass oracleFeeds" };
  const feeds = await tryRead(() => deps.oracleFeeds!());
  if ('error' in feeds)
    return { name, status: 'fail', actual, detail: `reading the deployment's feeds failed: ${feeds.error}` };
  const known = feeds.value.some((f) => sameAddress(f, feed));
  const onFeed = deps.readFeedDecimals ? await tryRead(() => deps.readFeedDecimals!(feed as Hex)) : undefined;
  const feedDecimals = onFeed && 'value' in onFeed ? onFeed.value : undefined;
  const expected = `one of the deployment's feeds (${feeds.value.map((f) => f.toLowerCase()).join(', ') || 'none'}), ${feedDecimals ?? '?'} decimals`;
  const problems: string[] = [];
  if (!known) problems.push(`feed ${feed} is not one of the deployment's oracle feeds`);
  if (onFeed && 'error' in onFeed) problems.push(`decimals() on ${feed} failed: ${onFeed.error}`);
  if (feedDecimals !== undefined && feedDecimals !== decimals)
    problems.push(`the manifest states ${decimals} decimals; the feed has ${feedDecimals}`);
  if (problems.length) return { name, status: 'fail', expected, actual, detail: problems.join('; ') };
  if (!onFeed) return { name, status: 'skip', expected, actual, detail: "the feed's decimals were not read" };
  return { name, status: 'pass', expected, actual };
}

/** `oracle-input[i]`: each round the manifest states, compared with `getRoundData` on its feed, in order. */
export async function oracleInputChecks(
  manifest: Manifest,
  deps: VerifyDependencies,
): Promise<VerifyCheck[]> {
  const feed = manifest.inputs.oracle.feed as Hex;
  // The raw integers are what is compared; the price in the feed's units and the UTC time are for people.
  const decimals = manifest.inputs.oracle.decimals;
  const describe = (r: { roundId: string; answer: string; updatedAt: string }) =>
    `round ${r.roundId}: answer ${r.answer} (${priceOf(r.answer, decimals)}) at ${r.updatedAt} (${utcOf(r.updatedAt)})`;
  // The rounds are independent reads: a few at a time (the report keeps the manifest's order).
  const reads = await mapBounded(manifest.inputs.oracle.rounds, READ_CONCURRENCY, (claimed) =>
    tryRead(() => deps.readRound(feed, BigInt(claimed.roundId))),
  );
  const checks: VerifyCheck[] = [];
  for (const [i, claimed] of manifest.inputs.oracle.rounds.entries()) {
    const read = reads[i]!;
    if ('error' in read) {
      checks.push({
        name: `oracle-input[${i}]`,
        status: 'fail',
        expected: describe(claimed),
        actual: 'no such round',
        detail: `getRoundData(${claimed.roundId}) on ${feed} failed: ${read.error}`,
      });
      continue;
    }
    const round = read.value;
    const actual = {
      roundId: round.roundId.toString(),
      answer: round.answer.toString(),
      updatedAt: round.updatedAt.toString(),
    };
    const same =
      actual.roundId === claimed.roundId &&
      actual.answer === claimed.answer &&
      actual.updatedAt === claimed.updatedAt;
    checks.push({
      name: `oracle-input[${i}]`,
      status: same ? 'pass' : 'fail',
      expected: describe(claimed),
      actual: describe(actual),
      ...(same ? {} : { detail: `the manifest's input differs from getRoundData on ${feed}` }),
    });
  }
  return checks;
}

/** An integer answer at `decimals` as a decimal price (`5614865240` at 8 → `56.1486524`); the text as is when not an integer. */
function priceOf(answer: string, decimals: number): string {
  try {
    return formatUnits(BigInt(answer), decimals);
  } catch {
    return answer;
  }
}
