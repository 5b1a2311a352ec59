import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  isAddressEqual,
  keccak256,
  type PublicClient,
} from 'viem';
import {
  deploymentBlock,
  journalAnchorAbi,
  readManifest,
  scanLogs,
  type TxManager,
  TxRevertedError,
} from '../../chain/index.js';
import { redactUrlsIn } from '../../config/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { IntentRow, Journal, JournalHead } from './journal.js';

/**
 * The signed head (attest.ts) does not hold against someone who also has the agent's key: they can rewrite
 * the journal and sign the rewrite. So every `journalAnchorEveryEpochs` epochs the agent also sends the head
 * it just signed to the JournalAnchor contract (`anchor(seq, head)`), whose `JournalAnchored` logs nobody
 * can rewrite, and `audit verify` compares every anchored head with the journal (`checkJournalAnchors`).
 *
 * Exactly once across restarts: the anchor is an intent (kind `journal-anchor`, key from chain, contract,
 * seq and head) recorded before the transaction, sent through the agent's tx manager under that key (one
 * key, at most one transaction, ever; the raw bytes are stored before broadcast). The intent stays
 * `decided` until the send settles; a run killed at any point finds it `decided` and sends it again under
 * the same key, which finishes the stored transaction (or sends the first one, when the kill came before
 * the nonce was reserved) rather than a second. The contract refuses a seq not above the agent's last one,
 * the backstop should anything else fail.
 */

/** The intent kind of an anchor in the journal. */
export const ANCHOR_INTENT_KIND = 'journal-anchor';

/** What an anchor intent records: where it goes and the head it anchors (the call is rebuilt from it). */
export type AnchorIntentPayload = {
  summary: string;
  chainId: number;
  contract: Address;
  seq: number;
  head: Hex;
  to: Address;
  data: Hex;
};

/** The idempotency key of anchoring `head` on `contract` of chain `chainId`. */
export function anchorIntentKey(chainId: number, contract: Address, head: JournalHead): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'string' }, { type: 'uint256' }, { type: 'address' }, { type: 'uint64' }, { type: 'bytes32' }],
      ['provenant-journal-anchor', BigInt(chainId), contract, BigInt(head.seq), head.hash],
    ),
  );
}

/** The journal's anchor intents on `contract` (every chain when omitted), oldest first. */
export function anchorIntents(
  journal: Journal,
  contract?: Address,
): (IntentRow & { payload: AnchorIntentPayload })[] {
  return journal.intents
    .list()
    .filter((r) => r.kind === ANCHOR_INTENT_KIND)
    .filter((r) => {
      const c = (r.payload as Partial<AnchorIntentPayload>)?.contract;
      return contract === undefined || (typeof c === 'string' && isAddressEqual(c as Address, contract));
    }) as (IntentRow & { payload: AnchorIntentPayload })[];
}

/**
 * True when epoch `epoch` should anchor: anchoring is on (`everyEpochs` > 0) and the last anchor that
 * settled (confirmed, or skipped because the chain already held its seq) is at least `everyEpochs` epochs
 * back; the first one `everyEpochs` epochs after the first epoch the journal ran (epochs are oracle round
 * numbers: they need not start at 1). A failed anchor does not count, so the next epoch anchors again.
 */
export function anchorDue(
  journal: Journal,
  epoch: number,
  everyEpochs: number | null,
  contract?: Address,
): boolean {
  if (!everyEpochs || everyEpochs <= 0) return false;
  const settled = anchorIntents(journal, contract).filter(
    (r) => r.status === 'confirmed' || r.status === 'refused',
  );
  const last = settled.length > 0 ? Math.max(...settled.map((r) => r.epoch)) : firstEpoch(journal);
  return epoch - last >= everyEpochs;
}

/** The first epoch the journal ran (its first `decision` or `epoch` entry of an epoch above 0); 0 when none. */
function firstEpoch(journal: Journal): number {
  const epochs = (['decision', 'epoch'] as const).flatMap((kind) =>
    journal
      .entries({ kind, limit: 8 })
      .map((e) => e.epoch)
      .filter((e) => e > 0),
  );
  return epochs.length > 0 ? Math.min(...epochs) : 0;
}

/** What `anchorJournalHead` did this epoch. */
export type AnchorOutcome =
  | { status: 'disabled' | 'no-contract' | 'not-due' }
  | {
      status: 'anchored';
      seq: number;
      head: Hex;
      key: Hex;
      hash: Hex;
      blockNumber: bigint;
      gasUsed: bigint;
      /** An anchor a previous run left unsettled (killed mid-send), finished now. */
      resumed: boolean;
    }
  /** The chain already holds an anchor at or above this seq for the agent: nothing sent. */
  | { status: 'skipped'; seq: number; head: Hex; onChainSeq: number }
  /**
   * The anchor did not land. `retry`: it stays `decided` and the next epoch sends it again under the same
   * key (an unreachable node, no receipt yet); otherwise it is final (`reverted`, `failed`) and the next
   * epoch anchors its own head.
   */
  | { status: 'failed'; seq: number; head: Hex; key: Hex; error: unknown; retry: boolean };

