import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Address,
  encodeAbiParameters,
  type Hex,
  keccak256,
  type LocalAccount,
  type PublicClient,
} from 'viem';
import {
  aggregatorV3InterfaceAbi,
  ContractRevertError,
  epochOfRound,
  isTransientRpcError,
  NotDeployedError,
  type ProvenantClients,
  RpcUnavailableError,
  readManifest,
  syntheticVaultAbi,
  type TxManager,
  TxRevertedError,
  toContractRevertError,
} from '../chain/index.js';
import { redactUrlsIn } from '../config/index.js';
import { NonRetryableError } from '../errors/index.js';
import {
  DEFAULT_PSI_THRESHOLD,
  datasetFeatures,
  inferFixedReal,
  type ModelFile,
  ORACLE_FEATURE_ANSWERS,
  parseModelFile,
} from '../models/index.js';
import { readFeedWindow } from '../oracle/index.js';
import { explainRefusal, preflight, type Refusal, readPolicies } from '../policy/index.js';
import {
  ContentStore,
  parseManifest,
  type RenderedAsset,
  readTokenRecord,
  renderAsset,
} from '../provenance/index.js';
import { type AgentAddresses, addressLabels, agentAddresses } from './addresses.js';
import { type Agent, type EpochReport, intentPayload } from './agent.js';
import {
  type ApprovalWait,
  approvalDeadline,
  approvalWaits,
  type ExpiredApproval,
  expiredApprovals,
  recordedDeadline,
} from './approvalWaits.js';
import type { ApprovalRow, IntentStatus, Journal } from './journal/index.js';
import { loadGenerator, type TrainedForecaster } from './models.js';
import { replayForecast } from './strategies/art.js';
import {
  type AssetPublisher,
  artEvolveCall,
  artMintCall,
  artPolicySection,
  codeVersion,
  type IpfsPublisherSettings,
  ipfsAssetPublisher,
  storeAsset,
} from './strategies/artCalls.js';
import type { Intent } from './strategies/types.js';

/** What `buildAgent` needs: the deployed addresses, the agent's clients and key, the models and the content store. */
export type AgentRuntime = {
  stateDir: string;
  addresses: AgentAddresses;
  agent: ProvenantClients;
  agentAccount: LocalAccount;
  forecaster: TrainedForecaster;
  generator: ReturnType<typeof loadGenerator>;
  content: ContentStore;
  /** Pushes art to IPFS after it is stored locally, when an `ipfs` endpoint is configured (else absent). */
  publish?: AssetPublisher | undefined;
};

/** The state directory has no forecaster the agent could run. */
export class AgentSetupError extends NonRetryableError {
  override name = 'AgentSetupError';
  constructor(reason: string, details: string) {
    super(`The agent cannot start: ${reason}.`, { details, docsPath: 'docs/agent.md#running-the-agent' });
  }
}

/** Addresses of the deployed suite on this chain, from `<stateDir>/deployments/<chainId>.json` (synth token read from the vault). */
export async function resolveAgentAddresses(
  clients: ProvenantClients,
  stateDir: string,
): Promise<AgentAddresses> {
  const manifest = readManifest(stateDir, clients.chain.id);
  if (!manifest.contracts.ProvenanceNFT) throw new NotDeployedError('ProvenanceNFT', manifest);
  const vault = manifest.contracts['SyntheticVault.sWTI']?.address;
  if (!vault) throw new NotDeployedError('SyntheticVault.sWTI', manifest);
  const synth = await clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'SYNTH',
  });
  return agentAddresses(manifest, { synth });
}

/**
 * The forecaster the agent ran on this state dir: the model file under `<stateDir>/models/` (the one
 * named by `preferredId` (the journal's last decision), else the newest), with the drift reference
 * rebuilt from the training window the file records.
 */
