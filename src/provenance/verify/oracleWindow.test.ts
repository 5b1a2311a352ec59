import { describe, expect, test } from 'vitest';
import { proxyRoundsText } from '../../chain/index.js';
import { oracleWindowVerdict, roundSpanText } from './oracleWindow.js';
import type { ChainPosition, Hex } from './types.js';

// A Chainlink-style proxy whose aggregator was upgraded: phase 1 published rounds 1..30 (blocks 100..129),
// phase 2 rounds 1..3 (blocks 200..202). The decision's log is at block 210.
const FEED = '0x00000000000000000000000000000000000000a0' as Hex;
const P1 = 1n << 64n;
const P2 = 2n << 64n;
const P3 = 3n << 64n;
const LOG: ChainPosition = { blockNumber: 210n, logIndex: 0 };

function publications(extra: [bigint, bigint][] = []) {
  const at = new Map<bigint, bigint>();
  for (let n = 1n; n <= 30n; n++) at.set(P1 | n, 99n + n);
  for (let n = 1n; n <= 3n; n++) at.set(P2 | n, 199n + n);
  for (const [id, block] of extra) at.set(id, block);
  return async (_feed: Hex, roundId: bigint): Promise<ChainPosition | undefined> => {
    const block = at.get(roundId);
    return block === undefined ? undefined : { blockNumber: block, logIndex: 0 };
  };
}

const window = (...ids: bigint[]) => ids;
const acrossBridge = window(
  ...Array.from({ length: 18 }, (_, k) => P1 | BigInt(13 + k)),
  P2 | 1n,
  P2 | 2n,
  P2 | 3n,
);

/** The verdict on `roundIds` for a Minted log at block 210, the feed's publications plus `extra`. */
const verdict = (roundIds: readonly bigint[], extra: [bigint, bigint][] = [], readBlock?: bigint) =>
  oracleWindowVerdict({
    feed: FEED,
    roundIds,
    at: LOG,
    logName: 'Minted',
    roundPublication: publications(extra),
    readBlock,
  });

describe('oracle-window across an aggregator upgrade', () => {
  test('default: phase 1 last rounds then phase 2 rounds 1..3 pass', async () => {
    const check = await verdict(acrossBridge);
    expect(check.status).toBe('pass');
    expect(check.actual).toMatch(
      /consecutive but for one aggregator upgrade \(round 18446744073709551646, then 36893488147419103233\)/,
    );
    // The 20-digit proxy ids are named by phase and aggregator round, so the upgrade is readable at once.
    expect(check.actual).toMatch(
      /^rounds 18446744073709551629\.\.36893488147419103235 \(21: phase 1 #13\.\.#30, phase 2 #1\.\.#3\), consecutive but/,
    );
  });

  test('behavior: round spans name proxy phases; plain aggregator ids stay as they are', () => {
    expect(proxyRoundsText([P2 | 7n])).toBe('phase 2 #7');
    expect(proxyRoundsText([P1 | 30n, P2 | 1n])).toBe('phase 1 #30, phase 2 #1');
    expect(roundSpanText([P2 | 10n, P2 | 11n, P2 | 12n])).toBe(
      `rounds ${P2 | 10n}..${P2 | 12n} (3: phase 2 #10..#12)`,
    );
    expect(proxyRoundsText([5n, 6n])).toBe('');
    expect(roundSpanText([5n, 6n, 7n])).toBe('rounds 5..7 (3)');
  });

  test('behavior: the old phase published a round after the window old part before the log: a skipped round', async () => {
    const check = await verdict(acrossBridge, [[P1 | 31n, 205n]]);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      `the window skips round ${P1 | 31n}, which the oracle published before the Minted log: round ${P1 | 30n} was not the last before round ${P2 | 1n}`,
    );
  });

  test('behavior: a round the retired aggregator published after the agent read is a race, not a skipped round', async () => {
    // The agent read at block 203 (phase 2 #3 at 202 was its latest); phase 1's aggregator, retired but
    // still publishing, added round 31 at 205, before the log at 210. Before: a fail (skipped round).
    const query = (readBlock: bigint, published: bigint) =>
      verdict(acrossBridge, [[P1 | 31n, published]], readBlock);
    const raced = await query(203n, 205n);
    expect(raced.status).toBe('pass');
    expect(raced.detail).toBe(
      `round ${P1 | 31n} (the old phase's) landed after the agent's read (block 203) and before the Minted log (at block 205 log 0): the agent could not have used it`,
    );
    // Published by the read block: the agent could have read it, so the window skipped it.
    expect((await query(203n, 203n)).status).toBe('fail');
    // A read block before the window's own newest round (202) excuses nothing.
    expect((await query(201n, 205n)).status).toBe('fail');
  });

  test('behavior: a round of the old phase published only after the log does not count', async () => {
    const check = await verdict(acrossBridge, [[P1 | 31n, 300n]]);
    expect(check.status).toBe('pass');
  });

  test('behavior: not the old phase last round (a gap before round 1) fails', async () => {
    const ids = window(
      ...Array.from({ length: 18 }, (_, k) => P1 | BigInt(10 + k)),
      P2 | 1n,
      P2 | 2n,
      P2 | 3n,
    );
    const check = await verdict(ids);
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(new RegExp(`skips round ${P1 | 28n}`));
  });

  test('behavior: two upgrades inside one window fail', async () => {
    const ids = window(P1 | 29n, P1 | 30n, P2 | 1n, P2 | 2n, P2 | 3n, P3 | 1n);
    const check = await verdict(ids, [[P3 | 1n, 205n]]);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      'the window crosses more than one aggregator upgrade: a window crosses at most one',
    );
  });

  test('behavior: a jump to a later phase that is not its round 1 stays a gap', async () => {
    const ids = window(P1 | 29n, P1 | 30n, P2 | 2n, P2 | 3n);
    const check = await verdict(ids);
    expect(check.status).toBe('fail');
    expect(check.detail).toBe('the rounds are not consecutive: the window skips rounds the oracle published');
  });
});
