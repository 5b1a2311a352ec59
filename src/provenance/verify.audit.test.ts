/**
 * The `verify` holes of review 5 (issue 5), closed: each test mints a token on the in-memory chain of
 * `mintWorld` (honest about what it holds: commitment, oracle rounds and their publication blocks,
 * model approval, chain context), lets the manifest lie about ONE thing, and expects exactly the check
 * that binds that thing to fail. The honest mint is the control (every check passes but the two
 * informational skips).
 */
import { describe, expect, test } from 'vitest';
import { RetryableError } from '../errors/index.js';
import { failing, GUARD, MODEL_ID, mintWorld, NFT, notPassing, ROUNDS } from './fixtures.test-helpers.js';
import {
  formatVerifyReport,
  type Manifest,
  POLICY_SNAPSHOT_MAX_AGE_BLOCKS,
  parseManifest,
  type RoundData,
  type VerifyReport,
  verifyAllVersions,
  verifyAsset,
} from './index.js';

const OTHER = '0x000000000000000000000000000000000000dead';
const checkOf = (report: VerifyReport, name: string) => report.checks.find((c) => c.name === name)!;
const verify = async (world: Awaited<ReturnType<typeof mintWorld>>) =>
  verifyAsset({ tokenId: world.tokenId }, world.deps);

describe('control: the honest mint', () => {
  test('default: every check passes; the no-forecast and policy-snapshot skips do not fail ok', async () => {
    const report = await verify(await mintWorld());
    expect(failing(report)).toEqual([]);
    expect(notPassing(report)).toEqual(['forecast-replay:skip', 'policy-snapshot:skip']);
    expect(report.ok).toBe(true);
    const printed = formatVerifyReport(report);
    expect(printed).toContain(
      `✓ manifest-context  chain 31337, NFT ${NFT}, guard ${GUARD}, agent 0x70997970c51812dc3a010c7d01b50e0d17dc79c8`,
    );
    expect(printed).toContain('✓ oracle-feed  feed 0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419, 8 decimals');
    expect(printed).toContain(
      `✓ oracle-window  rounds ${ROUNDS[0]!.roundId}..${ROUNDS[2]!.roundId} (3: phase 1 #1..#3)`,
    );
    expect(printed).toContain('– policy-snapshot  (policy snapshot not re-derived');
    expect(printed.endsWith('\nverified')).toBe(true);
  });
});

describe('F1: a forecast must name its forecaster', () => {
  test('tamper: an arbitrary forecast without modelId fails forecast-replay; the version is not verified', async () => {
    const world = await mintWorld({ params: (p) => (p.forecast = { returnPpm: 999_999 }) });
    expect(world.asset.manifest.marketState.forecastPpm).toBe(999_999);
    const report = await verify(world);
    expect(failing(report)).toEqual(['forecast-replay']);
    expect(checkOf(report, 'forecast-replay').actual).toBe('forecast 999999 ppm of no named forecaster');
    expect(checkOf(report, 'forecast-replay').detail).toMatch(/names no forecaster/);
    expect(report.ok).toBe(false);
  });

  test('behavior: no forecast at all (forecastPpm 0) is still only skipped', async () => {
    const report = await verify(await mintWorld());
    expect(checkOf(report, 'forecast-replay').status).toBe('skip');
    expect(checkOf(report, 'market-state').status).toBe('pass');
    expect(report.ok).toBe(true);
  });
});