export function loadAgentForecaster(stateDir: string, preferredId?: Hex | undefined): TrainedForecaster {
  const dir = join(stateDir, 'models');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^0x[0-9a-f]{64}\.json$/.test(f)) : [];
  const forecasters: { id: Hex; model: ModelFile }[] = [];
  for (const file of files) {
    const model = parseModelFile(new Uint8Array(readFileSync(join(dir, file))), join(dir, file));
    if (model.kind === 'forecaster') forecasters.push({ id: file.slice(0, -5) as Hex, model });
  }
  const chosen = preferredId
    ? forecasters.find((f) => f.id === preferredId.toLowerCase())
    : forecasters.length === 1
      ? forecasters[0]
      : forecasters.sort((a, b) => (a.model.version < b.model.version ? 1 : -1))[0];
  if (!chosen)
    throw new AgentSetupError(
      preferredId ? `forecaster ${preferredId} is not in ${dir}` : `no forecaster model file in ${dir}`,
      preferredId
        ? 'Copy the model file the agent ran with (named <id>.json) into that folder, e.g. from the content store or the registry URI.'
        : 'On a chain of your own: `provenant model train --train-end <YYYY-MM-DD>` writes it there, then `provenant model register <file>` and governance approves it (`provenant model approve`; docs/agent.md#from-an-empty-chain). On the embedded devnet: `provenant demo` trains and stores it.',
    );
  // The drift reference is the training window and its in-sample errors, rebuilt from the stored file
  // itself (no re-training: the file is what the agent ran, whatever the training code does today).
  const window = (chosen.model.metadata as { trainRows?: { from?: string; to?: string } }).trainRows;
  if (!window?.from || !window.to)
    throw new AgentSetupError(
      `${chosen.model.name} ${chosen.model.version} does not record its training window (metadata.trainRows)`,
      'The drift detector needs the training window as its reference. Train a new file with `provenant model train --train-end <YYYY-MM-DD>` (register it and have governance approve it), or, on the embedded devnet, `provenant demo --fresh`.',
    );
  const features = datasetFeatures('wti-daily');
  const X: number[][] = [];
  const errors: number[] = [];
  features.dates.forEach((date, i) => {
    if (date < (window.from as string) || date > (window.to as string)) return;
    const x = features.X[i] as number[];
    X.push(x);
    errors.push((features.y[i] as number) - (inferFixedReal(chosen.model, x)[0] as number));
  });
  const bytes = new Uint8Array(readFileSync(join(dir, `${chosen.id}.json`)));
  if (keccak256(bytes) !== chosen.id)
    throw new AgentSetupError(
      `${join(dir, `${chosen.id}.json`)} does not hash to its name (${keccak256(bytes)})`,
      'The file was changed after it was stored; restore it from the content store or the registry URI.',
    );
  return { model: chosen.model, id: chosen.id, bytes, reference: { X, errors } };
}

/** Connects the agent to a deployed suite: addresses, models (from the state dir) and the content store. */
export async function connectAgentRuntime(p: {
  clients: ProvenantClients;
  account: LocalAccount;
  stateDir: string;
  journal?: Journal | undefined;
  /** The `ipfs` config section resolved by `ipfsSettings(config.ipfs)`; absent: nothing is pushed. */
  ipfs?: IpfsPublisherSettings | undefined;
  /** Where IPFS push warnings go (default: stderr). */
  warn?: ((message: string) => void) | undefined;
}): Promise<AgentRuntime> {
  const addresses = await resolveAgentAddresses(p.clients, p.stateDir);
  const lastModel = p.journal ? lastDecisionModel(p.journal) : undefined;
  const forecaster = loadAgentForecaster(p.stateDir, lastModel);
  return {
    stateDir: p.stateDir,
    addresses,
    agent: p.clients,
    agentAccount: p.account,
    forecaster,
    generator: loadGenerator(),
    content: new ContentStore(p.stateDir),
    ...(p.ipfs
      ? {
          publish: ipfsAssetPublisher(
            p.ipfs,
            p.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)),
          ),
        }
      : {}),
  };
}

