import { NonRetryableError } from '../../errors/index.js';
import type { TableIssue } from './derive.js';
import type { VerifyIssue, VerifyReport } from './journal.js';

/** The journal file could not be opened or has an unknown schema. */
export class JournalOpenError extends NonRetryableError {
  override name = 'JournalOpenError';
  constructor(path: string, reason: string, cause?: unknown) {
    super(`The journal ${path} could not be opened: ${reason}.`, {
      cause,
      details:
        'Check the path and permissions. Never edit the journal by hand: `provenant audit verify` would flag it.',
      docsPath: 'docs/agent.md#journal',
    });
  }
}

/** An approval cannot be used: unknown, not approved, for other calldata, or already used. */
export class ApprovalError extends NonRetryableError {
  override name = 'ApprovalError';
  readonly approvalId: string;
  constructor(id: string, reason: string) {
    super(`Approval ${id} cannot be used: ${reason}.`, {
      details:
        'An approval is bound to one calldata hash and is used at most once. Prepare the intent again and approve the new id with `provenant agent approve <id>`.',
      docsPath: 'docs/agent.md#approval-mode',
    });
    this.approvalId = id;
  }
}

/**
 * `provenant agent approve <id>` (or `--reject`) on a request that expired (unanswered, or approved but not sent by its deadline): nothing changes. The
 * agent closed its intent when it expired and decides anew on the current market.
 */
export class ApprovalExpiredError extends NonRetryableError {
  override name = 'ApprovalExpiredError';
  readonly approvalId: string;
  /** The epoch the request was made in and the epoch the agent expired it in. */
  readonly requestedEpoch: number;
  readonly expiredAtEpoch: number;
  /** When the expiry was journaled (ms since the Unix epoch, the agent's clock). */
  readonly expiredAt: number;
  constructor(id: string, expiry: { requestedEpoch: number; expiredAtEpoch: number; expiredAt: number }) {
    super(
      `Approval ${id} cannot be decided: it expired at epoch ${expiry.expiredAtEpoch} (${new Date(expiry.expiredAt).toISOString()}), ${expiry.expiredAtEpoch - expiry.requestedEpoch} epoch(s) after it was requested at epoch ${expiry.requestedEpoch}. Nothing was changed.`,
      {
        details:
          'Its intent was closed and will never be sent: it was decided on a market that has moved on. The agent decides anew on every epoch and asks again with a new id if the market still calls for it: see `provenant agent status` for the pending requests, and approve the new id. `agent.approvalExpiryEpochs` sets how long a request stays open.',
        docsPath: 'docs/agent.md#approval-mode',
      },
    );
    this.approvalId = id;
    this.requestedEpoch = expiry.requestedEpoch;
    this.expiredAtEpoch = expiry.expiredAtEpoch;
    this.expiredAt = expiry.expiredAt;
  }
}

/** A typed accessor was asked for a row that does not exist. */
export class JournalNotFoundError extends NonRetryableError {
  override name = 'JournalNotFoundError';
  constructor(what: string, id: string) {
    super(`No ${what} '${id}' in the journal.`, {
      details: 'List what exists with `provenant agent status`.',
    });
  }
}

/** The journal failed verification when the agent opened it for a run: the agent does not start on it. */
export class JournalTamperedError extends NonRetryableError {
  override name = 'JournalTamperedError';
  /** The first bad seq of the chain, or null when only a side table differs. */
  readonly firstBadSeq: number | null;
  readonly issues: readonly VerifyIssue[];
  readonly tables: readonly TableIssue[];
  constructor(path: string, report: Pick<VerifyReport, 'issues' | 'tables'>) {
    const first = report.issues[0];
    const table = report.tables[0];
    const what = first
      ? `its hash chain is broken at seq ${first.seq} (${first.problem}: ${first.detail})`
      : `a side table differs from the hash-chained entries (${table?.detail})`;
    const count = report.issues.length + report.tables.length;
    super(
      `The journal ${path} failed its integrity check: ${what}${count > 1 ? `, and ${count - 1} more problem(s)` : ''}. The agent did not start and appended nothing.`,
      {
        details: `Inspect it with \`provenant audit verify --state-dir <dir>\` (every problem, by seq and by table, key and column). Then restore ${path} from a backup, or start a new state dir (or move the file aside with its -wal and -shm files: the agent starts a new journal; the old one stays for inspection). Never edit the journal by hand.`,
        docsPath: 'docs/agent.md#journal',
      },
    );
    this.firstBadSeq = first?.seq ?? null;
    this.issues = report.issues;
    this.tables = report.tables;
  }
}

/**
 * The journal no longer holds a head the agent anchored on-chain: it was rewritten (and re-signed, if its
 * signature still checks: the agent key is in other hands) or cut. The agent does not start on it, or it
 * would anchor the rewrite too.
 */
export class JournalAnchorMismatchError extends NonRetryableError {
  override name = 'JournalAnchorMismatchError';
  readonly seq: number;
  constructor(path: string, problem: string, seq: number) {
    super(
      `The journal ${path} does not match its on-chain anchors: ${problem}. The agent did not start and appended nothing.`,
      {
        details: `An anchor on the chain cannot be rewritten, so the file changed after the agent anchored seq ${seq}. Keep it for inspection (\`provenant audit verify\` names the rewritten range), rotate the agent key if its signature still checks, and restore the journal from a backup that matches the anchors.`,
        docsPath: 'docs/agent.md#journal',
      },
    );
    this.seq = seq;
  }
}
