// Why: `oracle-rounds` compares every (round id, answer) the manifest names with the feed's own record.
import type { Address, PublicClient } from 'viem';
import { medianOracleAbi } from '../../chain/index.js';
import type { RecordCheck } from './checks.js';
import type { SynthManifest } from './manifest.js';

/** `oracle-rounds`: every round of the manifest equals the feed's `getRoundData` (a missing round fails). */
export async function oracleRoundsCheck(
  m: SynthManifest,
  client: PublicClient,
  check: RecordCheck,
): Promise<void> {
  const answers = new Map<string, bigint | undefined>();
  const roundAnswer = async (feed: string, id: string) => {
    const key = `${feed}:${id}`;
    if (!answers.has(key)) {
      try {
        const r = await client.readContract({
          address: feed as Address,
          abi: medianOracleAbi,
          functionName: 'getRoundData',
          args: [BigInt(id)],
        });
        answers.set(key, r[3] === 0n ? undefined : r[1]);
      } catch {
        answers.set(key, undefined);
      }
    }
    return answers.get(key);
  };
  const named = m.inputs.rounds.map(([id, a]) => [m.inputs.feed, id, a] as [string, string, string]);
  const got = await Promise.all(named.map(([feed, id]) => roundAnswer(feed, id)));
  const bad = named.findIndex(([, , a], i) => got[i] === undefined || got[i] !== BigInt(a));
  if (bad < 0) check('oracle-rounds', true, `${named.length} rounds`, `${named.length} equal`);
  else {
    const [feed, id, a] = named[bad]!;
    check(
      'oracle-rounds',
      false,
      `round ${id} of ${feed}: ${a} (manifest)`,
      got[bad] === undefined ? 'no such round' : `${got[bad]} (getRoundData)`,
    );
  }
}