function lastDecisionModel(journal: Journal): Hex | undefined {
  const rows = journal.db
    .prepare(
      "SELECT payload FROM entries WHERE kind = 'decision' AND payload LIKE '%\"model\":%' ORDER BY seq DESC LIMIT 1",
    )
    .all() as { payload: string }[];
  const model = rows[0] ? (JSON.parse(rows[0].payload) as { model?: Hex }).model : undefined;
  return model;
}

/** What `provenant agent status` prints. */
export type AgentStatus = {
  halted: boolean;
  reason: string | null;
  since: string | null;
  /** The epoch the agent halted in and its market day (null when not halted; date null when not recorded). */
  haltedAt: { epoch: number; date: string | null } | null;
  lastEpoch: number | null;
  lastRun: { at: string; outcome: string } | null;
  /** `expiresAtEpoch`: the epoch at which it expires unanswered (null: no deadline was recorded with it). */
  pendingApprovals: {
    id: string;
    intentKey: Hex;
    summary: string;
    sizeUsd: number;
    calldataHash: Hex;
    expiresAtEpoch: number | null;
  }[];
  /** Approved and not sent yet: the next epoch sends them if it is at or before their deadline, else they expire. */
  approvedUnused: number;
  /** Requests that expired (unanswered, or not sent by their deadline; intents closed, never sent), oldest first. */
  expiredApprovals: ExpiredApproval[];
  /**
   * Approval mode: decisions in flight (pending, or approved and not settled); while one is, the agent
   * prepares no other intent of its kind on its contract.
   */
  waiting: ApprovalWait[];
  intents: Partial<Record<IntentStatus, number>>;
  journal: { entries: number; head: Hex };
  /**
   * The drift monitor after the last decision that recorded it: the Page–Hinkley statistic on the forecast
   * errors against the λ then in force (set from the monitor's reference; null in a journal written before
   * λ was recorded) and the inputs' PSI against its threshold. Null before any such decision.
   */
  drift: {
    date: string | null;
    pageHinkley: number;
    lambda: number | null;
    psi: number;
    psiThreshold: number;
  } | null;
};

/** The drift statistics of the newest decision that recorded them (`AgentStatus.drift`). */
function lastDrift(journal: Journal): AgentStatus['drift'] {
  const row = journal.db
    .prepare(
      "SELECT payload FROM entries WHERE kind = 'decision' AND payload LIKE '%\"drift\":{%' ORDER BY seq DESC LIMIT 1",
    )
    .get() as { payload: string } | undefined;
  if (!row) return null;
  const p = JSON.parse(row.payload) as {
    date?: unknown;
    drift?: { pageHinkley?: unknown; lambda?: unknown; psi?: unknown };
  };
  const d = p.drift;
  if (typeof d?.pageHinkley !== 'number' || typeof d.psi !== 'number') return null;
  return {
    date: typeof p.date === 'string' ? p.date : null,
    pageHinkley: d.pageHinkley,
    lambda: typeof d.lambda === 'number' ? d.lambda : null,
    psi: d.psi,
    psiThreshold: DEFAULT_PSI_THRESHOLD,
  };
}

/**
 * The epoch the agent halted in and that epoch's market day (its oracle round's date): `since` is wall-clock
 * time, which on a replayed devnet says nothing about where in the market the halt came.
 */
function haltedAt(journal: Journal): AgentStatus['haltedAt'] {
  const halt = journal.entries({ kind: 'halt' }).at(-1);
  if (!halt) return null;
  const row = journal.db
    .prepare(
      "SELECT payload FROM entries WHERE epoch = ? AND kind IN ('decision', 'epoch') AND payload LIKE '%\"date\":%' ORDER BY seq DESC LIMIT 1",
    )
    .get(halt.epoch) as { payload: string } | undefined;
  const date = row ? (JSON.parse(row.payload) as { date?: unknown }).date : undefined;
  return { epoch: halt.epoch, date: typeof date === 'string' ? date : null };
}

/**
 * `expiryEpochs`: the configured `agent.approvalExpiryEpochs`, so a request recorded without a deadline shows
 * the one the agent will apply (null: only recorded deadlines are shown).
 */