export type AnchorJournalHeadParameters = {
  journal: Journal;
  tx: Pick<TxManager, 'send' | 'address' | 'chainId'>;
  publicClient: Pick<PublicClient, 'readContract'>;
  /** The JournalAnchor contract of the deployment; undefined when it has none. */
  contract: Address | undefined;
  epoch: number;
  /** `journalAnchorEveryEpochs`: 0 or null turns anchoring off. */
  everyEpochs: number | null;
};

/**
 * Anchors the journal's current head (the one the agent just signed) when an anchor is due, or finishes an
 * anchor a previous run left unsettled (first, whether due or not). Never throws for a failed anchor: the
 * outcome says what happened, and the journal records it (the intent's status, the tx manager's `tx` and
 * `receipt` entries).
 */
export async function anchorJournalHead(p: AnchorJournalHeadParameters): Promise<AnchorOutcome> {
  const { journal, contract } = p;
  if (!p.everyEpochs || p.everyEpochs <= 0) return { status: 'disabled' };
  if (!contract) return { status: 'no-contract' };
  const lastSeq = () =>
    p.publicClient.readContract({
      address: contract,
      abi: journalAnchorAbi,
      functionName: 'lastSeq',
      args: [p.tx.address],
    });
  const open = anchorIntents(journal, contract).find((r) => r.status === 'decided');
  if (open) {
    // A stored transaction is finished by the tx manager (never a second one). Without one nothing of ours
    // was sent for it; if the chain is already past its seq the contract would refuse it: settle it so.
    const stored = await journal.txStore().get(open.key);
    let onChain: bigint | undefined;
    if (!stored) {
      try {
        onChain = await lastSeq();
      } catch (error) {
        return {
          status: 'failed',
          seq: open.payload.seq,
          head: open.payload.head,
          key: open.key,
          error,
          retry: true,
        };
      }
    }
    if (onChain === undefined || onChain < BigInt(open.payload.seq)) return send(p, open, true);
    journal.intents.setStatus(open.key, 'refused', skippedNote(onChain, p.tx.address, open.payload.seq));
  }
  if (!anchorDue(journal, p.epoch, p.everyEpochs, contract)) return { status: 'not-due' };
  const head = journal.head();
  if (head.seq === 0) return { status: 'not-due' };
  const key = anchorIntentKey(p.tx.chainId, contract, head);
  let onChain: bigint;
  try {
    onChain = await lastSeq();
  } catch (error) {
    return { status: 'failed', seq: head.seq, head: head.hash, key, error, retry: true };
  }
  const payload: AnchorIntentPayload = {
    summary: `anchor journal head seq ${head.seq}`,
    chainId: p.tx.chainId,
    contract,
    seq: head.seq,
    head: head.hash,
    to: contract,
    data: encodeFunctionData({
      abi: journalAnchorAbi,
      functionName: 'anchor',
      args: [BigInt(head.seq), head.hash],
    }),
  };
  if (onChain >= BigInt(head.seq)) {
    // A journal restored from an older backup, or another journal of the same key: the contract would refuse.
    journal.intents.record({ key, kind: ANCHOR_INTENT_KIND, epoch: p.epoch, payload, status: 'refused' });
    journal.intents.setStatus(key, 'refused', skippedNote(onChain, p.tx.address, head.seq));
    return { status: 'skipped', seq: head.seq, head: head.hash, onChainSeq: Number(onChain) };
  }
  const row = journal.intents.record({ key, kind: ANCHOR_INTENT_KIND, epoch: p.epoch, payload });
  return send(p, row as IntentRow & { payload: AnchorIntentPayload }, false);
}

const skippedNote = (onChain: bigint, agent: Address, seq: number) =>
  `not sent: the chain already holds an anchor at seq ${onChain} for ${agent}, not below seq ${seq}`;

