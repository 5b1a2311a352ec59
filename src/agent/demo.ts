import { join } from 'node:path';
import { type Address, erc20Abi, isAddressEqual, keccak256, toBytes } from 'viem';
import {
  balanceOf,
  createTxManager,
  dynamicFeePoolAbi,
  governanceCall,
  medianOracleAbi,
  type ProvenantClients,
  passProposalOnDevnet,
  phasedAggregatorProxyAbi,
  policyGuardAbi,
  prepareCall,
  provenanceNFTAbi,
  readPool,
  recordProposal,
  syntheticVaultAbi,
  type TxManager,
  writeContract,
} from '../chain/index.js';
import { configSchema, type FeedLimits, feedRulesOf } from '../config/index.js';
import { NonRetryableError } from '../errors/index.js';
import { publishNextRound, type ReporterSet, toAnswer } from '../oracle/index.js';
import { POLICY_ACTIONS } from '../policy/index.js';
import { absorbRounds, accumulatorAt, recordedForecast, setup } from '../zk/index.js';
import { type Agent, createAgent, type EpochReport } from './agent.js';
import { DEMO_ZK_CONFIG } from './bootstrap.js';
import { type AttestationStatus, type Journal, openJournalForRun } from './journal/index.js';
import { type AgentOptions, parseAgentOptions } from './options.js';
import { latestProvenForecast } from './provenForecast.js';
import { buildReplay, type ReplayEpoch } from './replay.js';
import {
  deployNextWtiAggregator,
  journalPath,
  openStack,
  recordedWtiAggregator,
  type Stack,
  type StackParameters,
  switchWtiProxy,
} from './stack.js';
import { type ArtToken, artStrategy } from './strategies/art.js';
import { type AssetPublisher, codeVersion } from './strategies/artCalls.js';
import { feeStrategy } from './strategies/fee.js';
import { synthStrategy } from './strategies/synth.js';

export type DemoParameters = {
  stateDir: string;
  /** First and last date the agent acts on. */
  start: string;
  end: string;
  /** Trading days of oracle history published before `start` (features need ~60). */
  warmupDays?: number;
  /** Epochs a halt lasts before the demo operator (standing in for a person) resumes the agent. */
  resumeAfterEpochs?: number;
  agent?: Partial<AgentOptions> | undefined;
  /** The agent's limits on oracle rounds: `feedRulesOf(config.oracle)`. Default: the config defaults. */
  feedRules?: FeedLimits | undefined;
  /** The tx manager's stuck threshold: `txManagerSettings(config.chain).stuckAfterMs`. Default 60 s. */
  stuckAfterMs?: number | undefined;
  /**
   * Where the suite reads WTI: its own MedianOracle (default), or a Chainlink-style proxy over a
   * stand-alone MedianOracle (`StackParameters.wtiFeed`); the demo's reporters publish into the proxy's
   * aggregator and the relayer absorbs the proxy's round ids (`1 << 64 | n`).
   */
  wtiFeed?: 'median-oracle' | 'chainlink-proxy' | undefined;
  /**
   * `wtiFeed: 'chainlink-proxy'` only: on this replay day the proxy is upgraded to a new aggregator, as
   * Chainlink does when it replaces a feed's aggregator. The day's WTI round is published into the new
   * aggregator, then the proxy switches (ids restart at `2 << 64 | 1`); the zk accumulator bridges the
   * phases (recording phase 1's last round as the bridge's `bridgedFrom`), and the agent goes on proving
   * from the new phase's first round with a window across the upgrade (phase 1's last 20 rounds and round 1).
   */
  upgradeWtiAggregatorOn?: string | undefined;
  /** The config's `devnet` settings (port, bind host, state dump interval): `StackParameters.devnet`. */
  devnet?: StackParameters['devnet'];
  /** Persist the devnet to `<stateDir>/devnet-state.json` (resumable). */
  persist?: boolean;
  /**
   * The monitor: when the agent halts, the guardian key pauses the guard on-chain at once; resuming then
   * needs a governance proposal to unpause (the guardian can never unpause). Default true.
   */
  monitor?: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: (event: DemoProgress) => void;
  onStep?: (step: string) => void;
};

export type DemoProgress = {
  /** Acting epoch number across runs (a resumed run continues the count). */
  epoch: number;
  total: number;
  /** Epochs run by this process, for the rate and the ETA. */
  ranThisRun: number;
  report: EpochReport;
  totals: DemoTotals;
  elapsedMs: number;
  note?: string;
};