export function agentStatus(journal: Journal, expiryEpochs: number | null = null): AgentStatus {
  const halt = journal.state.halted();
  const intents: Partial<Record<IntentStatus, number>> = {};
  for (const row of journal.db.prepare('SELECT status, COUNT(*) AS n FROM intents GROUP BY status').all() as {
    status: IntentStatus;
    n: number;
  }[])
    intents[row.status] = row.n;
  const head = journal.head();
  return {
    halted: halt.halted,
    reason: halt.halted ? halt.reason : null,
    since: halt.halted ? new Date(halt.since).toISOString() : null,
    haltedAt: halt.halted ? haltedAt(journal) : null,
    lastEpoch: journal.state.lastEpoch(),
    lastRun: journal.state.get<{ at: string; outcome: string }>('agent.lastRun') ?? null,
    pendingApprovals: journal.approvals.list({ status: 'pending' }).map((a) => {
      const p = a.payload as { summary?: string; sizeUsd?: number };
      return {
        id: a.id,
        intentKey: a.intentKey,
        summary: p.summary ?? '',
        sizeUsd: p.sizeUsd ?? 0,
        calldataHash: a.calldataHash,
        expiresAtEpoch: approvalDeadline(journal, a, expiryEpochs),
      };
    }),
    approvedUnused: journal.approvals.list({ status: 'approved', used: false }).length,
    expiredApprovals: expiredApprovals(journal),
    waiting: approvalWaits(journal, expiryEpochs),
    intents,
    journal: { entries: head.seq, head: head.hash },
    drift: lastDrift(journal),
  };
}

/**
 * The epoch the chain is at: one epoch per WTI round (`epochOfRound`: round r of a plain aggregator is epoch
 * r − 1, as in the demo's replay; a Chainlink proxy's `phase << 64 | n` is numbered exactly, not as a float).
 */
export async function currentEpoch(client: PublicClient, wtiFeed: Address): Promise<number> {
  const latest = await client.readContract({
    address: wtiFeed,
    abi: aggregatorV3InterfaceAbi,
    functionName: 'latestRoundData',
  });
  return epochOfRound(latest[0]);
}

/** Above any epoch `epochOfRound` gives (phase < 2^16, round < 2^32): a journal's epoch from the old numbering. */
const LEGACY_EPOCH_FLOOR = 2 ** 48;

/**
 * A journal an agent on a Chainlink proxy wrote before epochs were `epochOfRound` numbered them
 * `Number(roundId) − 1` (~1.8e19 and up): its last epoch would stay above every new one, so `agent run`
 * would find "nothing new" for ever, and requests recorded with such deadlines would never expire. Renumbers
 * the last epoch from the last decision's exact round id (journalled as a note) and expires those requests
 * (their decisions were made on a market that has moved on). Returns what it changed; nothing for a journal
 * in the current numbering.
 */
export function renumberLegacyEpochs(journal: Journal): {
  lastEpoch?: { from: number; to: number | null };
  expired: string[];
} {
  const out: { lastEpoch?: { from: number; to: number | null }; expired: string[] } = { expired: [] };
  const last = journal.state.lastEpoch();
  const legacyDeadline = (a: ApprovalRow) => (recordedDeadline(a) ?? 0) >= LEGACY_EPOCH_FLOOR;
  const stale = journal.approvals
    .list()
    .filter((a) => (a.status === 'pending' || (a.status === 'approved' && !a.used)) && legacyDeadline(a));
  if ((last === null || last < LEGACY_EPOCH_FLOOR) && stale.length === 0) return out;
  const round = journal
    .entries({ kind: 'decision' })
    .map((e) => (e.payload as { round?: unknown }).round)
    .filter((r): r is string => typeof r === 'string')
    .at(-1);
  let to: number | null = null;
  try {
    to = round === undefined ? null : epochOfRound(BigInt(round));
  } catch {
    to = null;
  }
  if (last !== null && last >= LEGACY_EPOCH_FLOOR) {
    if (to !== null) journal.state.setLastEpoch(to);
    else journal.state.set('epoch.last', null);
    journal.append({ kind: 'note', payload: { epochsRenumbered: { from: last, to, round: round ?? null } } });
    out.lastEpoch = { from: last, to };
  }
  for (const a of stale) {
    journal.approvals.expire(a.id, {
      epoch: to ?? 0,
      reason:
        'recorded under the old proxy epoch numbering (Number(roundId) − 1), whose deadline could never come: decided on a market that has moved on',
    });
    out.expired.push(a.id);
  }
  return out;
}

