import type { Address, Hex } from 'viem';
import type { IntentStatus, Journal } from './journal/index.js';

/**
 * One decision in flight in approval mode: an intent that asked for a person's approval and is not
 * settled yet. While it is, the agent prepares no other intent of the same kind on the same contract
 * (a second request for what is one decision): the wait ends when the intent lands, is refused or
 * reverts on-chain, fails, or the person rejects the request.
 */
export type ApprovalWait = {
  approvalId: string;
  intentKey: Hex;
  /** The intent's kind (`synth-mint`, …): with `to`, what it holds back. */
  kind: string;
  /** The contract the intent calls (lower case). */
  to: Address;
  /**
   * `pending`: waits for `provenant agent approve`; `approved`: approved, sent by the next epoch;
   * `sent`: its approval was used and its transaction is not settled yet (settled by `agent run`'s recovery).
   */
  status: 'pending' | 'approved' | 'sent';
  /** One line for people (journaled with the `approvalWaits` state entry, printed by `agent status`). */
  reason: string;
};

/** Intent statuses after which an approved intent no longer holds decisions back. */
const SETTLED: ReadonlySet<IntentStatus> = new Set([
  'confirmed',
  'reverted',
  'refused',
  'replaced',
  'failed',
]);

/**
 * The decisions in flight, from the journal alone (the `approvals` and `intents` tables it derives), so a
 * restarted agent waits on exactly what the one before it waited on.
 */
export function approvalWaits(journal: Journal): ApprovalWait[] {
  const out: ApprovalWait[] = [];
  for (const approval of journal.approvals.list()) {
    if (approval.status === 'rejected') continue;
    const intent = journal.intents.get(approval.intentKey);
    if (intent && SETTLED.has(intent.status)) continue;
    const p = approval.payload as { to?: string; summary?: string };
    const kind = intent?.kind ?? 'unknown';
    const to = String(p.to ?? '').toLowerCase() as Address;
    const status = approval.status === 'pending' ? 'pending' : approval.used ? 'sent' : 'approved';
    const what = `${kind} on ${to} waits for approval ${approval.id}`;
    out.push({
      approvalId: approval.id,
      intentKey: approval.intentKey,
      kind,
      to,
      status,
      reason:
        status === 'pending'
          ? `${what}: pending (\`provenant agent approve ${approval.id}\`, or \`--reject <reason>\` to decide anew)`
          : status === 'approved'
            ? `${what}: approved, sent by the next epoch`
            : `${what}: sent, its transaction is not settled yet`,
    });
  }
  return out;
}

/** Whether an intent of `kind` calling `to` is held back by one of `waits`. */
export function heldBy(waits: readonly ApprovalWait[], kind: string, to: Address): ApprovalWait | undefined {
  const target = to.toLowerCase();
  return waits.find((w) => w.kind === kind && w.to === target);
}