export type DemoTotals = { refusals: number; halts: number; confirmed: number; gasUsed: bigint };

export type DemoResult = {
  stack: Stack;
  journal: Journal;
  replay: ReplayEpoch[];
  completed: boolean;
  epochsRun: number;
  totals: DemoTotals;
  firstRefusal: string | undefined;
  elapsedMs: number;
  /** Wall time of each agent epoch run in this process (observe → record), for the latency figures. */
  epochMs: number[];
};

const dayBefore = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * The main job: real WTI, Brent and gold history replayed through 5 reporters into the median oracles,
 * and the agent running one epoch per trading day on top, from a fresh or resumed devnet. Returns with
 * the devnet still running so the caller can summarise and verify; the caller closes `stack`.
 */
export async function runDemo(p: DemoParameters): Promise<DemoResult> {
  const started = Date.now();
  const warmupDays = p.warmupDays ?? 70;
  const replay = buildReplay({ start: p.start, end: p.end, warmupDays });
  const first = replay[0];
  if (!first) throw new RangeError(`no market data between ${p.start} and ${p.end}`);
  checkUpgradeDay(p, replay);
  // The demo mints through the zk path unless the config says otherwise.
  const options = parseAgentOptions({ zk: true, ...(p.agent ?? {}) });
  const stack = await openStack({
    stateDir: p.stateDir,
    statePath: p.persist === false ? null : join(p.stateDir, 'devnet-state.json'),
    genesisTimestamp: first.timestamp - 86_400n,
    trainEnd: dayBefore(p.start),
    forecasterKind: options.forecaster,
    capitalUsd: options.capitalUsd,
    // The demo's vault then accepts proven mints only: the agent cannot skip the proof.
    requireZk: options.zk,
    ...(p.wtiFeed === 'chainlink-proxy'
      ? { wtiFeed: p.wtiFeed, wtiFirstRound: { timestamp: first.timestamp, wti: first.wti } }
      : {}),
    devnet: p.devnet,
    onStep: p.onStep,
  });
  // A resumed demo appends to its journal: one whose chain, side tables or signed head fail is refused
  // first. A demo state from before head signing is accepted (the operator is the demo itself) and signed.
  let journal: Journal;
  let attestation: AttestationStatus;
  try {
    ({ journal, attestation } = await openJournalForRun(journalPath(p.stateDir), stack.agentAccount, {
      acceptUnattested: true,
      anchors: {
        stateDir: p.stateDir,
        chain: { client: stack.agent.publicClient, chainId: stack.agent.chain.id },
      },
    }));
  } catch (error) {
    await stack.close();
    throw error;
  }
  try {
    if (attestation.status === 'unattested')
      p.onStep?.(`the journal (${attestation.entries} entries) had no signed head: signed it now`);
    await assertClockBeforeNextDay(stack, replay);
    const resumedAfter = journal.state.lastEpoch();
    if (resumedAfter !== null && replay[resumedAfter])
      p.onStep?.(
        `resuming: the epochs up to ${replay[resumedAfter]!.date} already ran (journal ${journalPath(p.stateDir)})`,
      );
    const tx = createTxManager({
      clients: stack.agent,
      account: stack.agentAccount,
      store: journal.txStore(),
      ...(p.stuckAfterMs !== undefined ? { stuckAfterMs: p.stuckAfterMs } : {}),
    });
    const agent = buildAgent(stack, journal, tx, options, await agentZk(stack, options), p.feedRules);
    await agent.recover();
    const reporters: ReporterSet = { accounts: stack.reporterAccounts, spreadPpm: 500 };
    const totals: DemoTotals = { refusals: 0, halts: 0, confirmed: 0, gasUsed: 0n };
    let firstRefusal: string | undefined;
    let haltedEpochs = 0;
    let epochsRun = 0;
    const epochMs: number[] = [];
    const acting = replay.filter((e) => !e.warmup).length;
    const firstActing = replay.find((e) => !e.warmup)?.index ?? 0;
    for (const epoch of replay) {
      if (p.signal?.aborted) break;
      if (epoch.date === p.upgradeWtiAggregatorOn) await upgradeWtiFeedOn(stack, reporters, epoch, p.onStep);
      await publishEpoch(stack, reporters, epoch);
      if (epoch.warmup) continue;
      const last = journal.state.lastEpoch();
      if (last !== null && last >= epoch.index) continue;
      await seedLiquidityOnce(stack, tx);
      const epochStarted = performance.now();
      const report = await agent.runEpoch(epoch.index);
      epochMs.push(performance.now() - epochStarted);
      if (!report.date) {
        report.date = epoch.date;
        report.price = epoch.wti;
      }
      epochsRun++;
      let note: string | undefined;
      for (const i of report.intents) {
        if (i.outcome === 'refused' || i.outcome === 'reverted') {
          totals.refusals++;
          firstRefusal ??= `${epoch.date}: ${i.summary} — ${i.refusal?.sentence ?? 'refused'}`;
          note ??= `refused: ${i.refusal?.sentence ?? i.summary}`;
        }
        if (i.outcome === 'confirmed') {
          totals.confirmed++;
          totals.gasUsed += i.gasUsed ?? 0n;
        }
      }
      if (report.halted) {
        if (haltedEpochs === 0) {
          totals.halts++;
          note = `HALT: ${report.halted}`;
          if (p.monitor !== false && (await monitorPause(stack, journal, epoch, report.halted)))
            note += ' — the monitor (guardian key) paused the guard on-chain';
        }
        haltedEpochs++;
        if (haltedEpochs >= (p.resumeAfterEpochs ?? 5)) {
          // A person reviews the halt: governance lifts the on-chain pause (the guardian cannot), then the agent resumes.
          const unpaused = await governanceUnpause(stack, journal, epoch);
          journal.state.resume('demo operator (stands in for `provenant agent resume`)');
          agent.rebaseline();
          note = `resumed by the demo operator after ${haltedEpochs} halted epochs${unpaused ? ' (governance proposal unpaused the guard)' : ''}`;
          haltedEpochs = 0;
        }
      }
      p.onProgress?.({
        epoch: epoch.index - firstActing + 1,
        ranThisRun: epochsRun,
        total: acting,
        report,
        totals,
        elapsedMs: Date.now() - started,
        ...(note ? { note } : {}),
      });
      if (journal.state.lastEpoch() === null || (journal.state.lastEpoch() ?? -1) < epoch.index)
        journal.state.setLastEpoch(epoch.index);
      // What `agent status` shows as the last run (as `agent run` records it), in the demo's own count.
      journal.state.set('agent.lastRun', {
        at: new Date().toISOString(),
        outcome: `demo epoch ${epoch.index - firstActing + 1}/${acting} (market day ${epoch.date}) ran${report.halted ? `, halted: ${report.halted}` : ''}`,
      });
    }
    const completed = (journal.state.lastEpoch() ?? -1) >= (replay.at(-1)?.index ?? 0);
    return {
      stack,
      journal,
      replay,
      completed,
      epochsRun,
      totals,
      firstRefusal,
      elapsedMs: Date.now() - started,
      epochMs,
    };
  } catch (error) {
    journal.close();
    await stack.close();
    throw error;
  }
}