describe('F2: the oracle feed is the deployment’s', () => {
  const FAKE_FEED = '0x000000000000000000000000000000000000fa4e' as const;
  /** Fabricated prices: a +50% "rally" the real oracle never reported, on a contract the agent controls. */
  const FAKE: RoundData[] = ROUNDS.slice(0, 3).map((r, i) => ({
    ...r,
    answer: r.answer + BigInt(i) * 3_000_000_000n,
  }));

  test('tamper: a manifest reading its inputs from a non-suite feed fails exactly oracle-feed', async () => {
    const world = await mintWorld({
      params: (p) => (p.oracle = { feed: FAKE_FEED, decimals: 8, rounds: FAKE }),
      feeds: { [FAKE_FEED]: FAKE },
    });
    expect(world.asset.manifest.marketState.regime).toBe('volatile');
    const report = await verify(world);
    expect(failing(report)).toEqual(['oracle-feed']);
    expect(checkOf(report, 'oracle-feed').detail).toBe(
      `feed ${FAKE_FEED} is not one of the deployment's oracle feeds`,
    );
    expect(report.ok).toBe(false);
  });

  test('behavior: without the deployment’s feeds wired, oracle-feed is skipped and nothing is verified', async () => {
    const world = await mintWorld();
    delete world.deps.oracleFeeds;
    const report = await verify(world);
    expect(notPassing(report)).toContain('oracle-feed:skip');
    expect(report.ok).toBe(false);
  });
});