/**
 * `currentEpoch`, or null while the WTI feed has no round at all (a MedianOracle just deployed answers
 * `latestRoundData` with `OracleNoRounds()` until its reporters publish the first round).
 */
async function latestEpoch(client: PublicClient, wtiFeed: Address): Promise<number | null> {
  try {
    return await currentEpoch(client, wtiFeed);
  } catch (error) {
    if (toContractRevertError(error)?.errorName === 'OracleNoRounds') return null;
    throw error;
  }
}

export type RunLoopParameters = {
  agent: Agent;
  journal: Journal;
  clients: ProvenantClients;
  wtiFeed: Address;
  /** Epochs to run (each needs a new oracle round); default 1. */
  epochs?: number | undefined;
  /** Run one epoch on the latest round now and return, also when no new round arrived (only approved intents are sent then). */
  once?: boolean | undefined;
  /** Polling interval while waiting for a new round (ms). */
  pollMs?: number | undefined;
  signal?: AbortSignal | undefined;
  onReport?: ((report: EpochReport) => void) | undefined;
  /** Called before each wait: `epoch` already ran, or null while the WTI feed has no round yet. */
  onWait?: ((epoch: number | null) => void) | undefined;
};

export type RunLoopResult = {
  reports: EpochReport[];
  /** `no-rounds`: `once`, and the WTI feed has no round yet (nothing was decided). */
  stopped: 'done' | 'halted' | 'aborted' | 'nothing-new' | 'no-rounds';
};

/**
 * `provenant agent run`: recover, then one epoch per new WTI round. Halts stop the loop (a person
 * resumes). When no endpoint answers, the loop records the status in the journal and throws
 * RpcUnavailableError naming the URLs; nothing is left half-done (the tx manager's records are durable).
 */
