/**
 * `verify --synth` binds a replay (non-zk) decision's oracle inputs to the vault's feed and to one window
 * (review 5 F2): `oracle-feed` (the manifest's feed is the vault's `FEED()`) and `oracle-window`
 * (consecutive rounds, the newest the feed's latest at the decision's Minted log). Each test builds a
 * decision whose forecast is honestly re-derived from its rounds, on an in-memory client that holds
 * exactly what the manifest claims, so only the binding can fail.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, encodeFunctionData, type Hex, keccak256, type PublicClient } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { syntheticVaultAbi } from '../chain/index.js';
import {
  dequantize,
  inferFixed,
  type ModelFile,
  modelFileBytes,
  modelId as modelIdOf,
  ORACLE_FEATURE_ANSWERS,
  ORACLE_FEATURE_NAMES,
  oracleFeaturesFixed,
  parseModelFile,
  toForecast,
} from '../models/index.js';
import { ContentStore } from '../provenance/index.js';
import { verifySynthDecision } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-verifysynth-feed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VAULT = '0x00000000000000000000000000000000000000a1' as Address;
const VAULT_FEED = '0x00000000000000000000000000000000000000f1' as Address;
const FOREIGN_FEED = '0x00000000000000000000000000000000000000f2' as Address;
const AGENT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
/** The mint nonce the decision's mint transaction named. */
const MINT_NONCE = 7n;

/** A 5-input linear forecaster over the oracle features (the shipped ridge weights, first 5 columns). */
function oracleForecaster(): { model: ModelFile; bytes: Uint8Array; id: Hex } {
  const ridge = parseModelFile(readFileSync('models/forecaster-wti-ridge.json'));
  const layer = ridge.layers[0]!;
  const model = {
    ...ridge,
    name: 'verifysynth-oracle-forecaster',
    inputs: [...ORACLE_FEATURE_NAMES],
    layers: [{ ...layer, inputs: 5, weights: [...layer.weights.slice(0, 5), ...layer.weights.slice(8, 13)] }],
  } as ModelFile;
  const bytes = modelFileBytes(model);
  return { model, bytes, id: modelIdOf(model) };
}

/** A replay decision manifest, honestly derived from `rounds` (as strategies/synth.ts writes it). */
function decision(model: ModelFile, id: Hex, feed: Address, rounds: [bigint, bigint][]) {
  const answers = rounds.slice(-ORACLE_FEATURE_ANSWERS).map(([, a]) => a);
  const fixed = oracleFeaturesFixed(answers, model.scaleBits);
  const features = fixed.map((q) => dequantize(Number(q), model.scaleBits));
  const outputs = inferFixed(
    model,
    fixed.map((q) => Number(q)),
  );
  const f = toForecast(outputs.map((q) => dequantize(q, model.scaleBits)));
  return {
    format: 'provenant-manifest/1',
    kind: 'synth-decision',
    chainId: 31337,
    vault: VAULT.toLowerCase(),
    epoch: 7,
    date: '2020-04-28',
    model: { id },
    inputs: {
      feed: feed.toLowerCase(),
      decimals: 8,
      rounds: rounds.map(([r, a]) => [r.toString(), a.toString()]),
    },
    features: features.map(String),
    forecast: { mean: f.mean.toPrecision(12), vol: f.vol.toPrecision(12) },
    sizing: { size: '1.00000000000', capped: false, targetVol: 0.2, cap: 1, capitalUsd: 10_000 },
    price: rounds.at(-1)![1].toString(),
    position: { debt: '0', target: '1000000000000000000000' },
    proof: { kind: 'replay' },
    action: 'mint',
    amount: '1000000000000000000000',
  };
}

/** Where a feed's rounds were published (their AnswerUpdated logs): round id -> [block, log index]. */
type Publications = Map<bigint, [bigint, number]>;

/**
 * A chain holding: the vault (feed `VAULT_FEED`, the agent's intent used, its Minted log at block 900 log
 * 0), the rounds of each feed and, when given, the vault feed's AnswerUpdated logs. Anything else throws.
 */
