import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Address,
  decodeFunctionData,
  encodeAbiParameters,
  formatUnits,
  type Hex,
  keccak256,
  type PublicClient,
  parseEventLogs,
} from 'viem';
import {
  aggregatorV3InterfaceAbi,
  feedAccumulatorAbi,
  forecastProofGateAbi,
  medianOracleAbi,
  modelRegistryAbi,
  scanLogs,
  syntheticVaultAbi,
} from '../chain/index.js';
import {
  dequantize,
  inferFixed,
  type ModelFile,
  modelId as modelIdOf,
  ORACLE_FEATURE_ANSWERS,
  oracleFeaturesFixed,
  parseModelFile,
  quantize,
  toForecast,
} from '../models/index.js';
import {
  type ChainPosition,
  type ContentStore,
  oracleWindowVerdict,
  readRoundPublication,
} from '../provenance/index.js';
import {
  accumulate,
  type CircuitLayout,
  committedDirFor,
  DEFAULT_CACHE_DIR,
  decodePublicSignals,
  type Groth16Proof,
  type VerificationKey,
  verifyProof,
  zkCommitment,
} from '../zk/index.js';
import type { Journal } from './journal/index.js';
import { modelFileLoader } from './models.js';
import { modelFileFromRegistryUri } from './verifyDeps.js';

/**
 * `provenant verify --synth`: re-derives each synthetic-vault decision from its manifest and checks it
 * against the chain, one named check at a time (expected vs actual), like `verify` does for artworks.
 *
 * Checks, in order (a failed `manifest-stored` or `manifest-format` stops the rest):
 * - `manifest-stored`   the content store holds bytes that hash to the journal's manifest CID
 * - `intent-id`         keccak256(manifest bytes) equals the intent id
 * - `intent-used`       the vault recorded the intent id for the agent (`intentUsed(agent, id)`: intent ids are per
 *                       caller; the agent is `deps.agent`, else the sender named by the intent's Minted/Repaid
 *                       log); for a `proveAndMint` (which does not record it), the gate recorded its statement
 * - `manifest-format`   a synth-decision manifest for this vault
 * - `vault-event`       the vault's Minted/Repaid log for the intent id carries the manifest's amount
 * - `model-file`        the model file named by the manifest hashes to its id
 * - `features-replay`   the manifest's features are the oracle features of its last 21 rounds' answers
 * - `forecast-replay`   the fixed-point forecaster on the manifest's features gives the manifest's forecast
 * - `oracle-rounds`     every (round id, answer) of the manifest equals the feed's `getRoundData`
 * - `oracle-feed`       the manifest's feed is the vault's `FEED()` (not any contract answering getRoundData)
 * - `oracle-window`     the rounds are one window: consecutive ids, oldest first, the newest the feed's
 *                       latest at the decision's Minted/Repaid log (its AnswerUpdated log before it, the
 *                       next round's not; a next round that does not exist even now was not published),
 *                       the art `verify`'s `oracle-window` (`oracleWindowVerdict`); not proven = fail
 * For `proof.kind === 'groth16'` (the zk mint path) also:
 * - `zk-circuit`        the verification key of the named circuit is available (committed zk/<name>/ or cache)
 * - `zk-commitment`     public signal 0 = registry `zkCommitmentOf(model)` = Poseidon commitment of the file
 * - `zk-rounds`         the proven rounds are the manifest's latest 21 rounds, ending at `lastRoundId`
 * - `zk-accumulator`    public signal 1 (accLast) = the Poseidon chain of those answers from the on-chain
 *                       accumulator value before them = the accumulator's on-chain value at `lastRoundId`
 * - `zk-forecast`       proven outputs = the fixed-point forecaster on the features of those answers
 * - `zk-calldata`       the mint transaction's statement (last round, public signals) is the manifest's; for
 *                       a front-run fallback (manifest `proof.sentAs: 'mintWithProof'`) the transaction is
 *                       `mintWithProof(amount, model, intent id, proof id)` with the manifest's amount, model,
 *                       intent id and the statement's proof id
 * - `zk-proof`          the transaction's Groth16 proof verifies (snarkjs) against the manifest's signals; for
 *                       a fallback, the proof of the transaction that recorded the statement (the gate's
 *                       ForecastProven log): re-verified when that transaction is a direct `submit` or
 *                       `proveAndMint` call, else the gate's on-chain verification is what is reported
 * - `zk-bound`          debt + amount ≤ the proven bound, and the vault's MintedWithProof log agrees
 *                       (proof id, amount, bound)
 * The proof points are not in the manifest (they are randomised); they are read from the transaction.
 */

export type SynthCheckStatus = 'pass' | 'fail';
export type SynthCheck = {
  name: string;
  status: SynthCheckStatus;
  expected?: string | undefined;
  actual?: string | undefined;
  detail?: string | undefined;
};