export async function runAgentLoop(p: RunLoopParameters): Promise<RunLoopResult> {
  const { journal } = p;
  const reports: EpochReport[] = [];
  const record = (outcome: string) =>
    journal.state.set('agent.lastRun', { at: new Date().toISOString(), outcome });
  try {
    await p.agent.recover();
    // A proxy journal from before exact epochs (`renumberLegacyEpochs`) would otherwise wait for ever.
    renumberLegacyEpochs(journal);
    const halt = journal.state.halted();
    if (halt.halted) {
      record(`halted: ${halt.reason}`);
      return { reports, stopped: 'halted' };
    }
    const wanted = p.once ? 1 : (p.epochs ?? 1);
    // The epoch this loop ran last: an epoch skipped for too little history (or a window it cannot use)
    // does not record `epoch.last`, and without this the loop ran that same round again at once, over and
    // over, spending `--epochs` on it instead of waiting for the next round. Across a restart such an epoch
    // runs once more, harmlessly (it skips again; the summary counts epochs and rounds once). Epochs that
    // decided their round without acting (an outlier, a drift halt) do record it (agent.ts): re-deciding a
    // drift-halted round after a person's resume halted the agent again on the same verdict.
    let ranHere: number | null = null;
    while (reports.length < wanted) {
      if (p.signal?.aborted) {
        record('stopped by the operator');
        return { reports, stopped: 'aborted' };
      }
      const epoch = await latestEpoch(p.clients.publicClient, p.wtiFeed);
      if (epoch === null) {
        // A feed deployed a moment ago: wait for the reporters' first round, as for any new round.
        if (p.once) {
          record('nothing new: the WTI feed has no round yet');
          return { reports, stopped: 'no-rounds' };
        }
        p.onWait?.(null);
        await sleep(p.pollMs ?? 2_000, p.signal);
        continue;
      }
      const recorded = journal.state.lastEpoch();
      const last = ranHere === null ? recorded : Math.max(recorded ?? ranHere, ranHere);
      const approved = journal.approvals.list({ status: 'approved', used: false }).length;
      if (last !== null && last >= epoch && !(p.once && approved > 0)) {
        if (p.once) {
          record(`nothing new: epoch ${epoch} already ran`);
          return { reports, stopped: 'nothing-new' };
        }
        p.onWait?.(epoch);
        await sleep(p.pollMs ?? 2_000, p.signal);
        continue;
      }
      const report = await p.agent.runEpoch(epoch);
      ranHere = epoch;
      reports.push(report);
      p.onReport?.(report);
      if (report.halted) {
        record(`halted: ${report.halted}`);
        return { reports, stopped: 'halted' };
      }
      record(`epoch ${epoch} ran (${report.intents.length} intent(s))`);
    }
    return { reports, stopped: 'done' };
  } catch (error) {
    if (error instanceof RpcUnavailableError || isTransientRpcError(error)) {
      const unavailable =
        error instanceof RpcUnavailableError ? error : new RpcUnavailableError(p.clients.rpcUrls, error);
      journal.append({
        kind: 'note',
        // Redacted (scheme and host): the journal is kept and shared, an RPC URL may carry an API key.
        payload: {
          rpcUnavailable: true,
          urls: [...unavailable.redactedUrls],
          message: unavailable.shortMessage,
        },
      });
      record(`stopped: ${unavailable.shortMessage}`);
      throw unavailable;
    }
    throw error;
  }
}

/**
 * Waits `ms`, or until `signal` aborts. The abort listener is removed when the time is up: the loop polls
 * for hours, and a listener left per poll piles up on the one signal (Node warns after 10, and they leak).
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------- art by hand (`provenant art …`)

export type ArtInputs = {
  clients: ProvenantClients;
  addresses: AgentAddresses;
  generator: ReturnType<typeof loadGenerator>;
  /** The account the token is minted to and that signs. */
  agent: Address;
  size: number;
  /**
   * The forecaster the agent runs (`runtime.forecaster`, or `loadAgentForecaster(stateDir)`): the render's
   * forecast is its fixed-point output on the 21 newest rounds, recorded with its model id, as the art
   * strategy's `replay` renders (`replayForecast`), so `verify` re-derives it. Without it the render
   * states no forecast (`forecastPpm` 0).
   */
  forecaster?: { model: ModelFile; id: Hex } | undefined;
  /** WTI rounds the market state is derived from (default 21, as the art strategy: the forecaster's features need 21). */
  window?: number | undefined;
  /** Default: `codeVersion()` (package version + git commit). Tests that pin manifest bytes pass their own. */
  codeVersion?: string | undefined;
  /** Pushes the stored files to IPFS (see `AgentRuntime.publish`); never blocks. */
  publish?: AssetPublisher | undefined;
};

/**
 * The latest `window` rounds, read at one pinned block (returned: the policy snapshot is read there too,
 * so `verify`'s oracle-window judges the window at the block it was read, as for the agent's renders).
 */
async function latestRounds(clients: ProvenantClients, feed: Address, window: number) {
  const blockNumber = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  const rounds = await readFeedWindow(clients.publicClient, feed, window, { blockNumber });
  return {
    blockNumber,
    rounds: rounds.map((r) => ({ roundId: r.roundId, answer: r.answer, updatedAt: r.updatedAt })),
  };
}