/** The zk mint path's inputs: committed (or cached) circuit artefacts for the forecaster and the vault's risk rule. */
export type AgentZk = NonNullable<Parameters<typeof synthStrategy>[0]['zk']>;

/**
 * Loads the forecaster's Groth16 artefacts when the zk path is enabled and the deployment has a gate
 * (the ridge circuit's artefacts are committed under zk/ridge, so this is fast on a fresh clone).
 */
export async function agentZk(
  stack: Pick<Stack, 'addresses' | 'forecaster' | 'agent'>,
  options: AgentOptions,
): Promise<AgentZk | undefined> {
  const { zkGate, zkAccumulator } = stack.addresses;
  if (!options.zk || !zkGate || !zkAccumulator) return undefined;
  const artifacts = await setup(stack.forecaster.model);
  const { maxProofAge: _age, ...risk } = DEMO_ZK_CONFIG;
  return {
    artifacts,
    model: stack.forecaster.model,
    risk,
    // The proven bound is computed on collateral in its own decimals, as the vault converts it.
    collateralDecimals: await stack.agent.publicClient.readContract({
      address: stack.addresses.collateral,
      abi: erc20Abi,
      functionName: 'decimals',
    }),
    accumulatorAt: (roundId) => accumulatorAt(stack.agent, zkAccumulator, roundId),
    // What the gate recorded for a statement: a proof front-run into the gate is minted with mintWithProof.
    provenForecast: (modelId, proofId) => recordedForecast(stack.agent, zkGate, modelId, proofId),
  };
}

