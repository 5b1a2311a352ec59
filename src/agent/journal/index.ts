export {
  ANCHOR_INTENT_KIND,
  type AnchorCheck,
  type AnchorIntentPayload,
  type AnchorJournalHeadParameters,
  type AnchorOutcome,
  type AnchorSource,
  type AnchorsReport,
  anchorDue,
  anchorIntentKey,
  anchorIntents,
  anchorJournalHead,
  anchorSources,
  checkJournalAnchors,
  journalAgents,
  type OnChainAnchor,
  readJournalAnchors,
  verifyJournalAnchors,
} from './anchor.js';
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
export { ApprovalError, JournalNotFoundError, JournalOpenError, JournalTamperedError } from './errors.js';
export {
  type AppendEntry,
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