/** What a hand-made render shares with the art strategy's; the policy snapshot is the guard's rules for this action now. */
async function common(
  p: ArtInputs,
  { rounds, blockNumber }: Awaited<ReturnType<typeof latestRounds>>,
  action: { action: 'MINT' } | { action: 'UPDATE'; tokenId: bigint },
) {
  const forecast = p.forecaster ? replayForecast(p.forecaster, rounds) : undefined;
  return {
    chainId: p.clients.chain.id,
    contract: p.addresses.nft,
    oracle: { feed: p.addresses.feeds.WTI, decimals: 8, rounds },
    ...(forecast ? { forecast: { returnPpm: forecast.returnPpm, modelId: forecast.modelId } } : {}),
    salt: p.addresses.nft,
    width: p.size,
    height: p.size,
    agent: p.agent,
    policy: await artPolicySection(p.clients.publicClient, {
      guard: p.addresses.guard,
      nft: p.addresses.nft,
      modelId: p.generator.id,
      blockNumber,
      ...action,
    }),
    codeVersion: p.codeVersion ?? codeVersion(),
  };
}

/** Renders a version-0 artwork from the latest oracle rounds on the chain (nothing sent, nothing stored). */
export async function renderFromChain(
  p: ArtInputs,
): Promise<{ asset: RenderedAsset; nonce: Hex; latestRound: bigint }> {
  const read = await latestRounds(p.clients, p.addresses.feeds.WTI, p.window ?? ORACLE_FEATURE_ANSWERS);
  const latestRound = read.rounds.at(-1)?.roundId ?? 0n;
  const nonce = keccak256(
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint256' }],
      ['art-mint-cli', BigInt(p.clients.chain.id), p.addresses.nft, latestRound],
    ),
  );
  const asset = await renderAsset(p.generator.model, {
    ...(await common(p, read, { action: 'MINT' })),
    version: 0,
    nonce,
    parent: null,
  });
  return { asset, nonce, latestRound };
}

/** An `art-mint` intent for the latest rounds, shaped like the art strategy's (so the agent evolves it later). */
export async function prepareArtMint(
  p: ArtInputs & { content: ContentStore },
): Promise<Intent & { asset: RenderedAsset }> {
  const { asset, nonce } = await renderFromChain(p);
  const manifestCid = await storeAsset(p.content, asset, p.publish);
  const call = artMintCall(p.addresses.nft, { to: p.agent, modelId: p.generator.id, nonce, asset });
  return {
    key: nonce,
    strategy: 'art-cli',
    kind: 'art-mint',
    call,
    sizeUsd: 0,
    summary: `mint market art by hand (${asset.manifest.marketState.regime})`,
    decision: {
      tokenId: asset.tokenId.toString(),
      nonce,
      version: 0,
      manifestCid,
      commitment: asset.commitment,
      regime: asset.manifest.marketState.regime,
    },
    manifest: { cid: manifestCid, commitment: asset.commitment, bytes: asset.manifestBytes },
    asset,
  };
}

/** An `art-evolve` intent: re-renders the token from the latest rounds as its next version (same seed, parent = latest version). */
export async function prepareArtEvolve(
  p: ArtInputs & { content: ContentStore; tokenId: bigint },
): Promise<Intent & { asset: RenderedAsset }> {
  const record = await readTokenRecord(p.clients.publicClient, p.addresses.nft, p.tokenId, {
    fromBlock: p.addresses.fromBlock,
  });
  const parent = record.versions.at(-1);
  if (!parent?.manifestCid)
    throw new NonRetryableError(`Token ${p.tokenId} has no on-chain record to evolve.`, {
      details: 'List minted tokens with `provenant verify --all`; mint one with `provenant art mint`.',
    });
  const parentManifest = parseManifest(await p.content.get(parent.manifestCid), parent.manifestCid);
  const version = record.versions.length;
  const read = await latestRounds(p.clients, p.addresses.feeds.WTI, p.window ?? ORACLE_FEATURE_ANSWERS);
  const asset = await renderAsset(p.generator.model, {
    ...(await common(p, read, { action: 'UPDATE', tokenId: p.tokenId })),
    salt: parentManifest.parameters.salt as Hex,
    tokenId: p.tokenId,
    version,
    nonce: parentManifest.parameters.nonce as Hex,
    parent: { manifestCid: parent.manifestCid, commitment: parent.commitment.toLowerCase() as Hex },
  });
  const manifestCid = await storeAsset(p.content, asset, p.publish);
  const { call, key } = artEvolveCall(p.addresses.nft, {
    tokenId: p.tokenId,
    parentVersion: version - 1,
    modelId: p.generator.id,
    asset,
  });
  return {
    key,
    strategy: 'art-cli',
    kind: 'art-evolve',
    call,
    sizeUsd: 0,
    summary: `evolve token ${p.tokenId.toString(16).slice(0, 8)}… to v${version} by hand`,
    decision: {
      tokenId: p.tokenId.toString(),
      nonce: parentManifest.parameters.nonce,
      version,
      manifestCid,
      commitment: asset.commitment,
      regime: asset.manifest.marketState.regime,
    },
    manifest: { cid: manifestCid, commitment: asset.commitment, bytes: asset.manifestBytes },
    asset,
  };
}