/** The agent's feed limits with the default config: a round up to 4 days old, moves up to 2500 bps. */
export const DEFAULT_FEED_RULES: FeedLimits = feedRulesOf(configSchema.parse({}).oracle);

/** Decimals of the suite's feed answers: fixed at 8 (MedianOracle deployments, external feed check). */
const FEED_DECIMALS = 8;

/**
 * The agent with its three strategies. `feedRules` are the limits on the rounds it acts on, from the
 * config (`feedRulesOf(config.oracle)`); default `DEFAULT_FEED_RULES`.
 */
export function buildAgent(
  stack: Pick<Stack, 'addresses' | 'agent' | 'agentAccount' | 'forecaster' | 'generator' | 'content'> & {
    publish?: AssetPublisher | undefined;
  },
  journal: Journal,
  tx: TxManager,
  options: AgentOptions,
  zk?: AgentZk,
  feedRules: FeedLimits = DEFAULT_FEED_RULES,
): Agent {
  const a = stack.addresses;
  const artState = () => artStateFromJournal(journal);
  return createAgent({
    clients: stack.agent,
    account: stack.agentAccount,
    addresses: a,
    journal,
    tx,
    options,
    feedRules: { ...feedRules, decimals: FEED_DECIMALS },
    forecaster: {
      model: stack.forecaster.model,
      id: stack.forecaster.id,
      reference: stack.forecaster.reference,
    },
    content: stack.content,
    decimals: FEED_DECIMALS,
    strategies: [
      synthStrategy({ vault: a.vault, modelId: stack.forecaster.id, ...(zk ? { zk } : {}) }),
      feeStrategy({
        pool: a.pool,
        findPolicy: (ps) =>
          ps.find(
            (x) => x.asset.toLowerCase() === a.pool.toLowerCase() && x.action === POLICY_ACTIONS.SET_FEE,
          ),
      }),
      artStrategy({
        nft: a.nft,
        guard: a.guard,
        model: stack.generator.model,
        modelId: stack.generator.id,
        content: stack.content,
        client: stack.agent.publicClient,
        // Replay renders record the forecaster and its fixed-point forecast, so `verify` re-derives it.
        forecaster: { model: stack.forecaster.model, id: stack.forecaster.id },
        codeVersion: codeVersion(),
        publish: stack.publish,
        state: artState,
        onRegime: (r) => journal.state.set('art.lastRegime', r),
        // With the zk path on, artworks use the latest forecast the gate recorded (groth16 manifests).
        ...(zk && a.zkGate
          ? {
              provenForecast: latestProvenForecast({
                client: stack.agent.publicClient,
                gate: a.zkGate,
                modelId: stack.forecaster.id,
                scaleBits: stack.forecaster.model.scaleBits,
                fromBlock: a.fromBlock,
              }),
            }
          : {}),
        latestVersionOnChain: async (tokenId) =>
          Number(
            (
              await stack.agent.publicClient.readContract({
                address: a.nft,
                abi: provenanceNFTAbi,
                functionName: 'latestVersion',
                args: [tokenId],
              })
            )[0],
          ),
      }),
    ],
  });
}

/** Art tokens and last regime, rebuilt from confirmed art intents in the journal (no separate state to drift). */
export function artStateFromJournal(journal: Journal): {
  tokens: ArtToken[];
  lastRegime: string | undefined;
} {
  const tokens: ArtToken[] = [];
  for (const row of journal.intents.list({ status: 'confirmed' })) {
    if (row.kind !== 'art-mint' && row.kind !== 'art-evolve') continue;
    const d = (
      row.payload as {
        decision: {
          tokenId: string;
          nonce: `0x${string}`;
          version: number;
          manifestCid: string;
          commitment: `0x${string}`;
        };
      }
    ).decision;
    const tokenId = BigInt(d.tokenId);
    let token = tokens.find((t) => t.tokenId === tokenId);
    if (!token) {
      token = { tokenId, nonce: d.nonce, versions: [] };
      tokens.push(token);
    }
    token.versions.push({ version: d.version, manifestCid: d.manifestCid, commitment: d.commitment });
  }
  for (const t of tokens) t.versions.sort((x, y) => x.version - y.version);
  const lastRegime = journal.state.get<string>('art.lastRegime');
  return { tokens, lastRegime };
}

