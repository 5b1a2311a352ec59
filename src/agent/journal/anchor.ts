import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  isAddressEqual,
  keccak256,
  type PublicClient,
} from 'viem';
import { journalAnchorAbi, type TxManager, TxRevertedError } from '../../chain/index.js';
import { redactUrlsIn } from '../../config/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { IntentRow, Journal, JournalHead } from './journal.js';

/**
 * The signed head (attest.ts) does not hold against someone who also has the agent's key: they can rewrite
 * the journal and sign the rewrite. So every `journalAnchorEveryEpochs` epochs the agent also sends the head
 * it just signed to the JournalAnchor contract (`anchor(seq, head)`), whose `JournalAnchored` logs nobody
 * can rewrite, and `audit verify` compares every anchored head with the journal (anchorAudit.ts).
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
  return journal.intents.list({ kind: ANCHOR_INTENT_KIND }).filter((r) => {
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
   * epoch anchors its own head. `error` is the error's first line with every URL redacted (`agent run --json`
   * prints this outcome; a library error object carries the RPC URL, which can hold an API key).
   */
  | { status: 'failed'; seq: number; head: Hex; key: Hex; error: string; retry: boolean };

/** An error as one line for a person or a log: its message's first line, every URL redacted. */
const errorLine = (error: unknown): string =>
  redactUrlsIn(String(error instanceof Error ? error.message : error).split('\n')[0] ?? '').slice(0, 500);

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
          error: errorLine(error),
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
    return { status: 'failed', seq: head.seq, head: head.hash, key, error: errorLine(error), retry: true };
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
      return { status: 'failed', seq, head, key: row.key, error: errorLine(error), retry: true };
    const note =
      error instanceof TxRevertedError
        ? `reverted: ${error.reason ?? 'no reason recovered'}`
        : redactUrlsIn(String((error as Error).message)).slice(0, 500);
    p.journal.intents.setStatus(row.key, error instanceof TxRevertedError ? 'reverted' : 'failed', note);
    return { status: 'failed', seq, head, key: row.key, error: errorLine(error), retry: false };
  }
}