export type ActOutcome =
  | { outcome: 'confirmed'; hash: Hex; gasUsed: bigint }
  | { outcome: 'refused' | 'reverted'; refusal: Refusal }
  | { outcome: 'duplicate' };

/**
 * One intent through the agent's own path, by hand: journal → preflight (a refusal is explained,
 * journaled and not sent) → transaction manager → journal. Used by `provenant art mint|evolve`.
 */
export async function actOnIntent(p: {
  journal: Journal;
  tx: TxManager;
  clients: ProvenantClients;
  addresses: AgentAddresses;
  from: Address;
  intent: Intent;
}): Promise<ActOutcome> {
  const { journal, intent } = p;
  const existing = journal.intents.get(intent.key);
  if (existing && existing.status !== 'refused' && existing.status !== 'failed')
    return { outcome: 'duplicate' };
  const policies = await readPolicies(p.clients.publicClient, p.addresses.guard, addressLabels(p.addresses));
  if (!existing)
    journal.intents.record({
      key: intent.key,
      kind: intent.kind,
      payload: intentPayload(intent),
    });
  const verdict = await preflight(
    p.clients.publicClient,
    { from: p.from, to: intent.call.to, data: intent.call.data },
    { policies },
  );
  journal.append({
    kind: 'preflight',
    key: intent.key,
    payload: verdict.ok ? { ok: true, gas: verdict.gas } : { ok: false, ...verdict.refusal },
  });
  if (!verdict.ok) {
    journal.intents.setStatus(intent.key, 'refused', verdict.refusal.sentence);
    return { outcome: 'refused', refusal: verdict.refusal };
  }
  journal.intents.setStatus(intent.key, 'sent');
  try {
    const result = await p.tx.send({
      key: intent.key,
      label: intent.call.label,
      to: intent.call.to,
      data: intent.call.data,
    });
    journal.intents.setStatus(intent.key, 'confirmed');
    if (intent.manifest)
      journal.append({
        kind: 'manifest',
        key: intent.key,
        payload: { cid: intent.manifest.cid, commitment: intent.manifest.commitment, kind: intent.kind },
      });
    return { outcome: 'confirmed', hash: result.hash, gasUsed: result.receipt.gasUsed };
  } catch (error) {
    const revert = error instanceof TxRevertedError ? error.revert : toContractRevertError(error);
    if (revert instanceof ContractRevertError) {
      const refusal = explainRefusal(revert, { policies });
      const status = error instanceof TxRevertedError ? 'reverted' : 'refused';
      journal.intents.setStatus(intent.key, status, refusal.sentence);
      journal.append({ kind: 'note', key: intent.key, payload: { refusedOnChain: true, ...refusal } });
      return { outcome: status, refusal };
    }
    // A transport error quotes the endpoint URL, which may carry an API key: redacted before it is journaled.
    journal.intents.setStatus(
      intent.key,
      'failed',
      redactUrlsIn(String((error as Error)?.message ?? error)).slice(0, 500),
    );
    throw error;
  }
}