async function send(
  p: AnchorJournalHeadParameters,
  row: IntentRow & { payload: AnchorIntentPayload },
  resumed: boolean,
): Promise<AnchorOutcome> {
  const { seq, head, to, data, summary } = row.payload;
  try {
    const result = await p.tx.send({ key: row.key, label: summary, to, data });
    p.journal.intents.setStatus(row.key, 'confirmed', `anchored in block ${result.receipt.blockNumber}`);
    return {
      status: 'anchored',
      seq,
      head,
      key: row.key,
      hash: result.hash,
      blockNumber: result.receipt.blockNumber,
      gasUsed: result.receipt.gasUsed,
      resumed,
    };
  } catch (error) {
    // Only a final answer settles the intent; anything else (no receipt yet, an unreachable node, a
    // process stopped mid-send) leaves it `decided`, and the next epoch sends it again under the same key.
    if (!(error instanceof NonRetryableError))
      return { status: 'failed', seq, head, key: row.key, error, retry: true };
    const note =
      error instanceof TxRevertedError
        ? `reverted: ${error.reason ?? 'no reason recovered'}`
        : redactUrlsIn(String((error as Error).message)).slice(0, 500);
    p.journal.intents.setStatus(row.key, error instanceof TxRevertedError ? 'reverted' : 'failed', note);
    return { status: 'failed', seq, head, key: row.key, error, retry: false };
  }
}

// ---------------------------------------------------------------------------------------------- audit

/** One `JournalAnchored` log. */
export type OnChainAnchor = {
  agent: Address;
  seq: number;
  head: Hex;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** Every `JournalAnchored` log of `agents` on `contract` from `fromBlock` on, in block order. */
export async function readJournalAnchors(
  client: Pick<PublicClient, 'getBlockNumber' | 'getContractEvents'>,
  contract: Address,
  agents: readonly Address[],
  fromBlock = 0n,
): Promise<OnChainAnchor[]> {
  if (agents.length === 0) return [];
  const logs = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: contract,
      abi: journalAnchorAbi,
      eventName: 'JournalAnchored',
      args: { agent: [...agents] },
      fromBlock: from,
      toBlock: to,
    }),
  );
  return logs.map((log) => ({
    agent: log.args.agent as Address,
    seq: Number(log.args.seq),
    head: log.args.head as Hex,
    blockNumber: log.blockNumber as bigint,
    transactionHash: log.transactionHash as Hex,
  }));
}

/** The addresses that anchored for this journal: the head's signer and the senders of its anchor txs. */
export function journalAgents(journal: Journal): Address[] {
  const out: Address[] = [];
  const add = (a: unknown) => {
    if (
      typeof a === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(a) &&
      !out.some((x) => isAddressEqual(x, a as Address))
    )
      out.push(a as Address);
  };
  add(journal.state.get<{ signer?: string }>('attestation')?.signer);
  const store = journal.txStore();
  for (const row of anchorIntents(journal)) {
    const record = store.get(row.key) as { from?: Address } | undefined;
    add(record?.from);
  }
  return out;
}

/** What `checkJournalAnchors` found. */
export type AnchorCheck =
  | {
      status: 'ok';
      contract: Address;
      anchors: number;
      latest: { seq: number; head: Hex; blockNumber: string } | null;
    }
  | {
      status: 'mismatch';
      contract: Address;
      anchors: number;
      /** The first anchor (by seq) the journal does not match; `journalHash` null when the journal ends before it. */
      first: { seq: number; anchoredHash: Hex; journalHash: Hex | null; blockNumber: string; agent: Address };
      problem: string;
    };

/**
 * Checks every on-chain anchor against the journal: the entry at each anchored seq must exist and hash to
 * the anchored head. Also the reverse: an anchor the journal records as confirmed must be on-chain (a
 * journal that claims anchors the chain does not hold was written elsewhere or edited).
 */
export function checkJournalAnchors(
  journal: Journal,
  contract: Address,
  anchors: readonly OnChainAnchor[],
): AnchorCheck {
  const sorted = [...anchors].sort((a, b) => a.seq - b.seq || Number(a.blockNumber - b.blockNumber));
  const head = journal.head();
  for (const anchor of sorted) {
    const [entry] = journal.entries({ fromSeq: anchor.seq, limit: 1 });
    const journalHash = entry && entry.seq === anchor.seq ? entry.hash : null;
    if (journalHash !== null && journalHash.toLowerCase() === anchor.head.toLowerCase()) continue;
    return {
      status: 'mismatch',
      contract,
      anchors: anchors.length,
      first: {
        seq: anchor.seq,
        anchoredHash: anchor.head,
        journalHash,
        blockNumber: anchor.blockNumber.toString(),
        agent: anchor.agent,
      },
      problem:
        journalHash === null
          ? `anchor at seq ${anchor.seq} (block ${anchor.blockNumber}) holds ${anchor.head}, but the journal ends at seq ${head.seq}: entries were cut off`
          : `anchor at seq ${anchor.seq} (block ${anchor.blockNumber}) holds ${anchor.head}, but the journal's entry ${anchor.seq} hashes to ${journalHash}: the journal was rewritten after it was anchored`,
    };
  }
  for (const row of anchorIntents(journal, contract).filter((r) => r.status === 'confirmed')) {
    const { seq, head: anchored } = row.payload;
    if (sorted.some((a) => a.seq === seq && a.head.toLowerCase() === anchored.toLowerCase())) continue;
    const [entry] = journal.entries({ fromSeq: seq, limit: 1 });
    return {
      status: 'mismatch',
      contract,
      anchors: anchors.length,
      first: {
        seq,
        anchoredHash: anchored,
        journalHash: entry && entry.seq === seq ? entry.hash : null,
        blockNumber: '',
        agent: '0x0000000000000000000000000000000000000000',
      },
      problem: `the journal records an anchor at seq ${seq} (${anchored}) as confirmed, but ${contract} holds no such anchor: the journal and the chain disagree (another chain, or an edited journal)`,
    };
  }
  const latest = sorted.at(-1);
  return {
    status: 'ok',
    contract,
    anchors: anchors.length,
    latest: latest
      ? { seq: latest.seq, head: latest.head, blockNumber: latest.blockNumber.toString() }
      : null,
  };
}