export type SynthVerifyReport = {
  intentId: Hex;
  manifestCid: string;
  action?: string | undefined;
  date?: string | undefined;
  amount?: string | undefined;
  proofKind?: string | undefined;
  ok: boolean;
  checks: SynthCheck[];
};

/** A synth decision the agent executed: its intent id and the CID of its manifest (from the journal). */
export type SynthDecisionRef = { intentId: Hex; manifestCid: string; kind: string };

export type SynthVerifyDependencies = {
  client: PublicClient;
  vault: Address;
  registry: Address;
  content: ContentStore;
  loadModelFile: (id: Hex) => Promise<Uint8Array>;
  /** Where the vault-event scan starts: the suite's deployment block (default 0). */
  fromBlock?: bigint | undefined;
  /**
   * The agent account whose intents the vault recorded (intent ids are kept per caller). Default: the
   * sender named by the intent's Minted (`owner`) or Repaid (`by`) log.
   */
  agent?: Address | undefined;
  /** Verification key and layout of a circuit by hash; default: `zk/<name>/` (committed) or the zk cache. */
  loadCircuit?: (circuitHash: string) => { layout: CircuitLayout; vkey: VerificationKey } | undefined;
  /**
   * Where a feed round was published (`readRoundPublication`). `synthVerifyDependencies` memoizes it for
   * the run: consecutive decisions name overlapping windows, so the same rounds' logs would be scanned
   * again per decision. Default: an unmemoized scan.
   */
  roundPublication?: (feed: Hex, roundId: bigint) => Promise<ChainPosition | undefined>;
};

type SynthManifest = {
  format: string;
  kind: string;
  vault: string;
  date: string;
  action: 'mint' | 'repay';
  amount: string;
  model: { id: Hex };
  inputs: {
    feed: string;
    decimals: number;
    rounds: [string, string][];
    /** The block the agent read the rounds at (decisions journalled before it was recorded lack it). */
    readBlock?: string;
  };
  features: string[];
  forecast: { mean: string; vol: string };
  position: { debt: string; target: string };
  proof:
    | {
        kind: 'groth16';
        circuit: string;
        roundIds: string[];
        lastRoundId: string;
        publicSignals: string[];
        maxDebt: string;
        /** Present when the gate already held the statement (front-run): sent as `mintWithProof`. */
        sentAs?: 'mintWithProof';
        proofId?: Hex;
      }
    | { kind: 'replay' };
};

/** The synth decisions the journal recorded as executed (`manifest` entries of synth intents), oldest first. */
export function synthDecisions(journal: Journal): SynthDecisionRef[] {
  const out: SynthDecisionRef[] = [];
  const seen = new Set<string>();
  for (const e of journal.entries({ kind: 'manifest' })) {
    const p = e.payload as { cid?: string; kind?: string };
    if (!e.key || !p.cid || !p.kind?.startsWith('synth-') || seen.has(e.key)) continue;
    seen.add(e.key);
    out.push({ intentId: e.key, manifestCid: p.cid, kind: p.kind });
  }
  return out;
}

/** Committed circuit artefacts (`zk/<name>/layout.json` + `vkey.json`), else the zk cache. */
export function loadCircuitByHash(
  circuitHash: string,
): { layout: CircuitLayout; vkey: VerificationKey } | undefined {
  const dirs = [committedDirFor(circuitHash), join(DEFAULT_CACHE_DIR, circuitHash)];
  for (const dir of dirs) {
    if (!dir || !existsSync(join(dir, 'vkey.json')) || !existsSync(join(dir, 'layout.json'))) continue;
    const layout = JSON.parse(readFileSync(join(dir, 'layout.json'), 'utf8')) as CircuitLayout & {
      circuitHash?: string;
    };
    if (layout.circuitHash !== undefined && layout.circuitHash !== circuitHash) continue;
    return { layout, vkey: JSON.parse(readFileSync(join(dir, 'vkey.json'), 'utf8')) as VerificationKey };
  }
  return undefined;
}

const show = (v: unknown) =>
  Array.isArray(v) ? `[${v.map(String).join(', ')}]` : typeof v === 'string' ? v : String(v);
const eqList = (a: readonly unknown[], b: readonly unknown[]) =>
  a.length === b.length && a.every((v, i) => String(v) === String(b[i]));

