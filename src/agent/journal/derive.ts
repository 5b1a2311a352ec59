import type Database from 'better-sqlite3';
import { type Hex, keccak256 } from 'viem';
import { canonicalJson } from '../../models/index.js';
import type { ApprovalDbRow, EntryRow, IntentDbRow } from './journal.js';
import type { TxDbRow } from './txStore.js';

/**
 * The side tables the agent reads (`intents`, `approvals`, `tx_records`, the halt state in `kv`) are
 * caches written in the same SQLite transaction as the entry that records the change. Editing one of
 * them leaves the hash chain intact, so `verifyJournal` re-derives each from the entries and compares,
 * column by column.
 */

/** One side-table value that differs from what the hash-chained entries determine. */
export type TableIssue = {
  table: 'intents' | 'approvals' | 'tx_records' | 'kv';
  /** The row's key (intent key, approval id, tx key, kv name). */
  key: string;
  /** The differing column, or `(row)` for a row that exists on one side only. */
  column: string;
  stored: string;
  derived: string;
  /** The last entry that determined the derived value (null when no entry does). */
  seq: number | null;
  detail: string;
};

/** Side data the entries do not determine: not compared by `audit verify`, with the reason. */
export const UNCHECKED_SIDE_DATA: readonly { what: string; why: string }[] = [
  {
    what: 'tx_nonces (next nonce per account)',
    why: 'also moved by syncNonce/releaseNonce without an entry; the tx manager re-reads the pending nonce from the chain before it signs (next = max(stored, chain)), so a lowered value is corrected and a raised one only leaves a gap the chain refuses to mine past',
  },
  {
    what: 'kv epoch.current, epoch.last, agent.lastRun, art.lastRegime',
    why: 'bookkeeping of the run loop and the demo art: every intent is idempotent by key (recorded once, refused on-chain when repeated), so a changed epoch counter re-runs or skips an epoch but cannot send a transaction twice',
  },
  {
    what: 'kv equityPeak, consecutiveRefusals in journals written before they were chained',
    why: 'the agent now journals every change of these halt counters as a `state` entry and they are compared; a journal from before that holds them without an entry until they next change',
  },
  {
    what: 'created_at/updated_at of tx_records, signedAt/broadcastAt of attempts, the error text of a tx not yet final',
    why: 'times and messages of the tx manager, written without an entry; recovery rebroadcasts the same signed bytes whatever they say',
  },
];

type Row = Pick<EntryRow, 'seq' | 'time' | 'kind' | 'key' | 'payload' | 'epoch'>;

/** A legacy writer read the clock for the row just before the entry: allow the row to be up to 1 s older. */
const CLOCK_SKEW_MS = 1000;

type Derived<T> = { value: T; seq: number };

/** What the entries say an `intents` / `approvals` row holds (the row without its key). */
type DerivedIntent = Omit<IntentDbRow, 'key'>;
type DerivedApproval = Omit<ApprovalDbRow, 'id'>;

type DerivedAttempt = {
  hash: string;
  kind: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  broadcast: boolean;
};

type DerivedTx = {
  label: string;
  chain_id: number;
  from_address: string;
  to_address: string;
  data: string;
  value: string;
  gas: string;
  nonce: number;
  attempts: DerivedAttempt[];
  final: {
    status: string;
    mined_hash: string | null;
    block_number: string | null;
    gas_used: string | null;
    effective_gas_price: string | null;
    error: string | null;
  } | null;
};

type DerivedHalt = { halted: boolean; reason?: string; details?: string; since?: number };

const str = (v: unknown): string =>
  v === null || v === undefined ? 'null' : typeof v === 'string' ? v : canonicalJson(v);
