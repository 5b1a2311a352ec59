import type { Address, Hex } from 'viem';
import type { ApprovalExpiry, ApprovalRow, IntentStatus, Journal } from './journal/index.js';

/**
 * One decision in flight in approval mode: an intent that asked for a person's approval and is not
 * settled yet. While it is, the agent prepares no other intent of the same kind on the same contract
 * (a second request for what is one decision): the wait ends when the intent lands, is refused or
 * reverts on-chain, fails, the person rejects the request, or nobody answers it in time (it expires:
 * `expireApprovals`).
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
  /**
   * The request's deadline (`approvalDeadline`): a pending request expires at this epoch if nobody has
   * answered; an approved one is sent by an epoch up to it, else expires. Null when it has none, and for a
   * sent one (its transaction settles on-chain).
   */
  expiresAtEpoch: number | null;
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
 * restarted agent waits on exactly what the one before it waited on. `expiryEpochs` (the agent's
 * `approvalExpiryEpochs`) gives the deadline of a request recorded without one, as `expireApprovals` applies it.
 */
export function approvalWaits(journal: Journal, expiryEpochs: number | null = null): ApprovalWait[] {
  const out: ApprovalWait[] = [];
  for (const approval of journal.approvals.list()) {
    if (approval.status === 'rejected' || approval.status === 'expired') continue;
    const intent = journal.intents.get(approval.intentKey);
    if (intent && SETTLED.has(intent.status)) continue;
    const p = approval.payload as { to?: string; summary?: string };
    const kind = intent?.kind ?? 'unknown';
    const to = String(p.to ?? '').toLowerCase() as Address;
    const status = approval.status === 'pending' ? 'pending' : approval.used ? 'sent' : 'approved';
    const what = `${kind} on ${to} waits for approval ${approval.id}`;
    const expiresAtEpoch = status === 'sent' ? null : approvalDeadline(journal, approval, expiryEpochs);
    out.push({
      approvalId: approval.id,
      intentKey: approval.intentKey,
      kind,
      to,
      status,
      expiresAtEpoch,
      reason:
        status === 'pending'
          ? `${what}: pending${expiresAtEpoch === null ? '' : `, expires at epoch ${expiresAtEpoch}`} (\`provenant agent approve ${approval.id}\`, or \`--reject <reason>\` to decide anew)`
          : status === 'approved'
            ? `${what}: approved, sent by the next epoch${expiresAtEpoch === null ? '' : ` (if it runs by epoch ${expiresAtEpoch}, else it expires)`}`
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

/** The deadline the agent recorded with the request (`expiresAtEpoch` in its payload), if any. */
export function recordedDeadline(approval: ApprovalRow): number | null {
  const v = (approval.payload as { expiresAtEpoch?: unknown } | null)?.expiresAtEpoch;
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

/**
 * The epoch at which a pending request expires: the deadline recorded with it, else (a request made
 * without one, e.g. by an older build or with `approvalExpiryEpochs: null`) its request epoch plus
 * `expiryEpochs`; null when neither gives one (it stays open until a person answers).
 */
export function approvalDeadline(
  journal: Journal,
  approval: ApprovalRow,
  expiryEpochs: number | null,
): number | null {
  const recorded = recordedDeadline(approval);
  if (recorded !== null) return recorded;
  if (expiryEpochs === null) return null;
  const requested = journal.approvals.requestedEpoch(approval.id);
  return requested === undefined ? null : requested + expiryEpochs;
}

/**
 * The requests due to expire at `epoch`: a pending one once its deadline has come (nobody answered before
 * that epoch started), and one approved but not sent once its deadline has passed (approved in time, the
 * next epoch sends it at the latest at its deadline; found later, e.g. approved while the agent was stopped,
 * it was decided on a market that has moved on just the same).
 */
export function dueExpiries(
  journal: Journal,
  epoch: number,
  expiryEpochs: number | null,
): { approval: ApprovalRow; expiresAtEpoch: number }[] {
  const out: { approval: ApprovalRow; expiresAtEpoch: number }[] = [];
  for (const approval of journal.approvals.list()) {
    const pending = approval.status === 'pending';
    const unsent = approval.status === 'approved' && !approval.used;
    if (!pending && !unsent) continue;
    const expiresAtEpoch = approvalDeadline(journal, approval, expiryEpochs);
    if (expiresAtEpoch === null) continue;
    if (pending ? epoch >= expiresAtEpoch : epoch > expiresAtEpoch) out.push({ approval, expiresAtEpoch });
  }
  return out;
}

/**
 * Expires every request `dueExpiries` names at `epoch`, each in one journal transaction (the row, its
 * `approval` entry and its intent closed as `failed`). Derived from the journal and the epoch alone (the
 * epoch is the chain's: one per WTI round), so an agent killed before it recorded an expiry records the
 * same one at its next epoch; an expiry already recorded is not recorded again. An approved request this
 * epoch may still send (deadline not passed) is left for it.
 */
export function expireApprovals(
  journal: Journal,
  epoch: number,
  expiryEpochs: number | null,
): ApprovalExpiry[] {
  const out: ApprovalExpiry[] = [];
  for (const { approval, expiresAtEpoch } of dueExpiries(journal, epoch, expiryEpochs)) {
    const what =
      approval.status === 'pending'
        ? `unanswered at epoch ${epoch} (deadline epoch ${expiresAtEpoch})`
        : `approved but not sent by its deadline epoch ${expiresAtEpoch} (now epoch ${epoch}: the agent did not run in between)`;
    journal.approvals.expire(approval.id, {
      epoch,
      reason: `${what}: decided on a market that has moved on`,
    });
    const expiry = journal.approvals.expiry(approval.id);
    if (expiry) out.push(expiry);
  }
  return out;
}

/** An expired request, for `agent status`. */
export type ExpiredApproval = ApprovalExpiry & {
  intentKey: ApprovalRow['intentKey'];
  summary: string;
  sizeUsd: number;
  calldataHash: ApprovalRow['calldataHash'];
};

/** Every request that expired (unanswered, or approved but not sent by its deadline), oldest first. */
export function expiredApprovals(journal: Journal): ExpiredApproval[] {
  const out: ExpiredApproval[] = [];
  for (const a of journal.approvals.list({ status: 'expired' })) {
    const expiry = journal.approvals.expiry(a.id);
    if (!expiry) continue;
    const p = a.payload as { summary?: string; sizeUsd?: number };
    out.push({
      ...expiry,
      intentKey: a.intentKey,
      summary: p.summary ?? '',
      sizeUsd: p.sizeUsd ?? 0,
      calldataHash: a.calldataHash,
    });
  }
  return out;
}