/** `eth_getLogs` requests for the vault's Minted event since the last reset (one per scanned window). */
let mintedQueries = 0;

function chain(
  feeds: Map<string, Map<bigint, bigint>>,
  intentId: Hex,
  amount: bigint,
  published: Publications = new Map(),
  mintedLogs = 1,
): PublicClient {
  const minted = (i: number) => ({
    transactionHash: `0x${(0xab + i).toString(16).repeat(32)}`,
    blockNumber: 900n + BigInt(i),
    logIndex: 0,
    args: { owner: AGENT, intentId, amount },
  });
  return {
    getBlockNumber: async () => 1_000n,
    // The mint transaction: `mint(amount, model, intent id, nonce 7)`.
    getTransaction: async () => ({
      input: encodeFunctionData({
        abi: syntheticVaultAbi,
        functionName: 'mint',
        args: [amount, `0x${'c3'.repeat(32)}`, intentId, MINT_NONCE],
      }),
    }),
    readContract: async (p: { address: Address; functionName: string; args?: readonly unknown[] }) => {
      if (p.functionName === 'intentUsed') return true;
      if (p.functionName === 'FEED' || p.functionName === 'feed') return VAULT_FEED;
      if (p.functionName === 'decimals') return 8;
      if (p.functionName === 'getRoundData') {
        const id = p.args![0] as bigint;
        const answer = feeds.get(p.address.toLowerCase())?.get(id);
        if (answer === undefined) throw new Error(`execution reverted: OracleRoundNotFound(${id})`);
        return [id, answer, 1_700_000_000n + id, 1_700_000_000n + id, id] as const;
      }
      throw new Error(`unexpected read ${p.functionName}`);
    },
    getContractEvents: async (p: {
      address: Address;
      eventName: string;
      args?: { intentId?: Hex; roundId?: bigint };
      fromBlock: bigint;
      toBlock: bigint;
    }) => {
      if (p.eventName === 'AnswerUpdated') {
        const at = p.address.toLowerCase() === VAULT_FEED ? published.get(p.args!.roundId!) : undefined;
        return at && at[0] >= p.fromBlock && at[0] <= p.toBlock
          ? [{ blockNumber: at[0], logIndex: at[1], args: { roundId: p.args!.roundId } }]
          : [];
      }
      if (p.eventName === 'Minted') mintedQueries += 1;
      return p.eventName === 'Minted' && p.args?.intentId === intentId
        ? Array.from({ length: mintedLogs }, (_, i) => minted(i))
        : [];
    },
  } as unknown as PublicClient;
}

/** WTI-like answers (8 decimals) for round ids 1..n, with a +40 % jump at `jumpAt` (if given). */
function series(n: number, jumpAt?: bigint): Map<bigint, bigint> {
  const out = new Map<bigint, bigint>();
  for (let i = 1; i <= n; i += 1) {
    const id = BigInt(i);
    const base = 7_000_000_000n + BigInt((i * 37) % 11) * 25_000_000n;
    out.set(id, jumpAt !== undefined && id === jumpAt ? (base * 14n) / 10n : base);
  }
  return out;
}

async function verifyWith(
  feeds: Map<string, Map<bigint, bigint>>,
  feed: Address,
  rounds: [bigint, bigint][],
  published?: Publications,
  edit?: (manifest: ReturnType<typeof decision>) => void,
  mintedLogs = 1,
) {
  const { model, bytes: modelBytes, id } = oracleForecaster();
  const manifest = decision(model, id, feed, rounds);
  edit?.(manifest);
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const content = new ContentStore(dir);
  const cid = await content.put(bytes);
  const intentId = keccak256(bytes);
  const report = await verifySynthDecision(
    { intentId, manifestCid: cid },
    {
      client: chain(feeds, intentId, BigInt(manifest.amount), published, mintedLogs),
      vault: VAULT,
      registry: '0x00000000000000000000000000000000000000b1',
      content,
      loadModelFile: async () => modelBytes,
      agent: AGENT,
    },
  );
  return report;
}

const failing = (report: { checks: { name: string; status: string }[] }) =>
  report.checks.filter((c) => c.status !== 'pass').map((c) => c.name);
