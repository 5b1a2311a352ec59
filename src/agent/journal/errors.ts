import { NonRetryableError } from '../../errors/index.js';

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

/** A typed accessor was asked for a row that does not exist. */
export class JournalNotFoundError extends NonRetryableError {
  override name = 'JournalNotFoundError';
  constructor(what: string, id: string) {
    super(`No ${what} '${id}' in the journal.`, {
      details: 'List what exists with `provenant agent status`.',
    });
  }
}