/** Verifies one synth decision; never throws for a mismatch (it becomes a failed check). */
export async function verifySynthDecision(
  ref: { intentId: Hex; manifestCid: string },
  deps: SynthVerifyDependencies,
): Promise<SynthVerifyReport> {
  const checks: SynthCheck[] = [];
  const report: SynthVerifyReport = {
    intentId: ref.intentId,
    manifestCid: ref.manifestCid,
    ok: false,
    checks,
  };
  const check = (name: string, ok: boolean, expected?: unknown, actual?: unknown, detail?: string) => {
    checks.push({
      name,
      status: ok ? 'pass' : 'fail',
      ...(expected !== undefined ? { expected: show(expected) } : {}),
      ...(actual !== undefined ? { actual: show(actual) } : {}),
      ...(detail ? { detail } : {}),
    });
    return ok;
  };
  const finish = () => {
    report.ok = checks.length > 0 && checks.every((c) => c.status === 'pass');
    return report;
  };
  const { client, vault } = deps;

  // manifest bytes, intent id
  let bytes: Uint8Array;
  try {
    bytes = await deps.content.get(ref.manifestCid);
    check('manifest-stored', true, ref.manifestCid, ref.manifestCid);
  } catch (error) {
    check('manifest-stored', false, ref.manifestCid, (error as Error).message);
    return finish();
  }
  check('intent-id', keccak256(bytes) === ref.intentId, ref.intentId, keccak256(bytes));
  const agent = deps.agent ?? (await intentCaller(client, vault, ref.intentId, deps.fromBlock));
  check(...(await intentUsedCheck(deps, agent, ref.intentId, bytes)));

  let m: SynthManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as SynthManifest;
  } catch (error) {
    check('manifest-format', false, 'canonical JSON', (error as Error).message);
    return finish();
  }
  report.action = m.action;
  report.date = m.date;
  report.amount = m.amount;
  report.proofKind = m.proof?.kind;
  const formatOk =
    m.format === 'provenant-manifest/1' &&
    m.kind === 'synth-decision' &&
    m.vault === vault.toLowerCase() &&
    (m.action === 'mint' || m.action === 'repay') &&
    Array.isArray(m.features) &&
    Array.isArray(m.inputs?.rounds);
  if (
    !check(
      'manifest-format',
      formatOk,
      `provenant-manifest/1 synth-decision for ${vault.toLowerCase()}`,
      `${m.format} ${m.kind} for ${m.vault}`,
    )
  )
    return finish();

  // the vault's record of the decision
  const tx = await vaultEvent(client, vault, ref.intentId, m.action, deps.fromBlock, agent);
  if (!tx) check('vault-event', false, `${m.action === 'mint' ? 'Minted' : 'Repaid'} log`, 'none');
  else check('vault-event', tx.amount === BigInt(m.amount), m.amount, tx.amount.toString(), `tx ${tx.hash}`);

  // model + forecast replay
  let model: ModelFile | undefined;
  try {
    const file = parseModelFile(await deps.loadModelFile(m.model.id));
    check('model-file', modelIdOf(file) === m.model.id, m.model.id, modelIdOf(file));
    model = file;
  } catch (error) {
    check('model-file', false, m.model.id, (error as Error).message);
  }
  const quantized = model ? m.features.map((v) => quantize(Number(v), model.scaleBits)) : [];
  const outputs = model ? inferFixed(model, quantized) : [];
  if (model) {
    // The forecaster's inputs are the oracle features of the last 21 rounds: re-derive them.
    const window = m.inputs.rounds.slice(-ORACLE_FEATURE_ANSWERS).map(([, a]) => BigInt(a));
    let derived: string;
    try {
      derived = show(oracleFeaturesFixed(window, model.scaleBits));
    } catch (error) {
      derived = (error as Error).message;
    }
    check(
      'features-replay',
      derived === show(quantized),
      derived,
      quantized,
      'oracleFeaturesFixed(last 21 answers)',
    );
    const f = toForecast(outputs.map((q) => dequantize(q, model.scaleBits)));
    const mean = f.mean.toPrecision(12);
    // The manifest's vol is max(forecast vol, EWMA vol): at least the model's.
    const volOk = Number(m.forecast.vol) >= Number(f.vol.toPrecision(12));
    check(
      'forecast-replay',
      mean === m.forecast.mean && volOk,
      `mean ${mean}, vol ≥ ${f.vol.toPrecision(12)}`,
      `mean ${m.forecast.mean}, vol ${m.forecast.vol}`,
    );
  }

  // every oracle round the manifest names
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

  await oracleBindingChecks(m, tx, deps, check);

  if (m.proof?.kind === 'groth16' && model)
    await verifyZk(m, model, outputs, ref.intentId, tx?.hash, deps, check);
  return finish();
}

/**
 * `intent-used`: the vault recorded the intent id — or, for a zk mint sent as `proveAndMint` (which
 * does not record it), the gate recorded the manifest's statement, the single-use key of that mint.
 */