const checkOf = (report: { checks: { name: string }[] }, name: string) =>
  report.checks.find((c) => c.name === name) as { expected?: string; actual?: string; detail?: string };

/** A decision on the vault feed's latest 22 of 30 rounds, with `mintedLogs` Minted logs for its intent. */
const latestWindowDecision = (mintedLogs = 1) => {
  const wti = series(30);
  return verifyWith(
    new Map([[VAULT_FEED, wti]]),
    VAULT_FEED,
    [...wti.entries()].slice(-22),
    undefined,
    undefined,
    mintedLogs,
  );
};

describe('verify --synth binds a replay decision to the vault feed’s latest window (review 5 F2)', () => {
  test('control: the decision re-derives and its rounds are the vault feed’s latest window', async () => {
    const report = await latestWindowDecision();
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(checkOf(report, 'oracle-feed').expected).toBe(
      `feed ${VAULT_FEED} (FEED() of vault ${VAULT}), 8 decimals`,
    );
    expect(checkOf(report, 'oracle-window').actual).toBe(
      'rounds 9..30 (22), consecutive; round 30 has no publication log, round 31 not published',
    );
    // A plain mint is keyed by the position's mint nonce: one Minted log, and the nonce its call named.
    expect(checkOf(report, 'intent-used').actual).toBe(`mint nonce ${MINT_NONCE}`);
    expect(checkOf(report, 'intent-used').detail).toContain(`tx 0x${'ab'.repeat(32)}`);
  });

  test('behavior: one scan of the intent’s Minted logs serves intent-used and vault-event', async () => {
    // It was two (intent-used from the deployment, vault-event from the read block), three when the caller
    // was not given; on a real chain each is one eth_getLogs per 10,000 blocks.
    mintedQueries = 0;
    const report = await latestWindowDecision();
    expect(report.ok).toBe(true);
    expect(checkOf(report, 'vault-event').actual).toBeDefined();
    expect(mintedQueries).toBe(1);
  });

  test('tamper: a mint decision the vault never minted for the agent (no Minted log) fails intent-used', async () => {
    const report = await latestWindowDecision(0);
    expect(failing(report)).toContain('intent-used');
    expect(checkOf(report, 'intent-used').actual).toBe('no Minted log');
  });

  test('tamper: an intent id minted twice (two Minted logs) fails intent-used', async () => {
    const report = await latestWindowDecision(2);
    expect(failing(report)).toEqual(['intent-used']);
    expect(checkOf(report, 'intent-used').actual).toMatch(/^2 Minted logs \(txs 0x(ab){32}, 0x(ac){32}\)$/);
  });

  test('tamper: rounds read from a feed that is not the vault’s (fabricated prices) fail oracle-feed', async () => {
    const fake = series(30, 29n); // a +40 % "rally" the real oracle never reported
    const rounds = [...fake.entries()].slice(-22);
    const report = await verifyWith(
      new Map([
        [VAULT_FEED, series(30)],
        [FOREIGN_FEED, fake],
      ]),
      FOREIGN_FEED,
      rounds,
    );
    expect(report.ok).toBe(false);
    expect(failing(report)).toContain('oracle-feed');
    expect(checkOf(report, 'oracle-feed').actual).toBe(`feed ${FOREIGN_FEED} (manifest), 8 decimals`);
  });

  test('tamper: decimals other than the feed’s fail oracle-feed', async () => {
    const wti = series(30);
    const rounds = [...wti.entries()].slice(-22);
    const report = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds, undefined, (m) => {
      m.inputs.decimals = 6;
    });
    expect(report.ok).toBe(false);
    expect(failing(report)).toContain('oracle-feed');
    expect(checkOf(report, 'oracle-feed').detail).toBe("the manifest's decimals are not the feed's");
  });

  test('tamper: a window that skips a round the feed published (the jump) fails exactly oracle-window', async () => {
    const wti = series(30, 28n);
    const rounds = [...wti.entries()].filter(([id]) => id !== 28n).slice(-22);
    const report = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds);
    expect(report.ok).toBe(false);
    expect(failing(report)).toEqual(['oracle-window']);
    expect(checkOf(report, 'oracle-window').actual).toBe('rounds 8..30 (22): round 27 is followed by 29');
  });

  test('tamper: an old window (the feed has 8 newer rounds, no logs to place them) fails exactly oracle-window', async () => {
    const wti = series(30);
    const rounds = [...wti.entries()].slice(0, 22);
    const report = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds);
    expect(report.ok).toBe(false);
    expect(failing(report)).toEqual(['oracle-window']);
    expect(checkOf(report, 'oracle-window').detail).toMatch(
      /round 23 exists but its publication log was not found/,
    );
  });

  test('behavior: with the feed’s AnswerUpdated logs, the next round published after the Minted log passes', async () => {
    const wti = series(30);
    const rounds = [...wti.entries()].slice(0, 22);
    const published: Publications = new Map([
      [22n, [850n, 3]],
      [23n, [900n, 1]], // same block as the Minted log (log 0), after it
    ]);
    const report = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds, published);
    expect(failing(report)).toEqual([]);
    expect(checkOf(report, 'oracle-window').actual).toBe(
      'rounds 1..22 (22), consecutive; round 22 published at block 850 log 3, round 23 published at block 900 log 1',
    );
  });

  test('tamper: with the logs, a next round published before the Minted log fails exactly oracle-window', async () => {
    const wti = series(30);
    const rounds = [...wti.entries()].slice(0, 22);
    const published: Publications = new Map([
      [22n, [850n, 3]],
      [23n, [899n, 0]],
    ]);
    const report = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds, published);
    expect(failing(report)).toEqual(['oracle-window']);
    expect(checkOf(report, 'oracle-window').detail).toBe(
      'round 23 was already published: the window does not end at the latest round',
    );
  });

  test("behavior: a next round landing between the decision's read block and the Minted log is a race, not a stale window", async () => {
    const wti = series(30);
    const rounds = [...wti.entries()].slice(0, 22);
    const published: Publications = new Map([
      [22n, [850n, 3]],
      [23n, [899n, 0]], // the same log that fails without a read block (above)
    ]);
    const readAt = (block: string) => (m: ReturnType<typeof decision>) =>
      Object.assign(m.inputs, { readBlock: block });
    const race = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds, published, readAt('880'));
    expect(failing(race)).toEqual([]);
    expect(checkOf(race, 'oracle-window').detail).toBe(
      "round 23 landed after the agent's read (block 880) and before the Minted log (at block 899 log 0): the agent could not have used it",
    );
    // Read in the block round 23 was published in: it was already the latest there.
    const stale = await verifyWith(
      new Map([[VAULT_FEED, wti]]),
      VAULT_FEED,
      rounds,
      published,
      readAt('899'),
    );
    expect(failing(stale)).toEqual(['oracle-window']);
    // Two rounds in flight (24 also before the log) is no race: a claimed read block cannot excuse it.
    published.set(24n, [899n, 1]);
    const two = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds, published, readAt('880'));
    expect(failing(two)).toEqual(['oracle-window']);
    expect(checkOf(two, 'oracle-window').detail).toMatch(
      /rounds 23 and 24 were both published before the Minted log/,
    );
    published.delete(24n);
    // A read block more than 64 blocks before the log is no excuse: judged at the log.
    const old = await verifyWith(new Map([[VAULT_FEED, wti]]), VAULT_FEED, rounds, published, readAt('835'));
    expect(failing(old)).toEqual(['oracle-window']);
  });

  test('tamper: a newest round published after the Minted log fails exactly oracle-window', async () => {
    const wti = series(30);
    const rounds = [...wti.entries()].slice(-22);
    const report = await verifyWith(
      new Map([[VAULT_FEED, wti]]),
      VAULT_FEED,
      rounds,
      new Map([[30n, [901n, 0]]]),
    );
    expect(failing(report)).toEqual(['oracle-window']);
    expect(checkOf(report, 'oracle-window').detail).toBe('round 30 was not published before the Minted log');
  });
});