/** An anchor contract this journal's anchors may be on: from a deployment manifest or an anchor intent. */
export type AnchorSource = { chainId: number; contract: Address; fromBlock: bigint };

/**
 * The JournalAnchor contracts to check: every deployment manifest of `stateDir` that has one
 * (`deployments/<chainId>.json`), and every contract the journal's anchor intents went to.
 */
export function anchorSources(journal: Journal, stateDir: string): AnchorSource[] {
  const out: AnchorSource[] = [];
  const add = (s: AnchorSource) => {
    const same = out.find((o) => o.chainId === s.chainId && isAddressEqual(o.contract, s.contract));
    if (!same) out.push(s);
    else if (s.fromBlock < same.fromBlock) same.fromBlock = s.fromBlock;
  };
  const dir = join(stateDir, 'deployments');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)) : [];
  for (const file of files.sort()) {
    const manifest = readManifest(stateDir, Number(file.slice(0, -5)));
    const entry = manifest.contracts.JournalAnchor;
    if (entry) add({ chainId: manifest.chainId, contract: entry.address, fromBlock: deploymentBlock(entry) });
  }
  for (const row of anchorIntents(journal)) {
    const { chainId, contract } = row.payload;
    if (typeof chainId === 'number' && typeof contract === 'string')
      add({ chainId, contract, fromBlock: 0n });
  }
  return out;
}

/** What `verifyJournalAnchors` found: `none` is informational, `unchecked` and `mismatch` fail the audit. */
export type AnchorsReport =
  | { status: 'none'; reason: string }
  | { status: 'unchecked'; problem: string }
  | AnchorCheck;

/**
 * Reads every `JournalAnchored` log of the journal's agent address(es) (`journalAgents`) on each anchor
 * contract of `sources` that is on the connected chain, and checks them against the journal
 * (`checkJournalAnchors`). The first contract that does not match decides; otherwise the counts add up.
 */
export async function verifyJournalAnchors(
  journal: Journal,
  sources: readonly AnchorSource[],
  /** The connected chain; undefined when there are no `sources` (nothing to read). */
  chain:
    | { client: Pick<PublicClient, 'getBlockNumber' | 'getContractEvents' | 'getCode'>; chainId: number }
    | undefined,
): Promise<AnchorsReport> {
  if (sources.length === 0)
    return {
      status: 'none',
      reason: "no JournalAnchor contract in this state dir's deployment, and the journal records no anchor",
    };
  if (!chain) return { status: 'unchecked', problem: 'no chain to read the anchors from' };
  const { client, chainId } = chain;
  const here = sources.filter((s) => s.chainId === chainId);
  if (here.length === 0)
    return {
      status: 'unchecked',
      problem: `the anchor contract is on chain ${[...new Set(sources.map((s) => s.chainId))].join(', ')}, but the node is chain ${chainId}: pass that chain's --rpc-url`,
    };
  const agents = journalAgents(journal);
  if (agents.length === 0)
    return {
      status: 'none',
      reason: 'the journal names no agent address (it was never signed), so no anchor can be its',
    };
  let total = 0;
  let latest: Extract<AnchorCheck, { status: 'ok' }>['latest'] = null;
  for (const source of here) {
    const code = await client.getCode({ address: source.contract });
    if (!code || code === '0x')
      return {
        status: 'unchecked',
        problem: `no contract at the JournalAnchor address ${source.contract} on chain ${chainId}: a node of another network, or a devnet without its saved state`,
      };
    const anchors = await readJournalAnchors(client, source.contract, agents, source.fromBlock);
    const check = checkJournalAnchors(journal, source.contract, anchors);
    if (check.status === 'mismatch') return check;
    total += check.anchors;
    if (check.latest && (!latest || check.latest.seq > latest.seq)) latest = check.latest;
  }
  return { status: 'ok', contract: here[0]!.contract, anchors: total, latest };
}