/** The guardian pauses the whole guard (idempotent); journaled. Returns true when it paused. */
async function monitorPause(
  stack: Stack,
  journal: Journal,
  epoch: ReplayEpoch,
  reason: string,
): Promise<boolean> {
  const guard = stack.addresses.guard;
  const paused = await stack.guardian.publicClient.readContract({
    address: guard,
    abi: policyGuardAbi,
    functionName: 'globallyPaused',
  });
  if (paused) return false;
  const result = await writeContract(stack.guardian, {
    address: guard,
    abi: policyGuardAbi,
    functionName: 'pause',
    args: [],
    label: 'monitor: pause guard',
  });
  journal.append({
    kind: 'note',
    epoch: epoch.index,
    payload: {
      monitor: 'guardian paused the guard on-chain',
      reason,
      date: epoch.date,
      transaction: result.hash,
    },
  });
  return true;
}

/** Governance unpauses the guard through a full proposal (time advanced on the devnet); journaled. */
async function governanceUnpause(stack: Stack, journal: Journal, epoch: ReplayEpoch): Promise<boolean> {
  const a = stack.addresses;
  const paused = await stack.deployer.publicClient.readContract({
    address: a.guard,
    abi: policyGuardAbi,
    functionName: 'globallyPaused',
  });
  if (!paused) return false;
  const proposal = {
    description: `Unpause the guard after the halt reviewed on ${epoch.date} (epoch ${epoch.index})`,
    calls: [governanceCall(a.guard, policyGuardAbi, 'unpause', [], 'unpause the guard')],
  };
  const { id } = await passProposalOnDevnet(
    stack.deployer,
    { governor: a.governor, timelock: a.timelock },
    proposal,
  );
  // Saved like a CLI proposal, so `provenant gov status` lists what the demo's governance did.
  recordProposal(stack.stateDir, stack.deployer, a.governor, id, proposal);
  journal.append({
    kind: 'note',
    epoch: epoch.index,
    payload: { governance: 'proposal executed: guard unpaused', proposal: id.toString(), date: epoch.date },
  });
  return true;
}

/** Publishes the epoch's rounds (skipping any the chain already has: a resumed run repeats nothing). */
async function publishEpoch(stack: Stack, reporters: ReporterSet, epoch: ReplayEpoch): Promise<void> {
  const { published, latest } = await wtiPublished(stack);
  if (published < BigInt(epoch.index + 1)) return publishMarketDay(stack, reporters, epoch);
  // This day's WTI is out. On the newest published day a run may have stopped before its Brent and gold
  // (killed mid-day; or, on a proxy feed, the first day's WTI went in before the suite existed): publish
  // what is missing, then absorb (a run killed between publishing and absorbing resumes with the absorb).
  if (published === BigInt(epoch.index + 1)) await publishMissingOtherFeeds(stack, reporters, epoch);
  return absorbWti(stack, latest);
}

/** The day's Brent and gold rounds that are not on-chain yet (their feed's latest is older than the day). */
async function publishMissingOtherFeeds(stack: Stack, reporters: ReporterSet, day: MarketDay): Promise<void> {
  const missing = await missingOtherFeeds(stack, day);
  if (missing.brent === undefined && missing.gold === undefined) return;
  const now = (await stack.relayer.publicClient.getBlock()).timestamp;
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
  await publishOtherFeeds(stack, reporters, missing, day.timestamp > now ? day.timestamp : now);
}

/** `day` with only the Brent and gold values whose feed has no round of that day yet. */
async function missingOtherFeeds(
  stack: Pick<Stack, 'relayer' | 'addresses'>,
  day: MarketDay,
): Promise<MarketDay> {
  const missing: MarketDay = { timestamp: day.timestamp, wti: day.wti, brent: undefined };
  for (const [key, value] of [
    ['BRENT', day.brent],
    ['XAU', day.gold],
  ] as const) {
    if (value === undefined) continue;
    const feed = stack.addresses.feeds[key];
    const round = await latestRoundOf(stack, feed);
    const updatedAt =
      round === 0n
        ? 0n
        : (
            await stack.relayer.publicClient.readContract({
              address: feed,
              abi: medianOracleAbi,
              functionName: 'getRoundData',
              args: [round],
            })
          )[3];
    if (updatedAt < day.timestamp) {
      if (key === 'BRENT') missing.brent = value;
      else missing.gold = value;
    }
  }
  return missing;
}

/** A resumed demo's chain clock is past the next market day it would publish: its dates would be wrong. */
export class DemoClockError extends NonRetryableError {
  override name = 'DemoClockError';
}