async function intentUsedCheck(
  deps: SynthVerifyDependencies,
  caller: Address | undefined,
  intentId: Hex,
  manifestBytes: Uint8Array,
): Promise<[string, boolean, unknown, unknown, string]> {
  const { client, vault } = deps;
  const used =
    caller !== undefined &&
    (await client.readContract({
      address: vault,
      abi: syntheticVaultAbi,
      functionName: 'intentUsed',
      args: [caller, intentId],
    }));
  const where = `SyntheticVault.intentUsed(${caller ?? 'no caller: no Minted/Repaid log'}, intent id)`;
  if (used) return ['intent-used', true, true, true, where];
  let statement: { modelId: Hex; lastRoundId: bigint; publicSignals: bigint[] } | undefined;
  try {
    const m = JSON.parse(new TextDecoder().decode(manifestBytes)) as SynthManifest;
    // A fallback mint (`mintWithProof`) records its intent id: the gate's record does not stand for it.
    if (m.proof?.kind === 'groth16' && m.proof.sentAs === undefined)
      statement = {
        modelId: m.model.id,
        lastRoundId: BigInt(m.proof.lastRoundId),
        publicSignals: m.proof.publicSignals.map(BigInt),
      };
  } catch {}
  if (!statement) return ['intent-used', false, true, false, where];
  const { gate } = await zkContracts(deps);
  const proofId = statementId(statement.lastRoundId, statement.publicSignals);
  const record = await client.readContract({
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'provenForecast',
    args: [statement.modelId, proofId],
  });
  const recorded = record.provenAt !== 0;
  return [
    'intent-used',
    recorded,
    'the statement recorded by the gate (proveAndMint keys a mint by its single-use statement)',
    recorded ? `recorded, proof id ${proofId}` : `not recorded, proof id ${proofId}`,
    'ForecastProofGate.provenForecast(model, keccak256(abi.encode(lastRoundId, publicSignals)))',
  ];
}

/**
 * The vault's zk gate and (read on first use) the gate's feed accumulator, read once per set of
 * dependencies: a `verify --synth --all` checks every decision against the same contracts.
 */
const zkContractsCache = new WeakMap<
  SynthVerifyDependencies,
  Promise<{ gate: Address; accumulator: () => Promise<Address> }>
>();
function zkContracts(deps: SynthVerifyDependencies) {
  let cached = zkContractsCache.get(deps);
  if (!cached) {
    cached = (async () => {
      const { gate } = await deps.client.readContract({
        address: deps.vault,
        abi: syntheticVaultAbi,
        functionName: 'zkConfig',
      });
      let accumulator: Promise<Address> | undefined;
      return {
        gate,
        accumulator: () =>
          (accumulator ??= deps.client.readContract({
            address: gate,
            abi: forecastProofGateAbi,
            functionName: 'ACCUMULATOR',
          })),
      };
    })();
    cached.catch(() => zkContractsCache.delete(deps));
    zkContractsCache.set(deps, cached);
  }
  return cached;
}

/** The gate's statement id (nullifier): keccak256(abi.encode(uint80 lastRoundId, uint256[] publicSignals)). */
function statementId(lastRoundId: bigint, publicSignals: readonly bigint[]): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'uint80' }, { type: 'uint256[]' }], [lastRoundId, publicSignals]),
  );
}

/**
 * The agent that sent the intent's mint or repay. Only an agent can mint, so a Minted log's `owner` is
 * one. Anyone may repay any position with any intent id (ids are per caller), so a Repaid log counts only
 * when the sender repaid its own position (`by == owner`), which needs debt, i.e. an agent's position.
 */
