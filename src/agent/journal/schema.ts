/**
 * The journal's SQLite schema. `entries` is the append-only, hash-chained record (the source of the
 * audit). Every other table is a cache written in the same transaction as its entry: `verifyJournal`
 * re-derives intents, approvals, tx_records and the halt state from the entries and names every
 * difference (derive.ts, which also lists what is not derivable).
 */
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- Append-only and hash-chained: hash = keccak256(canonical [seq, time, epoch, kind, key, payload, prev_hash]).
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  kind TEXT NOT NULL,
  key TEXT,
  payload TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_key ON entries(key);
CREATE INDEX IF NOT EXISTS entries_kind ON entries(kind);
CREATE TRIGGER IF NOT EXISTS entries_no_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;
CREATE TRIGGER IF NOT EXISTS entries_no_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'journal entries are append-only'); END;

-- Derived cache: the latest status of every intent.
CREATE TABLE IF NOT EXISTS intents (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  payload TEXT NOT NULL,
  note TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS intents_status ON intents(status);

-- Derived cache: human approvals, each bound to one calldata hash and usable once.
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  intent_key TEXT NOT NULL,
  calldata_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  used INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL,
  decided_by TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS approvals_intent ON approvals(intent_key);

-- Transaction manager state (implements TxStore): durable nonce reservations and signed raw transactions.
CREATE TABLE IF NOT EXISTS tx_records (
  key TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  chain_id INTEGER NOT NULL,
  from_address TEXT NOT NULL,
  nonce INTEGER NOT NULL,
  to_address TEXT NOT NULL,
  data TEXT NOT NULL,
  value TEXT NOT NULL,
  gas TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts TEXT NOT NULL,
  mined_hash TEXT,
  block_number TEXT,
  gas_used TEXT,
  effective_gas_price TEXT,
  error TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tx_records_account ON tx_records(chain_id, from_address, status, nonce);
CREATE TABLE IF NOT EXISTS tx_nonces (
  chain_id INTEGER NOT NULL,
  from_address TEXT NOT NULL,
  next_nonce INTEGER NOT NULL,
  PRIMARY KEY (chain_id, from_address)
);

-- Derived cache: agent state (halted flag and reason, last epoch processed, …) as JSON values.
CREATE TABLE IF NOT EXISTS kv (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`;