/**
 * A resumed demo publishes each market day at that day's close, so the chain's clock must not be past the
 * next day it has yet to publish. It is when something ran the saved chain at wall-clock time (anvil
 * jumps to the wall clock unless told to keep the chain's own); the replay would then stamp every later
 * round with that time and the agent's dates, refusals and halts would be wrong while the run succeeds.
 */
async function assertClockBeforeNextDay(stack: Stack, replay: ReplayEpoch[]): Promise<void> {
  const { published } = await wtiPublished(stack);
  const next = replay[Number(published)];
  if (!next) return;
  const clock = (await stack.relayer.publicClient.getBlock()).timestamp;
  if (clock <= next.timestamp) return;
  const day = (t: bigint) => new Date(Number(t) * 1000).toISOString().slice(0, 10);
  throw new DemoClockError(
    `The demo's devnet clock is at ${day(clock)}, past the next market day it would publish (${next.date}).`,
    {
      details:
        'The saved chain was run at wall-clock time by another tool, so the replay cannot continue with the right dates. Start over with `provenant demo --fresh` (the old state is moved aside, not deleted).',
      docsPath: 'docs/agent.md',
    },
  );
}

/**
 * How many WTI days are on-chain (one round each), and the latest round's id as the agent's feed names it.
 * On a proxy feed every phase's aggregator counts (the demo's are MedianOracles): after an aggregator
 * upgrade the proxy's ids restart at `phase << 64 | 1`, and a phase just started may have no round yet.
 */
async function wtiPublished(
  stack: Pick<Stack, 'relayer' | 'addresses' | 'stateDir'> & { wtiPublishTarget?: Address | undefined },
): Promise<{ published: bigint; latest: bigint }> {
  if (!proxyAggregator(stack)) {
    const latest = await latestRoundOf(stack, stack.addresses.feeds.WTI);
    return { published: latest, latest };
  }
  const proxy = { address: stack.addresses.feeds.WTI, abi: phasedAggregatorProxyAbi } as const;
  const read = stack.relayer.publicClient;
  const phase = await read.readContract({ ...proxy, functionName: 'phaseId' });
  let published = 0n;
  let latest = 0n;
  for (let q = 1; q <= phase; q++) {
    const aggregator = await read.readContract({ ...proxy, functionName: 'phaseAggregators', args: [q] });
    const rounds = await latestRoundOf(stack, aggregator);
    published += rounds;
    if (rounds > 0n) latest = (BigInt(q) << 64n) | rounds;
  }
  // An upgrade killed between publishing the day into the next phase's aggregator and switching the proxy:
  // that day is on-chain too (the resume's upgrade step switches without publishing it again).
  const pending = recordedWtiAggregator(stack, phase + 1);
  if (pending) published += await latestRoundOf(stack, pending);
  return { published, latest };
}

/** The latest round of a MedianOracle (0 before its first). */
async function latestRoundOf(stack: Pick<Stack, 'relayer'>, feed: Address): Promise<bigint> {
  return BigInt(
    await stack.relayer.publicClient.readContract({
      address: feed,
      abi: medianOracleAbi,
      functionName: 'latestRound',
    }),
  );
}

/**
 * The aggregator WTI is published into when it is read through a proxy (`stack.wtiPublishTarget`
 * differs from `addresses.feeds.WTI`); undefined when WTI is published to the feed it is read from.
 */
function proxyAggregator(
  stack: Pick<Stack, 'addresses'> & { wtiPublishTarget?: Address | undefined },
): Address | undefined {
  const target = stack.wtiPublishTarget;
  return target !== undefined && !isAddressEqual(target, stack.addresses.feeds.WTI) ? target : undefined;
}

/** The latest round id of the WTI feed the agent reads (a proxy id, `phase << 64 | n`). */
async function latestProxyRound(stack: Pick<Stack, 'relayer' | 'addresses'>): Promise<bigint> {
  const [roundId] = await stack.relayer.publicClient.readContract({
    address: stack.addresses.feeds.WTI,
    abi: phasedAggregatorProxyAbi,
    functionName: 'latestRoundData',
  });
  return roundId;
}

/** Absorbs the WTI feed's rounds up to `roundId` into its accumulator (what zk proofs bind to), if any. */
async function absorbWti(stack: Pick<Stack, 'relayer' | 'addresses'>, roundId: bigint): Promise<void> {
  const accumulator = stack.addresses.zkAccumulator;
  if (accumulator) await absorbRounds(stack.relayer, accumulator, roundId);
}