const nullableString = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Re-derives the side tables from the entries (in seq order, payloads parsed) and names every difference. */
export function checkSideTables(db: Database.Database, rows: readonly Row[]): TableIssue[] {
  const intents = new Map<string, Derived<DerivedIntent>>();
  const approvals = new Map<string, Derived<DerivedApproval>>();
  const txs = new Map<string, Derived<DerivedTx>>();
  let halt: Derived<DerivedHalt> | undefined;
  /** The last `state` entry of each chained kv value (`state.setChained`). */
  const chained = new Map<string, Derived<unknown>>();

  for (const row of rows) {
    if (!['intent', 'approval', 'tx', 'receipt', 'halt', 'resume', 'state'].includes(row.kind)) continue;
    let p: Record<string, unknown>;
    try {
      p = JSON.parse(row.payload) as Record<string, unknown>;
    } catch {
      continue; // reported by the chain check (not-canonical)
    }
    if (p === null || typeof p !== 'object') continue;
    const key = row.key ?? '';
    if (row.kind === 'intent') {
      const existing = intents.get(key);
      if ('intent' in p && !existing)
        intents.set(key, {
          seq: row.seq,
          value: {
            kind: String(p.kind),
            status: String(p.status),
            epoch: row.epoch,
            payload: canonicalJson(p.intent ?? null),
            note: null,
            created_at: row.time,
            updated_at: row.time,
          },
        });
      else if (existing && !('intent' in p)) {
        existing.value.status = String(p.status);
        existing.value.note = nullableString(p.note);
        existing.value.updated_at = row.time;
        existing.seq = row.seq;
      }
    } else if (row.kind === 'approval') {
      const id = String(p.id);
      const existing = approvals.get(id);
      if (p.status === 'pending' && 'request' in p && !existing)
        approvals.set(id, {
          seq: row.seq,
          value: {
            intent_key: key,
            calldata_hash: String(p.calldataHash),
            status: 'pending',
            used: 0,
            payload: canonicalJson(p.request ?? null),
            decided_by: null,
            created_at: row.time,
            updated_at: row.time,
          },
        });
      else if (existing) {
        // An expired request is closed for good: no later entry (an approval, a rejection, a use) revives
        // it, so a table row that says it was approved or used after its expiry is named as edited.
        if (existing.value.status === 'expired') continue;
        if (p.status === 'used') existing.value.used = 1;
        else if (p.status === 'expired') {
          // The agent expires only a pending request or an approved, unused one (`approvals.expire`); an
          // expiry entry for any other changes nothing.
          const expirable =
            existing.value.status === 'pending' ||
            (existing.value.status === 'approved' && !existing.value.used);
          if (!expirable) continue;
          existing.value.status = 'expired';
          existing.value.decided_by = nullableString(p.by);
        } else {
          existing.value.status = String(p.status);
          existing.value.decided_by = nullableString(p.by);
        }
        existing.value.updated_at = row.time;
        existing.seq = row.seq;
      }
    } else if (row.kind === 'tx' || row.kind === 'receipt') {
      const existing = txs.get(key);
      if (row.kind === 'tx' && p.event === 'reserved') {
        if (!existing)
          txs.set(key, {
            seq: row.seq,
            value: {
              label: String(p.label),
              chain_id: Number(p.chainId),
              from_address: String(p.from),
              to_address: String(p.to),
              data: String(p.data),
              value: String(p.value),
              gas: String(p.gas),
              nonce: Number(p.nonce),
              attempts: [],
              final: null,
            },
          });
        continue;
      }
      if (!existing) continue;
      existing.seq = row.seq;
      if (typeof p.nonce === 'number') existing.value.nonce = p.nonce;
      if (row.kind === 'receipt')
        existing.value.final = {
          status: String(p.status),
          mined_hash: nullableString(p.hash),
          block_number: nullableString(p.blockNumber),
          gas_used: nullableString(p.gasUsed),
          effective_gas_price: nullableString(p.effectiveGasPrice),
          error: nullableString(p.error),
        };
      else if (p.event === 'signed' || p.event === 'resigned')
        existing.value.attempts.push({
          hash: String(p.hash),
          kind: String(p.kind),
          maxFeePerGas: String(p.maxFeePerGas),
          maxPriorityFeePerGas: String(p.maxPriorityFeePerGas),
          broadcast: false,
        });
      else if (p.event === 'broadcast') {
        const attempt = existing.value.attempts.find((a) => a.hash === p.hash && !a.broadcast);
        if (attempt) attempt.broadcast = true;
      }
    } else if (row.kind === 'halt') {
      halt = {
        seq: row.seq,
        value: { halted: true, reason: String(p.reason), details: str(p.details ?? null), since: row.time },
      };
    } else if (row.kind === 'resume') {
      halt = { seq: row.seq, value: { halted: false } };
    } else if (row.kind === 'state' && typeof p.name === 'string') {
      chained.set(p.name, { seq: row.seq, value: p.value ?? null });
    }
  }

  const issues: TableIssue[] = [];
  const push = (issue: Omit<TableIssue, 'detail'> & { detail?: string }) =>
    issues.push({
      ...issue,
      detail:
        issue.detail ??
        `${issue.table} ${issue.key} ${issue.column}: stored ${issue.stored}, the entries say ${issue.derived}${issue.seq !== null ? ` (seq ${issue.seq})` : ''}`,
    });
  const compareTime = (
    table: TableIssue['table'],
    key: string,
    column: string,
    stored: number,
    derived: number,
    seq: number,
  ) => {
    if (derived - stored < 0 || derived - stored > CLOCK_SKEW_MS)
      push({ table, key, column, stored: String(stored), derived: String(derived), seq });
  };
  const missingRow = (table: TableIssue['table'], key: string, seq: number) =>
    push({
      table,
      key,
      column: '(row)',
      stored: 'no row',
      derived: 'a row',
      seq,
      detail: `${table} ${key}: the entries create it (seq ${seq}) but the table has no such row: it was deleted`,
    });
  const extraRow = (table: TableIssue['table'], key: string) =>
    push({
      table,
      key,
      column: '(row)',
      stored: 'a row',
      derived: 'no row',
      seq: null,
      detail: `${table} ${key}: no entry creates this row: it was inserted by hand`,
    });

  /**
   * A table whose rows the entries determine column by column (intents, approvals): every stored row
   * against its derived value (its times within the clock skew), rows on one side only named as such.
   */
  const compareRows = <T extends { created_at: number; updated_at: number }>(
    table: 'intents' | 'approvals',
    keyOf: (row: T & Record<string, unknown>) => string,
    derived: Map<string, Derived<T>>,
    columns: readonly (keyof T & string)[],
  ) => {
    const rows = db.prepare(`SELECT * FROM ${table}`).all() as (T & Record<string, unknown>)[];
    for (const stored of rows) {
      const key = keyOf(stored);
      const d = derived.get(key);
      if (!d) {
        extraRow(table, key);
        continue;
      }
      for (const column of columns)
        if (String(stored[column]) !== String(d.value[column]))
          push({
            table,
            key,
            column,
            stored: String(stored[column]),
            derived: String(d.value[column]),
            seq: d.seq,
          });
      compareTime(table, key, 'created_at', stored.created_at, d.value.created_at, d.seq);
      compareTime(table, key, 'updated_at', stored.updated_at, d.value.updated_at, d.seq);
    }
    const storedKeys = new Set(rows.map(keyOf));
    for (const [key, d] of derived) if (!storedKeys.has(key)) missingRow(table, key, d.seq);
  };
  compareRows('intents', (r) => String(r.key), intents, ['kind', 'status', 'epoch', 'payload', 'note']);
  compareRows('approvals', (r) => String(r.id), approvals, [
    'intent_key',
    'calldata_hash',
    'status',
    'used',
    'payload',
    'decided_by',
  ]);

  // ---- tx_records
  const txRows = db.prepare('SELECT * FROM tx_records').all() as TxDbRow[];
  for (const stored of txRows) {
    const d = txs.get(stored.key);
    if (!d) {
      extraRow('tx_records', stored.key);
      continue;
    }
    const diff = (column: string, s: unknown, v: unknown) => {
      if (String(s) !== String(v))
        push({
          table: 'tx_records',
          key: stored.key,
          column,
          stored: String(s),
          derived: String(v),
          seq: d.seq,
        });
    };
    for (const column of [
      'label',
      'chain_id',
      'from_address',
      'to_address',
      'data',
      'value',
      'gas',
      'nonce',
    ] as const)
      diff(column, stored[column], d.value[column]);
    const final = d.value.final;
    if (final) {
      diff('status', stored.status, final.status);
      for (const column of [
        'mined_hash',
        'block_number',
        'gas_used',
        'effective_gas_price',
        'error',
      ] as const)
        diff(column, stored[column], final[column]);
    } else {
      const allowed = d.value.attempts.length === 0 ? ['reserved'] : ['signed', 'broadcast'];
      if (!allowed.includes(stored.status)) diff('status', stored.status, allowed.join(' or '));
      for (const column of ['mined_hash', 'block_number', 'gas_used', 'effective_gas_price'] as const)
        diff(column, stored[column], null);
    }
    let attempts: {
      hash: string;
      raw: string;
      kind: string;
      maxFeePerGas: string;
      maxPriorityFeePerGas: string;
      broadcastAt: number | null;
    }[];
    try {
      attempts = JSON.parse(stored.attempts);
    } catch {
      diff('attempts', 'not JSON', `${d.value.attempts.length} attempt(s)`);
      continue;
    }
    if (attempts.length !== d.value.attempts.length) {
      diff('attempts', `${attempts.length} attempt(s)`, `${d.value.attempts.length} attempt(s)`);
      continue;
    }
    attempts.forEach((a, i) => {
      const v = d.value.attempts[i] as DerivedAttempt;
      diff(`attempts[${i}].hash`, a.hash, v.hash);
      diff(`attempts[${i}].kind`, a.kind, v.kind);
      diff(`attempts[${i}].maxFeePerGas`, a.maxFeePerGas, v.maxFeePerGas);
      diff(`attempts[${i}].maxPriorityFeePerGas`, a.maxPriorityFeePerGas, v.maxPriorityFeePerGas);
      diff(`attempts[${i}].broadcast`, a.broadcastAt !== null, v.broadcast);
      // The signed bytes are not in the entries, but their hash is: it binds them.
      let rawHash: string;
      try {
        rawHash = keccak256(a.raw as Hex);
      } catch {
        rawHash = 'not hex';
      }
      if (rawHash !== v.hash)
        push({
          table: 'tx_records',
          key: stored.key,
          column: `attempts[${i}].raw`,
          stored: `bytes hashing to ${rawHash}`,
          derived: `bytes hashing to ${v.hash}`,
          seq: d.seq,
          detail: `tx_records ${stored.key} attempts[${i}].raw: the signed bytes hash to ${rawHash}, the entries recorded ${v.hash} (seq ${d.seq}): a rebroadcast would send another transaction`,
        });
    });
  }
  const txKeys = new Set(txRows.map((r) => r.key));
  for (const [key, d] of txs) if (!txKeys.has(key)) missingRow('tx_records', key, d.seq);

  // ---- kv: the halt state
  const haltRow = db.prepare("SELECT value FROM kv WHERE name = 'halt'").get() as
    | { value: string }
    | undefined;
  let stored: { halted?: boolean; reason?: unknown; details?: unknown; since?: number } | undefined;
  try {
    stored = haltRow ? JSON.parse(haltRow.value) : undefined;
  } catch {
    stored = { halted: undefined };
  }
  const derived = halt?.value ?? { halted: false };
  const seq = halt?.seq ?? null;
  const haltDiff = (column: string, s: unknown, v: unknown) =>
    push({ table: 'kv', key: 'halt', column, stored: str(s), derived: str(v), seq });
  if ((stored?.halted ?? false) !== derived.halted)
    haltDiff('halted', stored?.halted ?? false, derived.halted);
  else if (derived.halted && stored) {
    if (String(stored.reason) !== derived.reason) haltDiff('reason', stored.reason, derived.reason);
    if (str(stored.details ?? null) !== derived.details)
      haltDiff('details', stored.details ?? null, derived.details);
    const since = Number(stored.since);
    if (
      !(derived.since !== undefined && derived.since - since >= 0 && derived.since - since <= CLOCK_SKEW_MS)
    )
      haltDiff('since', stored.since, derived.since);
  }

  // ---- kv: chained values (the agent's guard counters). A name with no `state` entry is not compared:
  // journals written before the counters were chained hold them unjournalled.
  for (const [name, d] of chained) {
    const row = db.prepare('SELECT value FROM kv WHERE name = ?').get(name) as { value: string } | undefined;
    let value: unknown;
    try {
      value = row ? JSON.parse(row.value) : null;
    } catch {
      value = row?.value;
    }
    if (str(value ?? null) !== str(d.value))
      push({
        table: 'kv',
        key: name,
        column: 'value',
        stored: str(value ?? null),
        derived: str(d.value),
        seq: d.seq,
      });
  }
  return issues;
}