describe('F3: the manifest’s chain context is the chain being verified', () => {
  const lies: [string, (m: Manifest) => void, RegExp][] = [
    ['chainId', (m) => (m.chainId = 1), /chainId 1 is not this chain \(31337\)/],
    ['asset.contract', (m) => (m.asset.contract = OTHER), /asset.contract is not the NFT being verified/],
    ['agent', (m) => (m.agent = OTHER), /agent is not the sender of the Minted transaction/],
    ['policy.guard', (m) => (m.policy.guard = OTHER), /policy.guard is not the NFT's guard/],
    ['asset.contract (absent)', (m) => delete m.asset.contract, /asset.contract is not the NFT/],
  ];
  test.each(lies)(
    'tamper: a manifest lying about %s fails exactly manifest-context',
    async (_f, lie, why) => {
      const report = await verify(await mintWorld({ manifest: lie }));
      expect(failing(report)).toEqual(['manifest-context']);
      expect(checkOf(report, 'manifest-context').detail).toMatch(why);
      expect(report.ok).toBe(false);
    },
  );

  test('behavior: an unknown sender or no chain context is a skip, so the version is not verified', async () => {
    const noSender = await mintWorld();
    delete noSender.record.versions[0]!.sender;
    const a = await verify(noSender);
    expect(notPassing(a)).toContain('manifest-context:skip');
    expect(a.ok).toBe(false);
    const noContext = await mintWorld();
    delete noContext.deps.chainContext;
    const b = await verify(noContext);
    expect(notPassing(b)).toContain('manifest-context:skip');
    expect(b.ok).toBe(false);
  });
});

describe('F4: descriptive fields describe what they name', () => {
  const lies: [string, (m: Manifest) => void, string, RegExp][] = [
    [
      'model.name',
      (m) => (m.model.name = 'stable-diffusion-xl'),
      'model-id',
      /model name, version or algorithm/,
    ],
    ['model.version', (m) => (m.model.version = '9.9.9'), 'model-id', /model name, version or algorithm/],
    [
      'model.algorithm',
      (m) => (m.model.algorithm = 'diffusion'),
      'model-id',
      /model name, version or algorithm/,
    ],
    [
      'outputs.image.size',
      (m) => (m.outputs.image.size += 12_345),
      'image-bytes',
      /the manifest states an image of \d+ bytes; the image has \d+/,
    ],
    [
      'inputs.oracle.decimals',
      (m) => (m.inputs.oracle.decimals = 18),
      'oracle-feed',
      /states 18 decimals; the feed has 8/,
    ],
  ];
  test.each(lies)(
    'tamper: a manifest lying about %s fails exactly its check',
    async (_f, lie, check, why) => {
      const report = await verify(await mintWorld({ manifest: lie }));
      expect(failing(report)).toEqual([check]);
      expect(checkOf(report, check).detail).toMatch(why);
      expect(report.ok).toBe(false);
    },
  );

  test('behavior: the policy snapshot is reported as not re-derived (informational skip, shown as stated)', async () => {
    const snapshot = { epochCap: 1_000_000, paused: false };
    const report = await verify(await mintWorld({ manifest: (m) => (m.policy.snapshot = snapshot) }));
    expect(failing(report)).toEqual([]);
    expect(checkOf(report, 'policy-snapshot')).toMatchObject({
      status: 'skip',
      actual: '{"epochCap":1000000,"paused":false}',
    });
    expect(report.ok).toBe(true);
  });
});

describe('F4: policy-snapshot re-derived from the guard when its history is readable', () => {
  const SNAPSHOT = { action: 'MINT', blockNumber: '90', epochCap: 10, paused: false };
  /** The guard's answer: the honest snapshot for the NFT's MINT policy at block 90, nothing else. */
  const snapshotWorld = (lie?: (m: Manifest) => void) =>
    mintWorld({
      params: (p) => (p.policy = { ...p.policy, snapshot: SNAPSHOT }),
      ...(lie ? { manifest: lie } : {}),
    }).then((world) => {
      world.deps.policySnapshot = async (q) => {
        if (q.guard !== GUARD || q.nft !== NFT || q.action !== 'MINT' || q.modelId !== MODEL_ID)
          throw new Error(`execution reverted: unknown policy ${q.nft}/${q.action} on ${q.guard}`);
        return { ...SNAPSHOT, blockNumber: q.blockNumber.toString(), epochCap: q.blockNumber < 80n ? 5 : 10 };
      };
      return world;
    });

  test('default: the snapshot the guard gives at its block passes (every check passes)', async () => {
    const report = await verify(await snapshotWorld());
    expect(notPassing(report)).toEqual(['forecast-replay:skip']);
    expect(checkOf(report, 'policy-snapshot').expected).toBe(
      '{"action":"MINT","blockNumber":"90","epochCap":10,"paused":false}',
    );
    expect(report.ok).toBe(true);
  });

  test('tamper: a loosened cap, another block, or a block not before the mint fails exactly policy-snapshot', async () => {
    const loosened = await verify(await snapshotWorld((m) => (m.policy.snapshot.epochCap = 1_000_000)));
    expect(failing(loosened)).toEqual(['policy-snapshot']);
    expect(checkOf(loosened, 'policy-snapshot').detail).toBe(
      `the manifest's snapshot is not what guard ${GUARD} said at block 90`,
    );
    const older = await verify(await snapshotWorld((m) => (m.policy.snapshot.blockNumber = '70')));
    expect(failing(older)).toEqual(['policy-snapshot']);
    const late = await verify(await snapshotWorld((m) => (m.policy.snapshot.blockNumber = '100')));
    expect(failing(late)).toEqual(['policy-snapshot']);
    expect(checkOf(late, 'policy-snapshot').detail).toBe(
      "the snapshot names block 100, not before the version's own block",
    );
  });

  test('behavior: a node without state at that block (undefined) reports the snapshot, not a failure', async () => {
    const world = await snapshotWorld();
    world.deps.policySnapshot = async () => undefined;
    const report = await verify(world);
    expect(notPassing(report)).toEqual(['forecast-replay:skip', 'policy-snapshot:skip']);
    expect(checkOf(report, 'policy-snapshot').detail).toMatch(/the node holds no state at block 90/);
    expect(report.ok).toBe(true);
    // A lie is still caught when the node does serve the block.
    const lying = await verify(await snapshotWorld((m) => (m.policy.snapshot.epochCap = 1_000_000)));
    expect(lying.ok).toBe(false);
  });

  test('tamper: a snapshot naming no block cannot be re-read and fails', async () => {
    const report = await verify(await snapshotWorld((m) => delete m.policy.snapshot.blockNumber));
    expect(failing(report)).toEqual(['policy-snapshot']);
  });
});

describe('review 5 F4: the policy snapshot is the one read just before the version', () => {
  /** The guard's honest answer at `block`; undefined (no state) before block 36, as on a pruned node. */
  const SNAPSHOT = { action: 'MINT', blockNumber: '99', epochCap: 10, paused: false };
  const staleWorld = (lie?: (m: Manifest) => void) =>
    mintWorld({
      params: (p) => (p.policy = { ...p.policy, snapshot: SNAPSHOT }),
      ...(lie ? { manifest: lie } : {}),
    }).then((world) => {
      world.deps.policySnapshot = async (q) => {
        if (q.guard !== GUARD || q.nft !== NFT || q.action !== 'MINT' || q.modelId !== MODEL_ID)
          throw new Error('execution reverted: unknown policy');
        if (q.blockNumber < 36n) return undefined; // pruned state
        return { ...SNAPSHOT, blockNumber: q.blockNumber.toString() };
      };
      return world;
    });

  test('control: the snapshot of the block before the mint (99) passes', async () => {
    const report = await verify(await staleWorld());
    expect(failing(report)).toEqual([]);
    expect(checkOf(report, 'policy-snapshot').status).toBe('pass');
  });

  test('tamper: a made-up snapshot naming a pruned block (block 1) fails exactly policy-snapshot', async () => {
    const report = await verify(
      await staleWorld((m) => {
        m.policy.snapshot = { action: 'MINT', blockNumber: '1', epochCap: 1_000_000_000, paused: false };
      }),
    );
    expect(failing(report)).toEqual(['policy-snapshot']);
    expect(report.ok).toBe(false);
    expect(checkOf(report, 'policy-snapshot').detail).toMatch(
      /block 1, 99 blocks before the version's block/,
    );
  });

  test(`behavior: the bound is ${POLICY_SNAPSHOT_MAX_AGE_BLOCKS} blocks (block 36 passes, 35 fails), also without a guard reader`, async () => {
    const at = (block: string) => (m: Manifest) => (m.policy.snapshot.blockNumber = block);
    const oldest = await verify(await staleWorld(at('36')));
    expect(checkOf(oldest, 'policy-snapshot').status).toBe('pass');
    const tooOld = await verify(await staleWorld(at('35')));
    expect(failing(tooOld)).toEqual(['policy-snapshot']);
    expect(checkOf(tooOld, 'policy-snapshot').expected).toMatch(/blocks 36\.\.99 \(at most 64 blocks before/);
    // No reader of the guard's history: the bound still holds (it needs only the two block numbers).
    const world = await staleWorld(at('1'));
    delete world.deps.policySnapshot;
    expect(failing(await verify(world))).toEqual(['policy-snapshot']);
  });
});

describe('F5: the rounds are one window, the latest at the mint', () => {
  test('tamper: rounds 1 and 3 (round 2 skipped) fail exactly oracle-window', async () => {
    const world = await mintWorld({
      params: (p) => (p.oracle = { ...p.oracle, rounds: [ROUNDS[0]!, ROUNDS[2]!] }),
    });
    const report = await verify(world);
    expect(failing(report)).toEqual(['oracle-window']);
    expect(checkOf(report, 'oracle-window').actual).toBe(
      `rounds ${ROUNDS[0]!.roundId}..${ROUNDS[2]!.roundId} (2: phase 1 #1..#3): round ${ROUNDS[0]!.roundId} is followed by ${ROUNDS[2]!.roundId}`,
    );
    expect(report.ok).toBe(false);
  });

  test('tamper: an older window (round 3 was already published at the mint) fails exactly oracle-window', async () => {
    const world = await mintWorld({
      params: (p) => (p.oracle = { ...p.oracle, rounds: ROUNDS.slice(0, 2) }),
    });
    const report = await verify(world);
    expect(failing(report)).toEqual(['oracle-window']);
    expect(checkOf(report, 'oracle-window').detail).toBe(
      `round ${ROUNDS[2]!.roundId} was already published: the window does not end at the latest round`,
    );
  });

  test('behavior: same block, the log index orders the next round and the mint (log 2)', async () => {
    const before = await mintWorld();
    before.published.set(`${before.asset.manifest.inputs.oracle.feed}:${ROUNDS[3]!.roundId}`, {
      blockNumber: 100n,
      logIndex: 1,
    });
    expect(failing(await verify(before))).toEqual(['oracle-window']);
    const after = await mintWorld();
    after.published.set(`${after.asset.manifest.inputs.oracle.feed}:${ROUNDS[3]!.roundId}`, {
      blockNumber: 100n,
      logIndex: 3,
    });
    expect((await verify(after)).ok).toBe(true);
  });

  describe("the agent's read block (the policy snapshot's block) is where the window must be the latest", () => {
    /** Honest rounds, the snapshot read at `readBlock`, round 4 (ROUNDS[3]) published at `nextAt`. */
    const raceWorld = async (readBlock: string, nextAt: bigint) => {
      const world = await mintWorld({
        params: (p) =>
          (p.policy = { ...p.policy, snapshot: { ...p.policy.snapshot, blockNumber: readBlock } }),
      });
      world.published.set(`${world.asset.manifest.inputs.oracle.feed}:${ROUNDS[3]!.roundId}`, {
        blockNumber: nextAt,
        logIndex: 0,
      });
      return world;
    };

    test('behavior: a round landing after the read (block 95) and before the mint (block 100) is a race, not a stale window', async () => {
      const report = await verify(await raceWorld('95', 97n));
      expect(failing(report)).toEqual([]);
      const check = checkOf(report, 'oracle-window');
      expect(check.status).toBe('pass');
      expect(check.expected).toBe(
        "consecutive rounds, the newest the feed's latest at block 100 log 2 (the Minted log) or at the agent's read (block 95, 5 blocks before)",
      );
      expect(check.detail).toBe(
        `round ${ROUNDS[3]!.roundId} landed after the agent's read (block 95) and before the Minted log (at block 97 log 0): the agent could not have used it`,
      );
    });

    test('tamper: two rounds after the read (a claimed read block excusing a window two rounds old) fail oracle-window', async () => {
      const world = await raceWorld('95', 97n);
      // A round after ROUNDS[3] (id + 1) also published before the mint: no race with one round in flight.
      world.published.set(`${world.asset.manifest.inputs.oracle.feed}:${ROUNDS[3]!.roundId + 1n}`, {
        blockNumber: 98n,
        logIndex: 0,
      });
      const report = await verify(world);
      expect(failing(report)).toEqual(['oracle-window']);
      expect(checkOf(report, 'oracle-window').detail).toBe(
        `round ${ROUNDS[3]!.roundId} was already published: the window does not end at the latest round; rounds ${ROUNDS[3]!.roundId} and ${ROUNDS[3]!.roundId + 1n} were both published before the Minted log, so this is no race with one round in flight`,
      );
      // The round after it published after the mint: still one round in flight, a race.
      world.published.set(`${world.asset.manifest.inputs.oracle.feed}:${ROUNDS[3]!.roundId + 1n}`, {
        blockNumber: 120n,
        logIndex: 0,
      });
      expect(checkOf(await verify(world), 'oracle-window').status).toBe('pass');
    });

    test('tamper: the next round was published in the read block itself: fails exactly oracle-window', async () => {
      const report = await verify(await raceWorld('97', 97n));
      expect(failing(report)).toEqual(['oracle-window']);
      expect(checkOf(report, 'oracle-window').detail).toBe(
        `round ${ROUNDS[3]!.roundId} was already published: the window does not end at the latest round`,
      );
    });

    test('behavior: the read block only excuses: a window that was the latest at the mint passes whatever block is named', async () => {
      // A manifest made before the read block was pinned (review 6): its snapshot block 40 was read before
      // the newest round (published at block 41), yet the window was the latest at the mint (block 100).
      const world = await mintWorld({
        params: (p) => (p.policy = { ...p.policy, snapshot: { ...p.policy.snapshot, blockNumber: '40' } }),
      });
      world.published.set(`${world.asset.manifest.inputs.oracle.feed}:${ROUNDS[2]!.roundId}`, {
        blockNumber: 41n,
        logIndex: 0,
      });
      const report = await verify(world);
      expect(failing(report)).toEqual([]);
      expect(checkOf(report, 'oracle-window').status).toBe('pass');
      expect(checkOf(report, 'oracle-window').detail).toBeUndefined();
    });

    test('tamper: stale at the mint and at the read: fails oracle-window; a read beyond the 64-block bound excuses nothing', async () => {
      // Round 4 published at block 50: after a read at block 40, but long before the mint, and the read is
      // 60 blocks old (allowed): the window was the latest at the read, so this is a race…
      const raced = await verify(await raceWorld('40', 50n));
      expect(checkOf(raced, 'oracle-window').status).toBe('pass');
      // …but a read at block 35 (65 blocks before the mint) is beyond the bound and excuses nothing.
      const tooOld = await verify(await raceWorld('35', 50n));
      expect(failing(tooOld)).toEqual(['oracle-window', 'policy-snapshot']);
      expect(checkOf(tooOld, 'oracle-window').detail).toBe(
        `round ${ROUNDS[3]!.roundId} was already published: the window does not end at the latest round`,
      );
      // Round 4 published before the read too: stale at both.
      const stale = await verify(await raceWorld('60', 50n));
      expect(failing(stale)).toEqual(['oracle-window']);
    });

    test('tamper: a read block that is not before the mint is ignored: the window is judged at the log', async () => {
      const report = await verify(await raceWorld('100', 97n));
      expect(failing(report)).toEqual(['oracle-window', 'policy-snapshot']);
      expect(checkOf(report, 'oracle-window').expected).toMatch(
        /latest at block 100 log 2 \(the Minted log\)$/,
      );
    });
  });

  test('behavior: a newest round with no publication log is a skip (not verified), not a pass', async () => {
    const world = await mintWorld();
    world.published.delete(`${world.asset.manifest.inputs.oracle.feed}:${ROUNDS[2]!.roundId}`);
    const report = await verify(world);
    expect(notPassing(report)).toContain('oracle-window:skip');
    expect(report.ok).toBe(false);
    // No ✗ at all, yet not verified: the report names what could not be checked (review 6).
    expect(failing(report)).toEqual([]);
    expect(report.notChecked).toEqual(['oracle-window']);
    expect(
      formatVerifyReport(report).endsWith(
        '\nNOT verified: oracle-window could not be checked (the – line says why)',
      ),
    ).toBe(true);
  });
});

describe('F6: one manifest, one byte string', () => {
  const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
  const withBom = (b: Uint8Array) => new Uint8Array([...BOM, ...b]);

  test('behavior: JSON-level canonicalisation tricks are refused', async () => {
    const { bytes } = await mintWorld();
    const text = new TextDecoder().decode(bytes);
    const variants = [
      text.replace('{"agent":', '{"agent":"0x0000000000000000000000000000000000000000","agent":'),
      text.replace('"format":', '"f\\u006frmat":'),
      text.replace('"width":64', '"width":6.4e1'),
      text.replace('"version":0', '"version":-0'),
      text.replace('"width":64', '"width": 64'),
      `${text}\n`,
    ];
    for (const v of variants) {
      expect(v).not.toBe(text);
      expect(() => parseManifest(new TextEncoder().encode(v))).toThrow();
    }
    expect(parseManifest(bytes)).toBeDefined();
  });

  test('tamper: a BOM-prefixed manifest is refused as non-canonical', async () => {
    const { bytes } = await mintWorld();
    expect(() => parseManifest(withBom(bytes))).toThrow(
      /not canonical JSON: they start with a byte-order mark/,
    );
  });

  test('tamper: invalid UTF-8 inside a string is refused (it would decode to the same manifest)', async () => {
    const { bytes } = await mintWorld({ manifest: (m) => (m.code.version = 'v\uFFFD') });
    const text = new TextDecoder().decode(bytes);
    const at = bytes.length - new TextEncoder().encode(text.slice(text.indexOf('v\uFFFD') + 1)).length;
    expect([...bytes.slice(at, at + 3)]).toEqual([0xef, 0xbf, 0xbd]);
    const raw = new Uint8Array([...bytes.slice(0, at), 0xff, ...bytes.slice(at + 3)]);
    expect(new TextDecoder().decode(raw)).toBe(text);
    expect(() => parseManifest(raw)).toThrow(/not valid UTF-8/);
    expect(parseManifest(bytes).code.version).toBe('v\uFFFD');
  });

  test('tamper: a committed BOM-prefixed twin (a second token id for the same render) fails manifest-commitment', async () => {
    const honest = await mintWorld();
    const twin = await mintWorld({ bytes: withBom });
    expect(twin.tokenId).not.toBe(honest.tokenId);
    const report = await verify(twin);
    expect(failing(report)).toEqual(['manifest-commitment']);
    expect(checkOf(report, 'manifest-commitment').detail).toMatch(/byte-order mark/);
    expect(report.ok).toBe(false);
  });
});

describe('F7: a reverting read is a ✗, not an abort', () => {
  const GHOST = { roundId: ROUNDS[3]!.roundId + 1000n, answer: 7_700_000_000n, updatedAt: 1_700_020_000n };
  const ghostWorld = () =>
    mintWorld({ params: (p) => (p.oracle = { ...p.oracle, rounds: [...ROUNDS.slice(0, 2), GHOST] }) });

  test('tamper: a round the oracle never had fails oracle-input[i] with the revert (and the window)', async () => {
    const report = await verify(await ghostWorld());
    expect(failing(report)).toEqual(['oracle-input[2]', 'oracle-window']);
    expect(checkOf(report, 'oracle-input[2]').detail).toMatch(
      new RegExp(
        `getRoundData\\(${GHOST.roundId}\\) on 0x[0-9a-f]{40} failed: execution reverted: OracleRoundNotFound`,
      ),
    );
    expect(report.ok).toBe(false);
  });

  test('behavior: verify --all keeps going past such a token', async () => {
    const world = await ghostWorld();
    const reports = await verifyAllVersions(world.tokenId, world.deps);
    expect(reports.map((r) => r.ok)).toEqual([false]);
  });

  test('behavior: a retryable read error (RPC down) still propagates', async () => {
    const world = await mintWorld();
    world.deps.readRound = async () => {
      throw new RetryableError('RPC endpoint unreachable');
    };
    await expect(verify(world)).rejects.toThrow(/unreachable/);
  });

  test('tamper: a reverting zk gate read fails zk-forecast-recorded instead of throwing', async () => {
    const rounds = ROUNDS.slice(0, 3);
    const world = await mintWorld({
      params: (p) => {
        p.forecast = { returnPpm: 0, modelId: MODEL_ID };
        p.proof = {
          kind: 'groth16',
          forecastProof: { modelId: MODEL_ID, proofId: `0x${'11'.repeat(32)}` },
          gate: OTHER,
          roundIds: rounds.map((r) => r.roundId.toString()),
          outputs: ['0', '0'],
          scaleBits: 20,
        };
      },
    });
    world.deps.forecastProof = {
      readProvenForecast: async () => {
        throw new Error(`execution reverted: no contract at ${OTHER}`);
      },
      erc7007Verify: async () => true,
    };
    const report = await verify(world);
    expect(checkOf(report, 'zk-forecast-recorded')).toMatchObject({
      status: 'fail',
      detail: `reading the zk gate or ERC-7007 verify failed: execution reverted: no contract at ${OTHER}`,
    });
    expect(report.ok).toBe(false);
  });
});
