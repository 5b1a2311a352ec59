// Why: the rounds must be the feed's latest window at the log, not a chosen one (shared with --synth).
import {
  firstRoundOfNextPhase,
  firstRoundOfPhase,
  isPhaseBridge,
  PROXY_PHASE_OFFSET,
  phaseOf,
  proxyRoundsText,
} from '../../chain/index.js';
import type { Manifest } from '../manifest.js';
import { POLICY_SNAPSHOT_MAX_AGE_BLOCKS, snapshotBlock } from './policySnapshot.js';
import { describePosition, logName, positionBefore } from './position.js';
import type { ChainPosition, Hex, TokenVersionRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { mapBounded, READ_CONCURRENCY, tryRead } from './util.js';

const name = 'oracle-window';

/** `rounds first..last (n)`, with the proxy phases and rounds (`proxyRoundsText`) when the ids are a proxy's. */
export function roundSpanText(ids: readonly bigint[]): string {
  const phases = proxyRoundsText(ids);
  return `rounds ${ids[0]}..${ids.at(-1)} (${ids.length}${phases ? `: ${phases}` : ''})`;
}

/** What `oracleWindowVerdict` needs: a feed, the rounds named (oldest first) and the log they fed. */
export type OracleWindowQuery = {
  feed: Hex;
  /** The round ids the decision names, oldest first. */
  roundIds: readonly bigint[];
  /** The position of the log the rounds fed (a Minted/Evolved/Repaid log); undefined when unknown. */
  at: ChainPosition | undefined;
  /** That log's name, for the report (e.g. `Minted`). */
  logName: string;
  /** Where round `roundId` of `feed` was published (its AnswerUpdated log), undefined when not found. */
  roundPublication?: ((feed: Hex, roundId: bigint) => Promise<ChainPosition | undefined>) | undefined;
  /**
   * Whether the feed answers `getRoundData(roundId)` now. With it, a newest round whose own publication
   * log is not found still passes when the next round does not exist even now (it cannot have been
   * published before the log), and a next round that exists now but whose log is not found fails (it
   * cannot be placed after the log). Without it both are skips, as for art.
   */
  roundExistsNow?: ((feed: Hex, roundId: bigint) => Promise<boolean>) | undefined;
  /**
   * The block the agent read the rounds at (an art manifest's `policy.snapshot.blockNumber`, a synth
   * decision's `inputs.readBlock`). When it is before the log and at most `POLICY_SNAPSHOT_MAX_AGE_BLOCKS`
   * before it, a window that was the latest at the end of that block passes even if the next round was
   * published before the log: a round landing between the agent's read and its mined transaction is a
   * race the agent could not see, not a stale window, and is reported as such. It only excuses: a window
   * that was the latest at the log passes whatever block is named. A read block after the log or older
   * than that bound is ignored (`policy-snapshot` fails such a block for art).
   */
  readBlock?: bigint | undefined;
};

/**
 * `oracle-window`: the rounds are one window, not a selection. Their ids are consecutive (oldest first),
 * and the newest one was the feed's latest when the log was written: it was published (its AnswerUpdated
 * log) before that log, and the next round was not. Shared by `verify` (art versions) and `verify --synth`.
 * On a Chainlink proxy (ids `phase << 64 | n`) a window may cross ONE aggregator upgrade, as the feed
 * accumulator and the zk gate chain it: round 1 of a phase may follow a round of an earlier phase when
 * that round was its phase's last before the log (the next id of its phase was not published before the
 * log) and no phase in between had published its round 1.
 */
export async function oracleWindowVerdict(q: OracleWindowQuery): Promise<VerifyCheck> {
  const frame = windowFrame(q);
  if ('status' in frame) return frame;
  const skipped = await skippedAtBridge(frame);
  if (skipped && 'status' in skipped) return skipped;
  const publications = await readPublications(frame);
  if ('status' in publications) return publications;
  const verdict = await judgeWindow(frame, publications);
  return skipped && verdict.status === 'pass'
    ? { ...verdict, detail: [verdict.detail, skipped.excused].filter(Boolean).join('; ') }
    : verdict;
}

/** What the `oracle-window` check knows before it reads any publication log. */
type WindowFrame = {
  feed: Hex;
  /** The log the rounds fed. */
  at: ChainPosition;
  logName: string;
  publication: (feed: Hex, roundId: bigint) => Promise<ChainPosition | undefined>;
  roundExistsNow: ((feed: Hex, roundId: bigint) => Promise<boolean>) | undefined;
  /** The agent's read block as a position, when usable (`readPoint`). */
  read: ChainPosition | undefined;
  expected: string;
  /** `rounds first..last (n)`, for the report. */
  span: string;
  /** The newest round of the window. */
  last: bigint;
  /** The one aggregator upgrade the window crosses: `before` is followed by `after` (round 1 of its phase). */
  bridge: { before: bigint; after: bigint } | undefined;
};

/**
 * The window's shape: not empty, consecutive, and placeable (the log's position and the round
 * publications are known). A check (the verdict) when the check ends there.
 */
function windowFrame(q: OracleWindowQuery): WindowFrame | VerifyCheck {
  const { feed, at } = q;
  const ids = q.roundIds;
  // Where the window may be the latest: at the log, or at the end of the agent's read block.
  const read = readPoint(q.readBlock, at);
  const where = !at
    ? `the ${q.logName} log`
    : `${describePosition(at)} (the ${q.logName} log)${read ? ` or at the agent's read (block ${read.blockNumber}, ${at.blockNumber - read.blockNumber} blocks before)` : ''}`;
  // "Consecutive" in the feed's own order: across at most one aggregator upgrade on a proxy (see above).
  const expected = `consecutive rounds, the newest the feed's latest at ${where}`;
  if (ids.length === 0) return { name, status: 'fail', expected, actual: 'no rounds' };
  const last = ids.at(-1)!;
  const gaps = ids.flatMap((id, i) => (i > 0 && id !== ids[i - 1]! + 1n ? [i] : []));
  const span = roundSpanText(ids);
  // One step from a phase's round to round 1 of a later phase is an aggregator upgrade (checked against the
  // publication logs below); any other gap, or a second upgrade, is a selection.
  const bridgeAt =
    gaps.length === 1 && isPhaseBridge(ids[gaps[0]! - 1]!, ids[gaps[0]!]!) ? gaps[0]! : undefined;
  const bad = bridgeAt === undefined ? gaps[0] : undefined;
  if (bad !== undefined)
    return {
      name,
      status: 'fail',
      expected,
      actual: `${span}: round ${ids[bad - 1]} is followed by ${ids[bad]}`,
      detail:
        gaps.length > 1 && gaps.every((g) => isPhaseBridge(ids[g - 1]!, ids[g]!))
          ? 'the window crosses more than one aggregator upgrade: a window crosses at most one'
          : 'the rounds are not consecutive: the window skips rounds the oracle published',
    };
  const bridge = bridgeAt === undefined ? undefined : { before: ids[bridgeAt - 1]!, after: ids[bridgeAt]! };
  const shape = bridge
    ? `${span}, consecutive but for one aggregator upgrade (round ${bridge.before}, then ${bridge.after})`
    : `${span}, consecutive`;
  if (!at || !q.roundPublication)
    return {
      name,
      status: 'skip',
      expected,
      actual: shape,
      detail: at
        ? 'round publications are not readable; pass roundPublication'
        : `the ${q.logName} log's block is unknown`,
    };
  return {
    feed,
    at,
    logName: q.logName,
    publication: q.roundPublication,
    roundExistsNow: q.roundExistsNow,
    read,
    expected,
    span: shape,
    last,
    bridge,
  };
}

/** A publication log that could not be read (an unreachable node): a fail, never a pass or skip. */
function unreadable(f: WindowFrame, error: string, shown: string): VerifyCheck {
  return {
    name,
    status: 'fail',
    expected: f.expected,
    actual: shown,
    detail: `reading the feed's round publications failed: ${error}`,
  };
}

/** What the feed's logs say about the window's newest round and the rounds that could follow it. */
type Publications = {
  lastAt: ChainPosition | undefined;
  nextAt: ChainPosition | undefined;
  /** Whether round last + 1 exists now when its log was not found (undefined: not asked). */
  nextNow: boolean | undefined;
  nextPhase: { id: bigint; at: ChainPosition } | undefined;
  /** What was found, for the report. */
  actual: string;
};

/**
 * Reads where the newest round, the next one (or the next phase's first) were published. Each is a scan
 * of the feed's logs from the deployment block, independent of the others, so they run together: on a
 * proxy round id the next phase's first round is read alongside, though only needed when round last + 1
 * has no log (the usual case of a window that was the latest).
 */
async function readPublications(f: WindowFrame): Promise<Publications | VerifyCheck> {
  const { feed, last, span, expected, publication } = f;
  const phaseId = phaseOf(last) > 0n ? firstRoundOfNextPhase(last) : undefined;
  const reads = await mapBounded(
    [last, last + 1n, ...(phaseId !== undefined ? [phaseId] : [])],
    READ_CONCURRENCY,
    (id) => tryRead(() => publication(feed, id)),
  );
  const [lastRead, nextRead, phaseRead] = [reads[0]!, reads[1]!, reads[2]];
  if ('error' in lastRead) return unreadable(f, lastRead.error, span);
  if ('error' in nextRead) return unreadable(f, nextRead.error, span);
  const lastAt = lastRead.value;
  const nextAt = nextRead.value;
  let nextNow: boolean | undefined;
  if (!nextAt && f.roundExistsNow) {
    const exists = f.roundExistsNow;
    const read = await tryRead(() => exists(feed, last + 1n));
    if ('error' in read)
      return {
        name,
        status: 'fail',
        expected,
        actual: span,
        detail: `reading round ${last + 1n} of the feed failed: ${read.error}`,
      };
    nextNow = read.value;
  }
  const nextText = nextAt
    ? `published at ${describePosition(nextAt)}`
    : nextNow
      ? 'published (getRoundData) but no publication log found'
      : 'not published';
  const actual = `${span}; round ${last} ${lastAt ? `published at ${describePosition(lastAt)}` : 'has no publication log'}, round ${last + 1n} ${nextText}`;
  // A Chainlink proxy round id is `phase << 64 | n`: when the phase's aggregator had no round n + 1, the
  // feed may still have moved on to the next phase (an aggregator upgrade), whose first round is
  // `(phase + 1) << 64 | 1`. A window ending before that round was published is not the latest either.
  let nextPhase: { id: bigint; at: ChainPosition } | undefined;
  if (!nextAt && phaseId !== undefined && phaseRead) {
    if ('error' in phaseRead) return unreadable(f, phaseRead.error, actual);
    if (phaseRead.value) nextPhase = { id: phaseId, at: phaseRead.value };
  }
  return { lastAt, nextAt, nextNow, nextPhase, actual };
}

/**
 * For a window across an aggregator upgrade: a round the window skips at the bridge that was published
 * before the log (the next id of the old round's phase, or round 1 of a phase in between), or undefined.
 * The old phase's later rounds after the log do not count: the chain had moved on by then. A retired
 * aggregator may still publish after the upgrade: a skipped round published after the agent's read block
 * (with the window's newest round published by then) is a round the agent could not have read, as the
 * round in flight `judgeWindow` excuses at the window's end, and is only reported (`excused`).
 */
async function skippedAtBridge(f: WindowFrame): Promise<VerifyCheck | { excused: string } | undefined> {
  if (!f.bridge) return undefined;
  const { before, after } = f.bridge;
  const skippable = [before + 1n];
  for (let q = phaseOf(before) + 1n; q < phaseOf(after); q++)
    skippable.push(firstRoundOfPhase(q << PROXY_PHASE_OFFSET));
  const reads = await mapBounded(skippable, READ_CONCURRENCY, (id) =>
    tryRead(() => f.publication(f.feed, id)),
  );
  const excused: string[] = [];
  for (const [i, read] of reads.entries()) {
    if ('error' in read) return unreadable(f, read.error, f.span);
    if (!read.value || !positionBefore(read.value, f.at)) continue;
    if (f.read && !positionBefore(read.value, f.read)) {
      const last = await tryRead(() => f.publication(f.feed, f.last));
      if ('error' in last) return unreadable(f, last.error, f.span);
      if (last.value && positionBefore(last.value, f.read)) {
        excused.push(
          `round ${skippable[i]} (the old phase's) landed after the agent's read (block ${f.read.blockNumber}) and before the ${f.logName} log (at ${describePosition(read.value)}): the agent could not have used it`,
        );
        continue;
      }
    }
    return {
      name,
      status: 'fail',
      expected: f.expected,
      actual: `${f.span}; round ${skippable[i]} published at ${describePosition(read.value)}`,
      detail: `the window skips round ${skippable[i]}, which the oracle published before the ${f.logName} log: round ${before} was not the last before round ${after}`,
    };
  }
  return excused.length > 0 ? { excused: excused.join('; ') } : undefined;
}

/** The verdict: was the window the feed's latest at the log, or at the agent's read with one round in flight? */
async function judgeWindow(f: WindowFrame, publications: Publications): Promise<VerifyCheck> {
  const { feed, at, read, expected, last, publication } = f;
  const { lastAt, nextAt, nextNow, nextPhase, actual } = publications;
  /** Why the window was not the feed's latest at `p` (empty: it was). */
  const problemsAt = (p: ChainPosition, label: string): string[] => {
    const problems: string[] = [];
    if (nextPhase && positionBefore(nextPhase.at, p))
      problems.push(
        `round ${nextPhase.id} (the first of the next phase) was already published at ${describePosition(nextPhase.at)}: the window does not end at the latest round`,
      );
    if (lastAt && !positionBefore(lastAt, p)) problems.push(`round ${last} was not published ${label}`);
    if (nextAt && positionBefore(nextAt, p))
      problems.push(`round ${last + 1n} was already published: the window does not end at the latest round`);
    if (nextNow)
      problems.push(
        `round ${last + 1n} exists but its publication log was not found, so it cannot be placed after the ${f.logName} log`,
      );
    return problems;
  };
  // The read block only ever excuses a window that a round overtook in flight: a window that was the
  // latest at the log itself passes whatever block the snapshot names (manifests made before the read
  // block was pinned name a block read separately from the rounds).
  const atLog = problemsAt(at, `before the ${f.logName} log`);
  const atRead = read ? problemsAt(read, `by the agent's read at block ${read.blockNumber}`) : undefined;
  // At most ONE round may have overtaken the agent in flight: otherwise a claimed read block anywhere in
  // the 64-block bound would excuse a window several rounds old (a choice of windows, which this check
  // exists to prevent). The overtaking round is the next one (or the next phase's first); the round after
  // it must not be published before the log.
  let overtaking: { id: bigint; at: ChainPosition } | undefined;
  if (atLog.length > 0 && atRead?.length === 0) {
    const first = nextAt ? { id: last + 1n, at: nextAt } : nextPhase;
    if (first) {
      const after = await tryRead(() => publication(feed, first.id + 1n));
      if ('error' in after) return unreadable(f, after.error, actual);
      if (after.value && positionBefore(after.value, at))
        return {
          name,
          status: 'fail',
          expected,
          actual,
          detail: `${atLog.join('; ')}; rounds ${first.id} and ${first.id + 1n} were both published before the ${f.logName} log, so this is no race with one round in flight`,
        };
      overtaking = first;
    }
  }
  const raced = overtaking !== undefined;
  if (atLog.length > 0 && !raced) return { name, status: 'fail', expected, actual, detail: atLog.join('; ') };
  // Without the newest round's own log (a proxy or an external feed scanned from too late a block), a
  // missing log of the next round proves nothing, unless the next round does not exist even now.
  if (!lastAt && nextNow !== false)
    return {
      name,
      status: 'skip',
      expected,
      actual,
      detail: `the feed's logs do not show when round ${last} was published, so whether it was the latest is not checked`,
    };
  if (raced)
    return {
      name,
      status: 'pass',
      expected,
      actual,
      detail: `round ${overtaking!.id} landed after the agent's read (block ${read!.blockNumber}) and before the ${f.logName} log (at ${describePosition(overtaking!.at)}): the agent could not have used it`,
    };
  return { name, status: 'pass', expected, actual };
}

/**
 * The agent's read block as a position (the end of that block: every log in it came before the read),
 * when it is usable: before the log's block and at most `POLICY_SNAPSHOT_MAX_AGE_BLOCKS` before it.
 */
function readPoint(readBlock: bigint | undefined, at: ChainPosition | undefined): ChainPosition | undefined {
  if (readBlock === undefined || !at) return undefined;
  if (readBlock >= at.blockNumber || at.blockNumber - readBlock > POLICY_SNAPSHOT_MAX_AGE_BLOCKS)
    return undefined;
  return { blockNumber: readBlock };
}

/** `oracle-window` of an art version: its manifest's rounds against its Minted/Evolved log. */
export function oracleWindowCheck(
  manifest: Manifest,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  return oracleWindowVerdict({
    feed: manifest.inputs.oracle.feed as Hex,
    roundIds: manifest.inputs.oracle.rounds.map((r) => BigInt(r.roundId)),
    at:
      onChain.blockNumber !== undefined
        ? { blockNumber: onChain.blockNumber, logIndex: onChain.logIndex }
        : undefined,
    logName: logName(version),
    roundPublication: deps.roundPublication?.bind(deps),
    readBlock: snapshotBlock(manifest),
  });
}