/** A market day's closes (gold optional): what `publishMarketDay` needs. */
export type MarketDay = Pick<ReplayEpoch, 'timestamp' | 'wti' | 'brent'> & { gold?: number | undefined };

/**
 * Publishes one market day into the oracles: chain time follows market time (an empty block at the
 * day's close, so every call and simulation of that day sees it), then one signed round per feed. WTI
 * goes to `stack.wtiPublishTarget` when given (the aggregator behind a proxy feed), else to its feed.
 * With a `feedRelayer` (a second key; submitting signed reports is permissionless) Brent and gold are
 * relayed by it while WTI and its absorb go through `relayer`, at the same time: a day's publishing is
 * the largest part of the demo's time. It then publishes only the Brent and gold rounds the day does
 * not have yet, so a run killed after one relayer's rounds landed and not the other's repeats nothing.
 */
export async function publishMarketDay(
  stack: Pick<Stack, 'relayer' | 'deployer' | 'addresses'> & {
    wtiPublishTarget?: Address | undefined;
    feedRelayer?: ProvenantClients | undefined;
  },
  reporters: ReporterSet,
  day: MarketDay,
): Promise<void> {
  const { relayer, addresses, feedRelayer } = stack;
  const observedAt = await advanceToDay(stack, day);
  const aggregator = proxyAggregator(stack);
  const publishWti = () =>
    publishNextRound(relayer, reporters, {
      feed: aggregator ?? addresses.feeds.WTI,
      answer: toAnswer(day.wti, 8),
      observedAt,
    });
  // The relayer keeps the WTI accumulator current, so a proof on today's rounds can be checked today.
  // On a proxy feed the accumulator follows the proxy's ids: the round just published, as the proxy names it.
  const absorb = async (wti: { roundId: bigint }) =>
    absorbWti(stack, aggregator ? await latestProxyRound(stack) : wti.roundId);
  if (!feedRelayer) {
    const wti = await publishWti();
    await publishOtherFeeds(stack, reporters, day, observedAt);
    return absorb(wti);
  }
  const others = { ...stack, relayer: feedRelayer };
  const settled = await Promise.allSettled([
    publishWti().then(absorb),
    missingOtherFeeds(others, day).then((missing) =>
      publishOtherFeeds(others, reporters, missing, observedAt),
    ),
  ]);
  // Both sides finish (nothing left in flight) before the first failure is reported.
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
}

/**
 * Moves chain time to the day's close (an empty block, so every call and simulation of that day sees it)
 * unless it is already past; returns the observation time of the day's rounds.
 */
async function advanceToDay(stack: Pick<Stack, 'relayer' | 'deployer'>, day: Pick<MarketDay, 'timestamp'>) {
  const block = await stack.relayer.publicClient.getBlock();
  if (block.timestamp < day.timestamp) {
    await stack.deployer.testClient!.setNextBlockTimestamp({ timestamp: day.timestamp });
    await stack.deployer.testClient!.mine({ blocks: 1 });
  }
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
  return day.timestamp > block.timestamp ? day.timestamp : block.timestamp;
}

/**
 * `upgradeWtiAggregatorOn` names a day up to the run's end that is not a replay day after the first, or the
 * demo does not read WTI through a proxy.
 */
export class DemoUpgradeError extends NonRetryableError {
  override name = 'DemoUpgradeError';
}

function checkUpgradeDay(p: DemoParameters, replay: ReplayEpoch[]): void {
  const day = p.upgradeWtiAggregatorOn;
  if (day === undefined) return;
  if (p.wtiFeed !== 'chainlink-proxy')
    throw new DemoUpgradeError(`An aggregator upgrade on ${day} needs the WTI feed behind a proxy.`, {
      details:
        'Add `--wti-feed chainlink-proxy` (with `--fresh` for a state deployed with the default feed).',
      docsPath: 'docs/agent.md',
    });
  // A day after this run's end is for a later run (the demo resumes with the same option).
  if (day > replay.at(-1)!.date) return;
  const index = replay.findIndex((e) => e.date === day);
  if (index < 1) {
    const later = replay.find((e, i) => i > 0 && e.date > day)?.date;
    throw new DemoUpgradeError(
      `${day} is not a replay day after the first (${replay[0]!.date}): the upgrade needs a WTI round in the first phase and happens on a day the replay publishes.`,
      {
        details: later
          ? `Pick a trading day between ${replay[1]?.date ?? later} and ${replay.at(-1)!.date}, e.g. ${later}.`
          : `Pick a trading day between ${replay[1]?.date ?? replay[0]!.date} and ${replay.at(-1)!.date}.`,
        docsPath: 'docs/agent.md',
      },
    );
  }
}

