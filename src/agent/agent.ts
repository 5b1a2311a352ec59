import { type Address, erc20Abi, formatUnits, type Hex, keccak256, type LocalAccount } from 'viem';
import {
  aggregatorV3InterfaceAbi,
  balanceOf,
  ContractRevertError,
  isFinalTxStatus,
  type MintedLog,
  type ProvenantClients,
  readMintedLogs,
  readMintNonce,
  readPosition,
  TransactionReplacedError,
  type TxManager,
  TxRevertedError,
  toContractRevertError,
  withGasMargin,
} from '../chain/index.js';
import { redactUrlsIn } from '../config/index.js';
import { DriftMonitor, type ModelFile, OracleFeatureError } from '../models/index.js';
import { FeedRefusedError, type FeedRules } from '../oracle/index.js';
import { explainRefusal, type PolicyState, preflight, type Refusal, readPolicies } from '../policy/index.js';
import type { ContentStore } from '../provenance/index.js';
import { type AgentAddresses, addressLabels } from './addresses.js';
import { type ApprovalWait, approvalWaits, expireApprovals, heldBy } from './approvalWaits.js';
import {
  type AnchorOutcome,
  type ApprovalExpiry,
  anchorJournalHead,
  attestJournalHead,
  type IntentRow,
  type Journal,
} from './journal/index.js';
import {
  appendRecent,
  checkObservation,
  decisionPayload,
  flagForJournal,
  type Inference,
  type InferState,
  infer,
  type Observation,
  observe,
  restoreInferState,
} from './market.js';
import type { AgentOptions } from './options.js';
import { ZkRecordedStatementMismatchError } from './strategies/synth.js';
import type { EpochContext, Intent, Strategy } from './strategies/types.js';

export type AgentDependencies = {
  clients: ProvenantClients;
  account: LocalAccount;
  addresses: AgentAddresses;
  journal: Journal;
  tx: TxManager;
  options: AgentOptions;
  feedRules: FeedRules;
  forecaster: { model: ModelFile; id: Hex; reference: { X: number[][]; errors: number[] } };
  content: ContentStore;
  strategies: Strategy[];
  decimals: number;
};

/** What one epoch did, for the progress line, the summary and the tests. */
export type EpochReport = {
  epoch: number;
  date: string;
  price: number | undefined;
  forecast: { mean: number; vol: number } | undefined;
  debt: bigint | undefined;
  halted: string | undefined;
  skipped: string | undefined;
  /**
   * Approval mode: the decisions in flight when this epoch decided (no intent of the same kind on the same
   * contract was prepared while one waits for approval or is not settled). Absent when none.
   */
  waiting?: ApprovalWait[] | undefined;
  /**
   * Approval mode: requests this epoch expired, unanswered for `approvalExpiryEpochs` epochs (their intents
   * closed, never sent; the epoch decides anew). Absent when none.
   */
  expired?: ApprovalExpiry[] | undefined;
  intents: {
    key: Hex;
    kind: string;
    summary: string;
    outcome: 'confirmed' | 'refused' | 'reverted' | 'awaiting-approval' | 'failed';
    refusal?: Refusal;
    gasUsed?: bigint;
  }[];
  /** The on-chain anchor of the signed journal head (journal/anchor.ts); absent when the epoch threw. */
  anchor?: AnchorOutcome | undefined;
};

export type Agent = {
  /** Runs one epoch: observe → infer → decide → preflight → act → record. Never throws for refusals. */
  runEpoch(epoch: number): Promise<EpochReport>;
  /** After a crash: settles every transaction the journal left in flight and marks their intents. */
  recover(): Promise<void>;
  /** Re-baselines the drift detector on the recent rows (called when a person resumes the agent). */
  rebaseline(): void;
};

const labelsFor = (a: AgentAddresses) => addressLabels(a);
const amountFormatter = (_p: PolicyState | undefined, v: bigint) =>
  v >= 10n ** 15n ? `${(Number(v / 10n ** 12n) / 1e6).toFixed(2)}` : v.toString();

