import { describe, expect, test } from 'vitest';
import { makeWorld, ROUNDS } from '../fixtures.test-helpers.js';
import { formatVerifyReport, verifyAllVersions, verifyAsset } from './index.js';
import type { VerifyDependencies } from './types.js';
import { mapBounded } from './util.js';

/** Wraps `read` so the test sees how many calls were in flight at once, at most. */
function inFlight<A extends unknown[], R>(read: (...args: A) => Promise<R>) {
  const seen = { now: 0, max: 0, calls: 0 };
  const wrapped = async (...args: A): Promise<R> => {
    seen.calls += 1;
    seen.now += 1;
    seen.max = Math.max(seen.max, seen.now);
    try {
      // A macrotask, as a network read is: the other reads of the batch start meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 1));
      return await read(...args);
    } finally {
      seen.now -= 1;
    }
  };
  return { seen, wrapped };
}

describe('verifyAllVersions', () => {
  test('behavior: reads the token record once for all its versions (it was read again per version)', async () => {
    const world = await makeWorld();
    let reads = 0;
    const deps: VerifyDependencies = {
      ...world.deps,
      readTokenRecord: (id) => {
        reads += 1;
        return world.deps.readTokenRecord(id);
      },
    };
    const reports = await verifyAllVersions(world.tokenId, deps);
    expect(reports.map((r) => [r.version, r.ok])).toEqual([
      [0, true],
      [1, true],
    ]);
    expect(reads).toBe(1);
  });

  test('behavior: a token that was never minted gives one report, token-exists failed (it gave none, so `verify <id> --all` exited 0)', async () => {
    const world = await makeWorld();
    const reports = await verifyAllVersions(world.tokenId + 1n, world.deps);
    expect(reports.map((r) => [r.tokenId, r.version, r.ok])).toEqual([
      [(world.tokenId + 1n).toString(), -1, false],
    ]);
    expect(reports[0]!.checks.map((c) => [c.name, c.status])).toEqual([['token-exists', 'fail']]);
  });
});

describe('formatVerifyReport: skipped checks', () => {
  test('behavior: a manifest that fails its commitment prints ONE line naming the checks it skips and why; the report keeps each', async () => {
    const world = await makeWorld();
    const cid = world.v1.manifestAddress.cid.toString();
    const bytes = world.content.get(cid)!.slice();
    bytes[10] = (bytes[10]! + 1) % 256;
    world.content.set(cid, bytes);
    const report = await verifyAsset({ tokenId: world.tokenId }, world.deps);
    const skipped = report.checks.filter((c) => c.status === 'skip').map((c) => c.name);
    expect(skipped).toEqual([
      'manifest-token',
      'manifest-context',
      'model-id',
      // no model-logged: the fixture's record logs no model id
      'model-approved',
      'oracle-feed',
      'oracle-input[i]',
      'oracle-window',
      'market-state',
      'forecast-replay',
      'seed',
      'image-bytes',
      'image-cid',
      'metadata-bytes',
      'token-uri',
      'version-chain',
      'policy-snapshot',
    ]);
    const lines = formatVerifyReport(report).split('\n');
    expect(lines.filter((l) => l.startsWith('–'))).toEqual([
      `– ${skipped.length} checks skipped: ${skipped.join(', ')}  (manifest does not match the on-chain commitment; none of its claims is trusted)`,
    ]);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['token', '✓', '✓', '✗', '–', '✓', 'NOT']);
  });

  test('a lone skip, or one that states a value, keeps its own line', () => {
    const text = formatVerifyReport({
      tokenId: '7',
      version: 0,
      ok: false,
      notChecked: ['model-id', 'oracle-window'],
      checks: [
        { name: 'model-id', status: 'skip', detail: 'model file unavailable' },
        {
          name: 'oracle-window',
          status: 'skip',
          actual: 'rounds 1..3 (3), consecutive',
          detail: 'model file unavailable',
        },
        { name: 'seed', status: 'pass', actual: '42' },
        { name: 'policy-snapshot', status: 'skip', detail: 'not re-derived' },
        { name: 'chain-head', status: 'skip', detail: 'not re-derived' },
      ],
    });
    expect(text.split('\n').slice(1, -1)).toEqual([
      '– model-id  (model file unavailable)',
      '– oracle-window  (model file unavailable)',
      '✓ seed  42',
      '– 2 checks skipped: policy-snapshot, chain-head  (not re-derived)',
    ]);
  });
});

describe('independent chain reads run together, a few at a time', () => {
  test('behavior: oracle-input reads overlap (at most 4 in flight) and keep the manifest order', async () => {
    const world = await makeWorld();
    const reads = inFlight(world.deps.readRound);
    const report = await verifyAsset({ tokenId: world.tokenId }, { ...world.deps, readRound: reads.wrapped });
    expect(report.ok).toBe(true);
    expect(reads.seen.calls).toBe(3);
    expect(reads.seen.max).toBe(3);
    const inputs = report.checks.filter((c) => c.name.startsWith('oracle-input'));
    expect(inputs.map((c) => c.actual?.split(':')[0])).toEqual(
      ROUNDS.slice(1, 4).map((r) => `round ${r.roundId}`),
    );
  });

  test("behavior: oracle-window reads the newest round, the next one and (a proxy's round id) the next phase's first together", async () => {
    const world = await makeWorld();
    const publications = inFlight(world.deps.roundPublication!);
    const report = await verifyAsset(
      { tokenId: world.tokenId },
      { ...world.deps, roundPublication: publications.wrapped },
    );
    expect(report.checks.find((c) => c.name === 'oracle-window')?.status).toBe('pass');
    expect([publications.seen.calls, publications.seen.max]).toEqual([3, 3]);
  });
});

describe('mapBounded', () => {
  test('default: results in the items order, never more than the limit in flight', async () => {
    const reads = inFlight(async (n: number) => n * 10);
    expect(await mapBounded([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, (n) => reads.wrapped(n))).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90,
    ]);
    expect(reads.seen.max).toBe(4);
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });

  test('behavior: the first failure rejects, and no read starts after it', async () => {
    const started: number[] = [];
    const failing = mapBounded([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (n === 2) throw new Error('node down');
      return n;
    });
    await expect(failing).rejects.toThrow('node down');
    expect(started.length).toBeLessThan(6);
  });
});