/**
 * The replay day of `upgradeWtiAggregatorOn`: deploy the next phase's aggregator, publish the day's WTI into
 * it (a new Chainlink aggregator answers before the proxy moves to it), then switch the proxy. Each step
 * checks the chain first, so a run killed mid-upgrade finishes it on resume; a proxy already past phase 1
 * is left alone. A day already published in phase 1 cannot be the upgrade day (it would be published twice).
 */
async function upgradeWtiFeedOn(
  stack: Stack,
  reporters: ReporterSet,
  day: ReplayEpoch,
  onStep: ((step: string) => void) | undefined,
): Promise<void> {
  const read = stack.relayer.publicClient;
  const phase = await read.readContract({
    address: stack.addresses.feeds.WTI,
    abi: phasedAggregatorProxyAbi,
    functionName: 'phaseId',
  });
  if (phase >= 2) return;
  const { aggregator, phaseId } = await deployNextWtiAggregator(stack);
  if ((await latestRoundOf(stack, aggregator)) === 0n) {
    const { published } = await wtiPublished(stack);
    if (published > BigInt(day.index))
      throw new DemoUpgradeError(
        `The WTI round of ${day.date} is already on-chain in phase 1: the upgrade cannot happen on that day any more.`,
        {
          details: 'Pick a later replay day for the upgrade, or start over with `--fresh`.',
          docsPath: 'docs/agent.md',
        },
      );
    const observedAt = await advanceToDay(stack, day);
    await publishNextRound(stack.relayer, reporters, {
      feed: aggregator,
      answer: toAnswer(day.wti, 8),
      observedAt,
    });
  }
  await switchWtiProxy(stack, aggregator);
  onStep?.(`WTI proxy upgraded to phase ${phaseId} (aggregator ${aggregator}) on ${day.date}`);
}

/** A market day's Brent and gold rounds (each when the day has one), observed at `observedAt`. */
async function publishOtherFeeds(
  stack: Pick<Stack, 'relayer' | 'addresses'>,
  reporters: ReporterSet,
  day: MarketDay,
  observedAt: bigint,
): Promise<void> {
  const publish = (feed: Address, value: number) =>
    publishNextRound(stack.relayer, reporters, { feed, answer: toAnswer(value, 8), observedAt });
  if (day.brent !== undefined) await publish(stack.addresses.feeds.BRENT, day.brent);
  if (day.gold !== undefined) await publish(stack.addresses.feeds.XAU, day.gold);
}

/**
 * Protocol-owned liquidity: once the agent holds sWTI, it puts a fifth of it in the pool with matching
 * tUSD. Sent through the agent's transaction manager: every transaction of the agent key must be, or
 * nonces collide.
 */
async function seedLiquidityOnce(stack: Stack, tx: TxManager): Promise<void> {
  const pool = await readPool(stack.agent, stack.addresses.pool);
  if (pool.totalShares > 0n) return;
  const synth = await balanceOf(stack.agent, stack.addresses.synth, stack.agentAccount.address);
  if (synth < 100n * 10n ** 18n) return;
  const amount = synth / 5n;
  const price = await stack.agent.publicClient.readContract({
    address: stack.addresses.vault,
    abi: syntheticVaultAbi,
    functionName: 'priceWad',
  });
  const usd = (amount * price) / 10n ** 18n / 10n ** 12n;
  const token0 = await stack.agent.publicClient.readContract({
    address: stack.addresses.pool,
    abi: dynamicFeePoolAbi,
    functionName: 'TOKEN0',
  });
  const synthFirst = token0.toLowerCase() === stack.addresses.synth.toLowerCase();
  const [amount0, amount1] = synthFirst ? [amount, usd] : [usd, amount];
  const block = await stack.agent.publicClient.getBlock();
  const call = prepareCall({
    address: stack.addresses.pool,
    abi: dynamicFeePoolAbi,
    functionName: 'addLiquidity',
    args: [
      amount0,
      amount1,
      (amount0 * 99n) / 100n,
      (amount1 * 99n) / 100n,
      stack.agentAccount.address,
      block.timestamp + 3600n,
    ],
    label: 'seed pool liquidity',
  });
  await tx.send({
    key: keccak256(toBytes(`seed-liquidity:${stack.addresses.pool}`)),
    label: call.label,
    to: call.to,
    data: call.data,
  });
}