export function createAgent(deps: AgentDependencies): Agent {
  const { journal, clients, addresses, options } = deps;
  const me = deps.account.address;
  const monitor = new DriftMonitor();
  monitor.setReference(deps.forecaster.reference.X, deps.forecaster.reference.errors);
  const inferState: InferState = { monitor, lastForecast: undefined };
  let recentFeatures: number[][] = [];
  let recentErrors: number[] = [];
  let consecutiveRefusals: Record<string, number> = {};

  // Rebuild the detector's state from the journal: replay every decision in order (deterministic), and
  // resume the outlier gate, the last forecast and the last decided round where the last decision left them.
  ({ recentFeatures, recentErrors } = restoreInferState(journal, inferState, rebaselineFrom));
  consecutiveRefusals = journal.state.get<Record<string, number>>('consecutiveRefusals') ?? {};

  /**
   * A person resumed the agent: they accept the current regime, so the detectors' reference becomes the
   * recent rows and the recent realised forecast errors (the training window when there are too few).
   */
  function rebaselineFrom(rows: number[][], errors: number[]) {
    const recent = rows.length >= 60 && errors.length >= 60;
    monitor.setReference(
      recent ? rows : deps.forecaster.reference.X,
      recent ? errors : deps.forecaster.reference.errors,
    );
  }

  async function recover(): Promise<void> {
    const report = await deps.tx.recover();
    for (const outcome of report.outcomes) {
      const intent = journal.intents.get(outcome.key);
      if (!intent) continue;
      // A synth mint that did not land by this transaction may have landed by an earlier send of the same
      // intent (its resend then reverts MintNonceMismatch): its Minted log decides, not the outcome alone.
      const landed =
        outcome.status !== 'mined' && intent.kind === 'synth-mint'
          ? await mintLanded(intent.payload, outcome.key)
          : undefined;
      if (landed)
        confirmRecovered(
          intent,
          `recovered after restart: minted in tx ${landed.hash} (this transaction ${outcome.status}, not a second mint)`,
        );
      else if (outcome.status === 'mined') confirmRecovered(intent, 'recovered after restart (mined)');
      else if (outcome.status === 'reverted' || outcome.status === 'replaced')
        journal.intents.setStatus(outcome.key, outcome.status, `recovered after restart (${outcome.status})`);
    }
    // An approved intent whose approval was used just before a crash (older journals: its status was not
    // yet 'sent') and that the tx manager never reserved was never broadcast: failed, so it holds nothing back.
    for (const intent of journal.intents.list({ status: 'awaiting-approval' })) {
      const used = journal.approvals
        .list({ status: 'approved', used: true })
        .some((a) => a.intentKey === intent.key);
      if (used && !(await journal.txStore().get(intent.key)))
        journal.intents.setStatus(
          intent.key,
          'failed',
          'its approval was used but it was not sent before the crash',
        );
    }
    // Intents sent but never settled by the tx manager (e.g. crash before reservation) are re-decided next epoch
    // — unless the chain holds the mint (its Minted log): then it is confirmed, and nothing is re-decided for it.
    for (const intent of journal.intents.list({ status: 'sent' })) {
      // The tx manager's own record decides first: still in flight (it gave up waiting, or an earlier
      // recovery stopped before this intent) stays 'sent'; mined is confirmed — also when its outcome was
      // reported to an earlier recovery that threw before recording it (the record is final, so no outcome now).
      const record = await journal.txStore().get(intent.key);
      if (record && !isFinalTxStatus(record.status)) continue;
      if (record?.status === 'mined') {
        confirmRecovered(intent, `recovered after restart: mined in tx ${record.minedHash}`);
        continue;
      }
      const landed = intent.kind === 'synth-mint' ? await mintLanded(intent.payload, intent.key) : undefined;
      if (landed) confirmRecovered(intent, `recovered after restart: minted in tx ${landed.hash}`);
      else if (record?.status === 'reverted' || record?.status === 'replaced')
        journal.intents.setStatus(intent.key, record.status, `recovered after restart (${record.status})`);
      else
        journal.intents.setStatus(
          intent.key,
          'failed',
          record
            ? `its transaction failed (${record.status})`
            : 'no transaction was recorded for it before the crash',
        );
    }
  }

  /**
   * The Minted log of the agent's synth mint intent `key` at the vault the intent called (its recorded
   * `to`), or undefined. The vault does not record a mint's intent id (its key is the position's mint
   * nonce): a mint refused with MintNonceMismatch was either sent before and landed, or lost its nonce to
   * another of our mints, and only this log tells them apart.
   */
  async function mintLanded(payload: unknown, key: Hex): Promise<MintedLog | undefined> {
    const to = (payload as { to?: unknown } | undefined)?.to;
    const vault = typeof to === 'string' ? (to as Address) : addresses.vault;
    // The scan starts at the block the decision was read at (its journaled `decision.readBlock`: the mint
    // was sent after it), less a reorg margin; journals written before it was recorded scan from the
    // deployment block. An approved intent is rebuilt without its decision: the journaled row has it.
    const readBlockOf = (p: unknown) =>
      (p as { decision?: { readBlock?: unknown } } | undefined)?.decision?.readBlock;
    const readBlock = readBlockOf(payload) ?? readBlockOf(journal.intents.get(key)?.payload);
    const logs = await readMintedLogs(clients, vault, {
      owner: me,
      intentId: key,
      fromBlock: addresses.fromBlock,
      readBlock: typeof readBlock === 'string' ? readBlock : undefined,
    });
    return logs[0];
  }

  /**
   * The refusal of a synth mint refused `MintNonceMismatch` whose intent id no Minted log carries (checked
   * by `mintLanded`): explained as this intent not having landed (another mint took the nonce) and being
   * decided again, not as "a mint with that nonce already landed".
   */
  function unlandedMintRefusal(refusal: Refusal, key: Hex): Refusal {
    return explainRefusal(refusal, { unlandedMintIntent: key });
  }

  /**
   * A journaled intent recovery found landed: confirmed (with `note`), and the `manifest` entry an epoch would
   * have journaled from the manifest recorded with it (if it has one), so `verify --synth` re-derives it.
   */
  function confirmRecovered(intent: IntentRow, note: string): void {
    journal.intents.setStatus(intent.key, 'confirmed', note);
    const m = (intent.payload as { manifest?: { cid?: unknown; commitment?: unknown } } | undefined)
      ?.manifest;
    if (typeof m?.cid !== 'string' || typeof m.commitment !== 'string') return;
    journal.append({
      kind: 'manifest',
      ...(typeof intent.epoch === 'number' ? { epoch: intent.epoch } : {}),
      key: intent.key,
      payload: { cid: m.cid, commitment: m.commitment, kind: intent.kind },
    });
  }

  function halt(reason: string, details: unknown): void {
    if (!journal.state.halted().halted) journal.state.halt(reason, details);
  }

  async function runEpoch(epoch: number): Promise<EpochReport> {
    const report: EpochReport = {
      epoch,
      date: '',
      price: undefined,
      forecast: undefined,
      debt: undefined,
      halted: undefined,
      skipped: undefined,
      intents: [],
    };
    journal.setEpoch(epoch);
    // Approval mode: a request nobody answered in time is closed first, before anything is sent and also
    // when this epoch is halted (the first epoch after a person resumes must not release a decision made on
    // a week-old market). From the journal and the epoch only, so a restart after a kill records the same
    // expiry.
    const expired = expireApprovals(journal, epoch, options.approvalExpiryEpochs);
    if (expired.length > 0) report.expired = expired;
    const haltState = journal.state.halted();
    if (haltState.halted) {
      report.halted = haltState.reason;
      // Still record what the market did, so reports show the halted stretch on the timeline.
      const latest = await clients.publicClient
        .readContract({
          address: addresses.feeds.WTI,
          abi: aggregatorV3InterfaceAbi,
          functionName: 'latestRoundData',
        })
        .catch(() => undefined);
      if (latest) {
        report.date = new Date(Number(latest[3]) * 1000).toISOString().slice(0, 10);
        report.price = Number(latest[1]) / 10 ** deps.decimals;
        journal.append({
          kind: 'epoch',
          epoch,
          payload: { date: report.date, price: report.price, halted: haltState.reason },
        });
      }
      return report;
    }
    // observe
    let observation: Observation;
    try {
      observation = await observe(
        clients.publicClient,
        { WTI: addresses.feeds.WTI },
        options.historyRounds,
        deps.decimals,
      );
      report.date = observation.date;
      report.price = Number(observation.wti.at(-1)?.answer ?? 0n) / 10 ** deps.decimals;
      checkObservation(observation, deps.feedRules);
    } catch (error) {
      if (error instanceof FeedRefusedError) {
        halt(
          `${error.rule === 'stale' ? 'stale' : error.rule === 'deviation' ? 'deviant' : 'invalid'} oracle: ${error.shortMessage}`,
          { rule: error.rule, roundId: error.roundId.toString(), date: report.date },
        );
        report.halted = journal.state.halted().halted
          ? (journal.state.halted() as { reason: string }).reason
          : error.shortMessage;
        // The refused round is on the timeline too (the summary counts epochs from the journal).
        if (report.date)
          journal.append({
            kind: 'epoch',
            epoch,
            payload: { date: report.date, price: report.price ?? null, halted: report.halted },
          });
        return report;
      }
      throw error;
    }
    // infer
    let inference: Inference;
    const decided = inferState.lastRound?.inference;
    try {
      inference = infer(observation, deps.forecaster.model, inferState);
    } catch (error) {
      // Too little history, or a window with a non-positive price: nothing to act on this epoch.
      if (error instanceof RangeError || error instanceof OracleFeatureError) {
        report.skipped = error.message;
        journal.append({
          kind: 'epoch',
          epoch,
          payload: { date: report.date ?? null, price: report.price ?? null, skipped: error.message },
        });
        return report;
      }
      throw error;
    }
    // A round already decided (`infer` returned its inference: this epoch repeats it) fed the monitor
    // nothing new and is among the recent rows already: one row per round, as the journal replay rebuilds
    // them. Only errors the monitor was fed count towards a rebaseline (a held or rejected outlier's do not).
    if (inference !== decided)
      ({ recentFeatures, recentErrors } = appendRecent(
        { recentFeatures, recentErrors },
        inference.features,
        inference.fed,
      ));
    report.forecast = inference.forecast;
    journal.append({
      kind: 'decision',
      epoch,
      payload: decisionPayload(observation, inference, inferState, deps.forecaster.id),
    });
    if (inference.outlier.flagged) {
      journal.append({
        kind: 'note',
        epoch,
        payload: {
          outlier: flagForJournal(inference.outlier),
          note: 'round flagged as an outlier: not acted on',
        },
      });
      report.skipped = `outlier: ${inference.outlier.reason ?? 'flagged'}`;
      // The round was decided (not to act): `agent run` after a restart waits for the next round instead of
      // deciding this one again (a second decision and note for it), and `agent status` shows this epoch.
      journal.state.setLastEpoch(epoch);
      return report;
    }
    if (inference.drift.halt) {
      halt(`drift: ${inference.drift.reason}`, inference.drift);
      report.halted = `drift: ${inference.drift.reason}`;
      // Decided too (to halt). Unrecorded, a restart after a person's resume ran this round again, and the
      // round's recorded inference (restored from the journal) halted the agent again on the same verdict.
      journal.state.setLastEpoch(epoch);
      return report;
    }
    // decide
    const labels = labelsFor(addresses);
    const [policies, position, synthBalance, mintNonce] = await Promise.all([
      readPolicies(clients.publicClient, addresses.guard, labels),
      readPosition(clients, addresses.vault, me),
      balanceOf(clients, addresses.synth, me),
      readMintNonce(clients, addresses.vault, me),
    ]);
    report.debt = position.debt;
    if (await drawdownBreached(position, synthBalance, inference.price))
      return { ...report, halted: (journal.state.halted() as { reason: string }).reason };
    // Approval mode: what waits for a person (or was approved and is not settled) holds back intents of the
    // same kind on the same contract; the journal says so once per change (`approvalWaits` state entries).
    let waits = approvalWaits(journal, options.approvalExpiryEpochs);
    noteWaits(waits);
    if (waits.length > 0) report.waiting = waits;
    const context: EpochContext = {
      epoch,
      waiting: waits,
      observation,
      inference,
      options,
      agent: me,
      policies,
      chainId: clients.chain.id,
      portfolio: { collateral: position.collateral, debt: position.debt, synthBalance, mintNonce },
    };
    // A zk proof copied from the mempool and submitted to the gate first (the gate records a statement
    // once) makes the agent's proveAndMint revert ZkProofAlreadyUsed. Such a strategy decides once more in
    // the same epoch: it finds its statement recorded and mints with mintWithProof (strategies/synth.ts).
    const frontRun = new Set<string>();
    let deciding: readonly Strategy[] = deps.strategies;
    for (let pass = 0; deciding.length > 0; pass++) {
      const intents: Intent[] = [];
      if (pass > 0) {
        context.waiting = waits = approvalWaits(journal, options.approvalExpiryEpochs);
        // The nonce the next nonce-checked mint names, after what the first pass sent (a proveAndMint does
        // not move it, but the pass may have carried an approved mint that did).
        context.portfolio.mintNonce = await readMintNonce(clients, addresses.vault, me);
      }
      for (const strategy of deciding) {
        try {
          for (const intent of await strategy.decide(context)) {
            const wait = heldBy(waits, intent.kind, intent.call.to);
            // One decision at a time: not recorded, not preflighted, no second approval request.
            if (!wait) intents.push(intent);
          }
        } catch (error) {
          // The gate recorded this very statement with other outputs: the gate, the circuit or the agent's
          // model disagree. That needs a person, so halt (journalled, like a drift halt; the monitor pauses
          // the guard) rather than crash and crash again on every restart.
          if (!(error instanceof ZkRecordedStatementMismatchError)) throw error;
          halt(`zk statement mismatch: ${error.message.split('\n')[0]}`, {
            proofId: error.proofId,
            differences: error.differences,
          });
          report.halted = `zk statement mismatch (${strategy.name})`;
          return report;
        }
      }
      // preflight, approval
      const ready: Intent[] = [];
      const preflightGas = new Map<Hex, bigint>();
      for (const first of intents) {
        let intent: Intent | undefined = first;
        while (intent) {
          if (journal.intents.get(intent.key)) {
            intent = undefined; // decided before (restart mid-epoch): the journal and the chain already know it
            break;
          }
          if (intent.manifest && !intent.manifest.cid)
            intent.manifest.cid = await deps.content.put(intent.manifest.bytes);
          journal.intents.record({
            key: intent.key,
            kind: intent.kind,
            epoch,
            payload: intentPayload(intent),
          });
          if (!options.preflight) break;
          const verdict = await preflight(
            clients.publicClient,
            { from: me, to: intent.call.to, data: intent.call.data },
            { policies, formatAmount: amountFormatter },
            { lookAheadSeconds: options.preflightLookAheadSeconds },
          );
          // A synth mint refused for its nonce: its Minted log decides. Landed (sent before and never
          // confirmed in this journal), it is confirmed, not sent again, not re-decided; not landed, another
          // mint took the nonce, and the refusal says so (this intent did not land; decided again).
          let refusal = verdict.ok ? undefined : verdict.refusal;
          let landed: MintedLog | undefined;
          if (refusal && intent.kind === 'synth-mint' && refusal.errorName === 'MintNonceMismatch') {
            landed = await mintLanded({ to: intent.call.to }, intent.key);
            if (!landed) refusal = unlandedMintRefusal(refusal, intent.key);
          }
          journal.append({
            kind: 'preflight',
            epoch,
            key: intent.key,
            payload: verdict.ok ? { ok: true, gas: verdict.gas } : { ok: false, ...refusal },
          });
          if (verdict.ok) {
            // Reuse the preflight's estimate (with the shared gas margin) so the transaction manager does not estimate again.
            preflightGas.set(intent.key, withGasMargin(verdict.gas));
            break;
          }
          if (landed) {
            confirm(intent, epoch, report, undefined, `minted in tx ${landed.hash}; not sent again`);
            intent = undefined;
            break;
          }
          refusal ??= verdict.refusal;
          journal.intents.setStatus(intent.key, 'refused', refusal.sentence);
          if (refusal.errorName === 'ZkProofAlreadyUsed') frontRun.add(intent.strategy);
          report.intents.push({
            key: intent.key,
            kind: intent.kind,
            summary: intent.summary,
            outcome: 'refused',
            refusal,
          });
          countRefusal(intent.strategy, true);
          intent = intent.resize?.(refusal, policies);
        }
        if (!intent) continue;
        if (options.approvalThresholdUsd !== null && intent.sizeUsd > options.approvalThresholdUsd) {
          const approval = journal.approvals.request({
            intentKey: intent.key,
            calldataHash: keccak256(intent.call.data),
            payload: {
              summary: intent.summary,
              to: intent.call.to,
              data: intent.call.data,
              sizeUsd: intent.sizeUsd,
              // Unanswered by this epoch, the request expires (approvalWaits.ts `expireApprovals`).
              ...(options.approvalExpiryEpochs === null
                ? {}
                : { expiresAtEpoch: epoch + options.approvalExpiryEpochs }),
            },
          });
          journal.intents.setStatus(intent.key, 'awaiting-approval', `approval ${approval.id}`);
          report.intents.push({
            key: intent.key,
            kind: intent.kind,
            summary: `${intent.summary} — awaiting approval ${approval.id}`,
            outcome: 'awaiting-approval',
          });
          continue;
        }
        ready.push(intent);
      }
      if (pass === 0) for (const approved of approvedIntents()) ready.push(approved);
      // act (pipelined: intents of one epoch touch different contracts and do not depend on each other)
      for (const intent of ready)
        if (journal.intents.get(intent.key)?.status !== 'sent') journal.intents.setStatus(intent.key, 'sent');
      const settled = await deps.tx.sendMany(
        ready.map((i) => ({
          key: i.key,
          label: i.call.label,
          to: i.call.to,
          data: i.call.data,
          gas: options.preflight ? preflightGas.get(i.key) : 2_000_000n,
        })),
      );
      for (const [index, outcome] of settled.entries()) {
        const intent = ready[index]!;
        if (outcome.ok) {
          confirm(intent, epoch, report, outcome.result.receipt.gasUsed);
          continue;
        }
        const revert =
          outcome.error instanceof TxRevertedError
            ? outcome.error.revert
            : toContractRevertError(outcome.error);
        // A nonce-checked synth mint refused for its nonce, or whose account nonce another transaction took:
        // landed or not is decided by the intent's Minted log. Landed (an earlier send of this very intent),
        // it is confirmed, minted once; else the refusal stands (another of our mints moved the nonce).
        let unlanded = false;
        if (
          intent.kind === 'synth-mint' &&
          ((revert instanceof ContractRevertError && revert.errorName === 'MintNonceMismatch') ||
            outcome.error instanceof TransactionReplacedError)
        ) {
          const landed = await mintLanded({ to: intent.call.to }, intent.key);
          if (landed) {
            confirm(
              intent,
              epoch,
              report,
              undefined,
              `minted in tx ${landed.hash}; this send was not a second mint`,
            );
            continue;
          }
          unlanded = true;
        }
        if (revert instanceof ContractRevertError) {
          const refusal = explainRefusal(revert, {
            policies,
            formatAmount: amountFormatter,
            // Checked just above: no Minted log carries this intent id, so the sentence says it did not land.
            ...(unlanded ? { unlandedMintIntent: intent.key } : {}),
          });
          if (refusal.errorName === 'ZkProofAlreadyUsed') frontRun.add(intent.strategy);
          journal.intents.setStatus(
            intent.key,
            outcome.error instanceof TxRevertedError ? 'reverted' : 'refused',
            refusal.sentence,
          );
          journal.append({
            kind: 'note',
            epoch,
            key: intent.key,
            payload: { refusedOnChain: true, ...refusal },
          });
          report.intents.push({
            key: intent.key,
            kind: intent.kind,
            summary: intent.summary,
            outcome: outcome.error instanceof TxRevertedError ? 'reverted' : 'refused',
            refusal,
          });
          countRefusal(intent.strategy, true);
          continue;
        }
        journal.intents.setStatus(
          intent.key,
          'failed',
          // The journal is append-only and hash-chained: an RPC URL's credentials must never reach it.
          redactUrlsIn(String((outcome.error as Error)?.message ?? outcome.error)).slice(0, 500),
        );
        report.intents.push({
          key: intent.key,
          kind: intent.kind,
          summary: intent.summary,
          outcome: 'failed',
        });
      }
      deciding = pass === 0 ? deps.strategies.filter((s) => frontRun.has(s.name)) : [];
    }
    journal.state.setChained('consecutiveRefusals', consecutiveRefusals);
    for (const [strategy, count] of Object.entries(consecutiveRefusals)) {
      if (count >= options.maxConsecutiveRefusals) {
        halt(`repeated refusals: strategy '${strategy}' was refused ${count} times in a row`, {
          strategy,
          count,
        });
        report.halted = `repeated refusals (${strategy})`;
      }
    }
    noteWaits(approvalWaits(journal, options.approvalExpiryEpochs));
    journal.state.setLastEpoch(epoch);
    return report;
  }

  /** An intent that landed: confirmed, its manifest journaled, reported (with its gas when this send landed it). */
  function confirm(intent: Intent, epoch: number, report: EpochReport, gasUsed?: bigint, note?: string) {
    journal.intents.setStatus(intent.key, 'confirmed', note);
    if (intent.manifest)
      journal.append({
        kind: 'manifest',
        epoch,
        key: intent.key,
        payload: {
          cid: intent.manifest.cid,
          commitment: intent.manifest.commitment,
          kind: intent.kind,
        },
      });
    report.intents.push({
      key: intent.key,
      kind: intent.kind,
      summary: note ? `${intent.summary} (${note})` : intent.summary,
      outcome: 'confirmed',
      ...(gasUsed !== undefined ? { gasUsed } : {}),
    });
    countRefusal(intent.strategy, false);
  }

  /** Journals what the agent waits on when it changed (a `state` entry; nothing while it stays the same). */
  function noteWaits(waits: readonly ApprovalWait[]) {
    // Never waited (approval mode off, or nothing asked yet): no entry.
    if (waits.length === 0 && journal.state.get('approvalWaits') === undefined) return;
    journal.state.setChained(
      'approvalWaits',
      waits.map((w) => ({
        approvalId: w.approvalId,
        intentKey: w.intentKey,
        kind: w.kind,
        to: w.to,
        status: w.status,
        reason: w.reason,
      })),
    );
  }

  function countRefusal(strategy: string, refused: boolean) {
    consecutiveRefusals[strategy] = refused ? (consecutiveRefusals[strategy] ?? 0) + 1 : 0;
  }

  function approvedIntents(): Intent[] {
    const out: Intent[] = [];
    for (const approval of journal.approvals.list({ status: 'approved', used: false })) {
      const p = approval.payload as { summary: string; to: Address; data: Hex; sizeUsd: number };
      const row = journal.intents.get(approval.intentKey);
      // Used and marked sent in one transaction: a crash between them would leave an approved intent that is
      // neither sendable (its approval is used) nor settled, holding its kind back for good.
      journal.db.transaction(() => {
        journal.approvals.consume(approval.id, keccak256(p.data));
        if (row) journal.intents.setStatus(approval.intentKey, 'sent', `approval ${approval.id} used`);
      })();
      // The decision's manifest (recorded with the intent when it was decided) goes with it: journaled as the
      // `manifest` entry once confirmed, it is what `verify --synth` re-derives the approved mint from.
      const recorded = (row?.payload as { manifest?: { cid?: unknown; commitment?: unknown } } | undefined)
        ?.manifest;
      const manifest =
        typeof recorded?.cid === 'string' && typeof recorded.commitment === 'string'
          ? { cid: recorded.cid, commitment: recorded.commitment as Hex, bytes: new Uint8Array() }
          : undefined;
      out.push({
        key: approval.intentKey,
        strategy: 'approved',
        kind: (row?.kind ?? 'synth-mint') as Intent['kind'],
        call: { to: p.to, data: p.data, label: p.summary },
        sizeUsd: p.sizeUsd,
        summary: `${p.summary} (approved ${approval.id})`,
        decision: {},
        ...(manifest ? { manifest } : {}),
      });
    }
    return out;
  }

  let collateralDecimals: number | undefined;
  async function drawdownBreached(
    position: { collateral: bigint; debt: bigint },
    synthBalance: bigint,
    price: number,
  ): Promise<boolean> {
    const stable = await balanceOf(clients, addresses.collateral, me);
    // The collateral's own decimals (USDC 6, DAI 18: `deploy --collateral` takes any ERC-20), read once.
    collateralDecimals ??= await clients.publicClient.readContract({
      address: addresses.collateral,
      abi: erc20Abi,
      functionName: 'decimals',
    });
    const usd = (v: bigint, decimals: number) => Number(formatUnits(v, decimals));
    const equity =
      usd(position.collateral + stable, collateralDecimals) +
      (usd(synthBalance, 18) - usd(position.debt, 18)) * price;
    const peak = Math.max(journal.state.get<number>('equityPeak') ?? equity, equity);
    journal.state.setChained('equityPeak', peak);
    if (peak > 0 && equity < peak * (1 - options.maxDrawdown)) {
      halt(
        `drawdown: equity ${equity.toFixed(0)} USD is ${(100 * (1 - equity / peak)).toFixed(1)}% below its peak ${peak.toFixed(0)} USD (limit ${(options.maxDrawdown * 100).toFixed(0)}%)`,
        { equity, peak },
      );
      return true;
    }
    return false;
  }

  // After every epoch and recovery the agent signs the journal head it reached (journal/attest.ts): a later
  // rewrite of the file no longer matches a signature only its key can make.
  const attested =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } finally {
        if (journal.db.open) await attestJournalHead(journal, deps.account);
      }
    };
  // Every `journalAnchorEveryEpochs` epochs the head just signed also goes on-chain (journal/anchor.ts),
  // then the head after the anchor's own entries is signed.
  async function runEpochAndAnchor(epoch: number): Promise<EpochReport> {
    const report = await attested(runEpoch)(epoch);
    report.anchor = await anchorJournalHead({
      journal,
      tx: deps.tx,
      publicClient: clients.publicClient,
      contract: addresses.journalAnchor,
      epoch,
      everyEpochs: options.journalAnchorEveryEpochs,
    });
    if (!['disabled', 'no-contract', 'not-due'].includes(report.anchor.status))
      await attestJournalHead(journal, deps.account);
    return report;
  }
  return {
    runEpoch: runEpochAndAnchor,
    recover: attested(recover),
    rebaseline() {
      rebaselineFrom(recentFeatures, recentErrors);
      consecutiveRefusals = {};
      journal.state.setChained('consecutiveRefusals', consecutiveRefusals);
      journal.append({ kind: 'decision', payload: { rebaseline: true } });
    },
  };
}

/** What the journal records of an intent (the agent loop and the CLI's one-off actions alike). */
export function intentPayload(intent: Intent): Record<string, unknown> {
  return {
    strategy: intent.strategy,
    summary: intent.summary,
    to: intent.call.to,
    data: intent.call.data,
    sizeUsd: intent.sizeUsd,
    decision: intent.decision,
    ...(intent.manifest
      ? { manifest: { cid: intent.manifest.cid, commitment: intent.manifest.commitment } }
      : {}),
  };
}
