export {
  ANCHOR_INTENT_KIND,
  type AnchorJournalHeadParameters,
  type AnchorOutcome,
  anchorIntents,
  anchorJournalHead,
} from './anchor.js';
export {
  type AnchorCheck,
  type AnchorSource,
  type AnchorsReport,
  anchorSources,
  type OnChainAnchor,
  readJournalAnchors,
  verifyJournalAnchors,
} from './anchorAudit.js';
export {
  type AttestationStatus,
  attestationMessage,
  attestJournalHead,
  checkJournalAttestation,
  type JournalAttestation,
  JournalAttestationError,
  openJournalForRun,
  requireAttestedJournal,
} from './attest.js';
export { type TableIssue, UNCHECKED_SIDE_DATA } from './derive.js';
export {
  ApprovalError,
  ApprovalExpiredError,
  JournalAnchorMismatchError,
  JournalNotFoundError,
  JournalOpenError,
  JournalTamperedError,
} from './errors.js';
export {
  type AppendEntry,
  type ApprovalExpiry,
  type ApprovalRow,
  type ApprovalStatus,
  type EntryKind,
  entryHash,
  GENESIS_HASH,
  type HaltState,
  type IntentRow,
  type IntentStatus,
  type Journal,
  type JournalEntry,
  type JournalHead,
  jsonSafe,
  type OpenJournalOptions,
  openJournal,
  type VerifyIssue,
  type VerifyReport,
  verifyJournal,
} from './journal.js';
export { SCHEMA_VERSION } from './schema.js';
export { createSqliteTxStore } from './txStore.js';