async function intentCaller(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  fromBlock: bigint | undefined,
): Promise<Address | undefined> {
  const minted = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Minted',
      args: { intentId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  if (minted[0]) return minted[0].args.owner;
  const repaid = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Repaid',
      args: { intentId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  return repaid.find((l) => l.args.by.toLowerCase() === l.args.owner.toLowerCase())?.args.by;
}

type VaultLog = { hash: Hex; amount: bigint; blockNumber: bigint; logIndex: number };

const vaultLog = (
  log: { transactionHash: Hex; blockNumber: bigint; logIndex: number; args: { amount: bigint } } | undefined,
): VaultLog | undefined =>
  log
    ? {
        hash: log.transactionHash,
        amount: log.args.amount,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
      }
    : undefined;

/**
 * `oracle-feed` and `oracle-window`: the manifest's rounds are the vault's own feed (`FEED()`), and one
 * window of consecutive rounds ending at the feed's latest round when the decision's log was written.
 * Without them a decision could name rounds of any contract answering getRoundData, a selection of rounds
 * (skipping a jump), or an old window, and still re-derive.
 */
async function oracleBindingChecks(
  m: SynthManifest,
  tx: VaultLog | undefined,
  deps: SynthVerifyDependencies,
  check: (name: string, ok: boolean, expected?: unknown, actual?: unknown, detail?: string) => boolean,
): Promise<void> {
  const { client, vault } = deps;
  const stated = String(m.inputs.feed).toLowerCase();
  let vaultFeed: string;
  try {
    vaultFeed = (
      (await client.readContract({ address: vault, abi: syntheticVaultAbi, functionName: 'FEED' })) as string
    ).toLowerCase();
  } catch (error) {
    check(
      'oracle-feed',
      false,
      `the FEED() of vault ${vault.toLowerCase()}`,
      stated,
      (error as Error).message,
    );
    vaultFeed = '';
  }
  if (vaultFeed) {
    // The feed's decimals too: the manifest's prices are answers / 10^decimals.
    let feedDecimals: number | string;
    try {
      feedDecimals = Number(
        await client.readContract({
          address: vaultFeed as Hex,
          abi: aggregatorV3InterfaceAbi,
          functionName: 'decimals',
        }),
      );
    } catch (error) {
      feedDecimals = `unreadable (${(error as Error).message.split('\n')[0]})`;
    }
    const sameFeed = stated === vaultFeed;
    const sameDecimals = feedDecimals === m.inputs.decimals;
    check(
      'oracle-feed',
      sameFeed && sameDecimals,
      `feed ${vaultFeed} (FEED() of vault ${vault.toLowerCase()}), ${feedDecimals} decimals`,
      `feed ${stated} (manifest), ${m.inputs.decimals} decimals`,
      !sameFeed
        ? "the manifest's rounds are not the vault's oracle"
        : sameDecimals
          ? undefined
          : "the manifest's decimals are not the feed's",
    );
  }
  let roundIds: bigint[];
  try {
    roundIds = m.inputs.rounds.map(([id]) => BigInt(id));
  } catch (error) {
    check('oracle-window', false, 'integer round ids', (error as Error).message);
    return;
  }
  const logName = m.action === 'mint' ? 'Minted' : 'Repaid';
  const window = await oracleWindowVerdict({
    feed: stated as Hex,
    roundIds,
    at: tx ? { blockNumber: tx.blockNumber, logIndex: tx.logIndex } : undefined,
    logName,
    roundPublication:
      deps.roundPublication ??
      ((feed, roundId) => readRoundPublication(client, feed, roundId, deps.fromBlock)),
    roundExistsNow: (feed, roundId) => roundExists(client, feed, roundId),
    readBlock:
      typeof m.inputs.readBlock === 'string' && /^\d+$/.test(m.inputs.readBlock)
        ? BigInt(m.inputs.readBlock)
        : undefined,
  });
  // A synth check passes or fails: a window that could not be proven (a skip) is not verified.
  check(
    'oracle-window',
    window.status === 'pass',
    window.expected,
    window.actual,
    window.status === 'skip' ? `not proven: ${window.detail}` : window.detail,
  );
}

/**
 * Whether `feed` answers `getRoundData(roundId)` now: false when it reverts (MedianOracle's
 * OracleRoundNotFound, a Chainlink "No data present") or reports updatedAt 0; other errors (an
 * unreachable node) propagate, so a failed read is never taken for "not published".
 */
async function roundExists(client: PublicClient, feed: Hex, roundId: bigint): Promise<boolean> {
  try {
    const r = await client.readContract({
      address: feed,
      abi: medianOracleAbi,
      functionName: 'getRoundData',
      args: [roundId],
    });
    return r[3] !== 0n;
  } catch (error) {
    if (/revert/i.test((error as Error).message ?? '')) return false;
    throw error;
  }
}

/** The agent's Minted (owner = agent) or Repaid (owner = by = agent) log for the intent id. */
async function vaultEvent(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  action: 'mint' | 'repay',
  fromBlock: bigint | undefined,
  agent: Address | undefined,
): Promise<VaultLog | undefined> {
  if (!agent) return undefined;
  if (action === 'mint') {
    const logs = await scanLogs(client, { fromBlock }, (from, to) =>
      client.getContractEvents({
        address: vault,
        abi: syntheticVaultAbi,
        eventName: 'Minted',
        args: { owner: agent, intentId },
        fromBlock: from,
        toBlock: to,
        strict: true,
      }),
    );
    return vaultLog(logs[0]);
  }
  const logs = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Repaid',
      args: { owner: agent, by: agent, intentId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  return vaultLog(logs[0]);
}

async function verifyZk(
  m: SynthManifest,
  model: ModelFile,
  outputs: number[],
  intentId: Hex,
  txHash: Hex | undefined,
  deps: SynthVerifyDependencies,
  check: (name: string, ok: boolean, expected?: unknown, actual?: unknown, detail?: string) => boolean,
): Promise<void> {
  const proof = m.proof as Extract<SynthManifest['proof'], { kind: 'groth16' }>;
  const circuit = (deps.loadCircuit ?? loadCircuitByHash)(proof.circuit);
  if (
    !check(
      'zk-circuit',
      circuit !== undefined,
      `vkey of circuit ${proof.circuit}`,
      circuit ? 'found' : 'none',
    )
  )
    return;
  const { layout, vkey } = circuit!;
  let decoded: ReturnType<typeof decodePublicSignals>;
  try {
    if (proof.publicSignals.length !== layout.publicSignalCount)
      throw new RangeError(
        `${proof.publicSignals.length} public signals, the circuit has ${layout.publicSignalCount}`,
      );
    decoded = decodePublicSignals(layout, proof.publicSignals);
  } catch (error) {
    check('zk-commitment', false, 'decodable public signals', (error as Error).message);
    return;
  }

  const registered = BigInt(
    await deps.client.readContract({
      address: deps.registry,
      abi: modelRegistryAbi,
      functionName: 'zkCommitmentOf',
      args: [m.model.id],
    }),
  );
  const ofFile = zkCommitment(model);
  check(
    'zk-commitment',
    decoded.commitment === registered && registered === ofFile,
    `registry ${registered}, model file ${ofFile}`,
    `proven ${decoded.commitment}`,
  );

  // The proven rounds: the manifest's latest `layout.answers` rounds, ending at the statement's round.
  const window = m.inputs.rounds.slice(-layout.answers);
  const latest = window.map(([id]) => id);
  check(
    'zk-rounds',
    eqList(proof.roundIds, latest) && proof.lastRoundId === latest.at(-1),
    `rounds ${show(latest)}`,
    `rounds ${show(proof.roundIds)}, last ${proof.lastRoundId}`,
  );

  // accLast: the chain of those answers from the accumulator's value before them, and the value on-chain.
  const answers = window.map(([, a]) => BigInt(a));
  try {
    const accumulator = await (await zkContracts(deps)).accumulator();
    const readAcc = (roundId: bigint) =>
      deps.client.readContract({
        address: accumulator,
        abi: feedAccumulatorAbi,
        functionName: 'accumulatorAt',
        args: [roundId],
      });
    const first = BigInt(latest[0] ?? '0');
    const [before, onchain] = await Promise.all([readAcc(first - 1n), readAcc(BigInt(proof.lastRoundId))]);
    const chained = accumulate(before, answers);
    check(
      'zk-accumulator',
      chained === decoded.accLast && onchain === decoded.accLast,
      `chain of the ${answers.length} answers ${chained}, accumulator ${onchain}`,
      `proven ${decoded.accLast}`,
    );
  } catch (error) {
    check('zk-accumulator', false, 'the accumulator value at the last round', (error as Error).message);
  }

  let provenReplay: number[] | string;
  try {
    provenReplay = inferFixed(model, oracleFeaturesFixed(answers, model.scaleBits).map(Number));
  } catch (error) {
    provenReplay = (error as Error).message;
  }
  check(
    'zk-forecast',
    Array.isArray(provenReplay) && eqList(decoded.outputs, provenReplay) && eqList(provenReplay, outputs),
    provenReplay,
    decoded.outputs,
    'fixed-point forecaster on the oracle features of the proven answers',
  );

  // the proof points and the statement as sent to the vault
  const proofId = statementId(BigInt(proof.lastRoundId), proof.publicSignals.map(BigInt));
  const sentAs = proof.sentAs ?? 'proveAndMint';
  const sent = txHash ? await mintCallArgs(deps.client, txHash) : undefined;
  const verifyPoints = async (points: Groth16Proof, where: string) => {
    let valid = false;
    let why: string | undefined;
    try {
      valid = await verifyProof(vkey, points, proof.publicSignals);
    } catch (error) {
      why = (error as Error).message;
    }
    check(
      'zk-proof',
      valid,
      'valid',
      valid ? 'valid' : (why ?? 'invalid'),
      `snarkjs groth16 verify, ${where}`,
    );
  };
  if (!sent) {
    check('zk-calldata', false, `a ${sentAs} transaction for the intent`, 'none found');
    check('zk-proof', false, 'proof points', 'none');
  } else if (sent.via === 'proveAndMint') {
    check(
      'zk-calldata',
      sentAs === 'proveAndMint' &&
        String(sent.lastRoundId) === proof.lastRoundId &&
        eqList(sent.publicSignals, proof.publicSignals),
      `${sentAs}: last round ${proof.lastRoundId} signals ${show(proof.publicSignals)}`,
      `proveAndMint: last round ${sent.lastRoundId} signals ${show(sent.publicSignals)}`,
      `tx ${txHash}`,
    );
    await verifyPoints(sent.proof, 'committed vkey');
  } else {
    // Front-run fallback: the mint names the statement another transaction recorded.
    check(
      'zk-calldata',
      sentAs === 'mintWithProof' &&
        sent.proofId === proofId &&
        sent.modelId.toLowerCase() === m.model.id.toLowerCase() &&
        sent.intentId.toLowerCase() === intentId.toLowerCase() &&
        sent.amount === BigInt(m.amount),
      `${sentAs}(${m.amount}, ${m.model.id}, ${intentId}, ${proofId})`,
      `mintWithProof(${sent.amount}, ${sent.modelId}, ${sent.intentId}, ${sent.proofId})`,
      `tx ${txHash}`,
    );
    const recording = await recordingProof(deps, m.model.id, proofId);
    if (!recording) check('zk-proof', false, `a ForecastProven log for proof ${proofId}`, 'none');
    else if (!recording.statement)
      check(
        'zk-proof',
        true,
        'valid',
        'verified on-chain by the gate',
        `ForecastProven in tx ${recording.hash} (submitter ${recording.submitter}); the transaction is not a direct submit or proveAndMint call, so its points were not re-verified off-chain`,
      );
    else if (
      String(recording.statement.lastRoundId) !== proof.lastRoundId ||
      !eqList(recording.statement.publicSignals, proof.publicSignals)
    )
      check(
        'zk-proof',
        false,
        `the recording transaction proves last round ${proof.lastRoundId} signals ${show(proof.publicSignals)}`,
        `last round ${recording.statement.lastRoundId} signals ${show(recording.statement.publicSignals)}`,
        `tx ${recording.hash}`,
      );
    else
      await verifyPoints(
        recording.statement.proof,
        `committed vkey, points of the recording tx ${recording.hash} (submitter ${recording.submitter})`,
      );
  }

  if (m.action === 'mint') {
    const maxDebt = BigInt(proof.maxDebt);
    const after = BigInt(m.position.debt) + BigInt(m.amount);
    const event = sent?.mintedWithProof;
    const eventOk =
      event !== undefined &&
      event.proofId === proofId &&
      event.amount === BigInt(m.amount) &&
      event.maxDebt === maxDebt;
    check(
      'zk-bound',
      after <= maxDebt && eventOk,
      `debt+amount ${after} ≤ ${maxDebt}; MintedWithProof(${proofId.slice(0, 10)}…, ${m.amount}, ${maxDebt})`,
      event
        ? `MintedWithProof(${event.proofId.slice(0, 10)}…, ${event.amount}, ${event.maxDebt})`
        : 'no MintedWithProof log',
    );
  }
}

type ProofCalldata = {
  lastRoundId: bigint;
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  publicSignals: readonly bigint[];
};

/** Undoes the Solidity argument order (pi_b coordinates swapped), see zk/prover.ts `toCalldata`. */
function groth16Of(p: ProofCalldata): Groth16Proof {
  const s = (v: bigint) => v.toString();
  return {
    pi_a: [s(p.a[0]), s(p.a[1]), '1'],
    pi_b: [
      [s(p.b[0][1]), s(p.b[0][0])],
      [s(p.b[1][1]), s(p.b[1][0])],
      ['1', '0'],
    ],
    pi_c: [s(p.c[0]), s(p.c[1]), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

type MintedWithProof = { proofId: Hex; amount: bigint; maxDebt: bigint } | undefined;

/** The zk mint transaction's call (`proveAndMint` or `mintWithProof`) and its MintedWithProof log. */
async function mintCallArgs(
  client: PublicClient,
  hash: Hex,
): Promise<
  | {
      via: 'proveAndMint';
      lastRoundId: bigint;
      publicSignals: bigint[];
      proof: Groth16Proof;
      mintedWithProof: MintedWithProof;
    }
  | {
      via: 'mintWithProof';
      amount: bigint;
      modelId: Hex;
      intentId: Hex;
      proofId: Hex;
      mintedWithProof: MintedWithProof;
    }
  | undefined
> {
  const [tx, receipt] = await Promise.all([
    client.getTransaction({ hash }),
    client.getTransactionReceipt({ hash }),
  ]);
  let decoded: ReturnType<typeof decodeFunctionData<typeof syntheticVaultAbi>>;
  try {
    decoded = decodeFunctionData({ abi: syntheticVaultAbi, data: tx.input });
  } catch {
    return undefined;
  }
  const events = parseEventLogs({
    abi: syntheticVaultAbi,
    eventName: 'MintedWithProof',
    logs: receipt.logs,
  });
  const e = events[0]?.args as { proofId: Hex; amount: bigint; maxDebt: bigint } | undefined;
  const mintedWithProof = e ? { proofId: e.proofId, amount: e.amount, maxDebt: e.maxDebt } : undefined;
  if (decoded.functionName === 'mintWithProof') {
    const [amount, modelId, intentId, proofId] = decoded.args as readonly [bigint, Hex, Hex, Hex];
    return { via: 'mintWithProof', amount, modelId, intentId, proofId, mintedWithProof };
  }
  if (decoded.functionName !== 'proveAndMint') return undefined;
  const p = (decoded.args as readonly unknown[])[3] as ProofCalldata;
  return {
    via: 'proveAndMint',
    lastRoundId: p.lastRoundId,
    publicSignals: [...p.publicSignals],
    proof: groth16Of(p),
    mintedWithProof,
  };
}

/**
 * The transaction that recorded `proofId` for `modelId` (the gate's ForecastProven log) and, when it is a
 * direct `ForecastProofGate.submit` or `SyntheticVault.proveAndMint` call, the statement and proof points
 * it carried (a call through another contract leaves only the gate's on-chain verification).
 */
async function recordingProof(
  deps: SynthVerifyDependencies,
  modelId: Hex,
  proofId: Hex,
): Promise<
  | {
      hash: Hex;
      submitter: Address;
      statement: { lastRoundId: bigint; publicSignals: bigint[]; proof: Groth16Proof } | undefined;
    }
  | undefined
> {
  const { client } = deps;
  const { gate } = await zkContracts(deps);
  const logs = await scanLogs(client, { fromBlock: deps.fromBlock }, (from, to) =>
    client.getContractEvents({
      address: gate,
      abi: forecastProofGateAbi,
      eventName: 'ForecastProven',
      args: { proofId, modelId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  const log = logs[0];
  if (!log) return undefined;
  const tx = await client.getTransaction({ hash: log.transactionHash });
  const base = { hash: log.transactionHash, submitter: log.args.submitter };
  const statementOf = (p: ProofCalldata) => ({
    lastRoundId: p.lastRoundId,
    publicSignals: [...p.publicSignals],
    proof: groth16Of(p),
  });
  if (tx.to?.toLowerCase() === gate.toLowerCase()) {
    try {
      const d = decodeFunctionData({ abi: forecastProofGateAbi, data: tx.input });
      if (d.functionName === 'submit') {
        const [, lastRoundId, a, b, c, publicSignals] = d.args as readonly [
          Hex,
          bigint,
          ProofCalldata['a'],
          ProofCalldata['b'],
          ProofCalldata['c'],
          readonly bigint[],
        ];
        return { ...base, statement: statementOf({ lastRoundId, a, b, c, publicSignals }) };
      }
    } catch {}
  }
  if (tx.to?.toLowerCase() === deps.vault.toLowerCase()) {
    try {
      const d = decodeFunctionData({ abi: syntheticVaultAbi, data: tx.input });
      if (d.functionName === 'proveAndMint')
        return { ...base, statement: statementOf((d.args as readonly unknown[])[3] as ProofCalldata) };
    } catch {}
  }
  return { ...base, statement: undefined };
}

/**
 * Dependencies for a state directory: model files from `<stateDir>/models` (or the shipped ones), else the
 * content store under the model's registered metadataURI.
 */
export function synthVerifyDependencies(parameters: {
  client: PublicClient;
  stateDir: string;
  vault: Address;
  registry: Address;
  content: ContentStore;
  fromBlock?: bigint | undefined;
  /** The agent account (intent ids are per caller); default: read from the intent's vault log. */
  agent?: Address | undefined;
}): SynthVerifyDependencies {
  const { stateDir, ...rest } = parameters;
  const published = new Map<string, Promise<ChainPosition | undefined>>();
  return {
    ...rest,
    loadModelFile: modelFileLoader(stateDir, {
      where: "the content store under the model's registered metadataURI",
      load: (id) => modelFileFromRegistryUri(rest.client, rest.registry, rest.content, id),
    }),
    roundPublication: (feed, roundId) => {
      const key = `${feed.toLowerCase()}:${roundId}`;
      let read = published.get(key);
      if (!read) {
        read = readRoundPublication(rest.client, feed, roundId, rest.fromBlock);
        published.set(key, read);
        // A failed read (a node hiccup) is not remembered: the next decision asks again.
        read.catch(() => published.delete(key));
      }
      return read;
    },
  };
}

/** Verifies every synth decision the journal recorded (or the one with `intentId`). */
export async function verifySynthFromJournal(
  journal: Journal,
  deps: SynthVerifyDependencies,
  options: { intentId?: Hex | undefined } = {},
): Promise<SynthVerifyReport[]> {
  const refs = synthDecisions(journal).filter(
    (r) => !options.intentId || r.intentId.toLowerCase() === options.intentId.toLowerCase(),
  );
  const reports: SynthVerifyReport[] = [];
  for (const ref of refs) reports.push(await verifySynthDecision(ref, deps));
  return reports;
}

/** One line per check: `✓ name` or `✗ name: expected … got …`. */
export function formatSynthVerifyReport(r: SynthVerifyReport): string {
  const amount = r.amount && /^\d+$/.test(r.amount) ? `${formatUnits(BigInt(r.amount), 18)} sWTI` : '';
  const head = `${r.ok ? 'VERIFIED' : 'NOT VERIFIED'} synth ${r.action ?? '?'} ${amount} ${r.date ?? ''} (${r.proofKind ?? '?'}) intent ${r.intentId}`;
  const lines = r.checks.map((c) =>
    c.status === 'pass'
      ? `  ✓ ${c.name}`
      : `  ✗ ${c.name}: expected ${c.expected ?? '?'}, got ${c.actual ?? '?'}${c.detail ? ` (${c.detail})` : ''}`,
  );
  return [head.replace(/\s+/g, ' '), ...lines].join('\n');
}
