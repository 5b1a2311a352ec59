import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type Hex, keccak256, stringToBytes } from 'viem';
import type { TxStore } from '../../chain/index.js';
import { canonicalJson } from '../../models/index.js';
import { checkSideTables, type TableIssue } from './derive.js';
import {
  ApprovalError,
  ApprovalExpiredError,
  JournalNotFoundError,
  JournalOpenError,
  JournalTamperedError,
} from './errors.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import { createSqliteTxStore } from './txStore.js';

export const GENESIS_HASH: Hex = `0x${'00'.repeat(32)}`;

export type EntryKind =
  | 'intent'
  | 'decision'
  | 'preflight'
  | 'tx'
  | 'receipt'
  | 'manifest'
  | 'halt'
  | 'resume'
  | 'approval'
  | 'epoch'
  | 'note'
  /** A guard counter of the agent changed (`state.setChained`): `{ name, value }`. */
  | 'state';

export type JournalEntry = {
  seq: number;
  /** Milliseconds since the Unix epoch. */
  time: number;
  epoch: number;
  kind: EntryKind;
  key: Hex | null;
  /** The payload as stored (canonical JSON; bigints as decimal strings). */
  payload: unknown;
  prevHash: Hex;
  hash: Hex;
};

export type AppendEntry = {
  kind: EntryKind;
  key?: Hex | null | undefined;
  /** Defaults to the journal's current epoch (`setEpoch`). */
  epoch?: number | undefined;
  payload: unknown;
};

export type JournalHead = { seq: number; hash: Hex };

export type IntentStatus =
  | 'decided'
  | 'refused'
  | 'awaiting-approval'
  | 'approved'
  | 'sent'
  | 'confirmed'
  | 'reverted'
  | 'replaced'
  | 'failed';

export type IntentRow = {
  key: Hex;
  kind: string;
  status: IntentStatus;
  epoch: number;
  payload: unknown;
  note: string | null;
  createdAt: number;
  updatedAt: number;
};

/** `expired`: nobody answered within `agent.approvalExpiryEpochs`; its intent was closed (never sent). */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired';

/** When a request expired, from its hash-chained `approval` entries (the request's and the expiry's). */
export type ApprovalExpiry = {
  approvalId: string;
  /** The epoch the request was made in (its request entry's epoch). */
  requestedEpoch: number;
  /** The epoch the agent expired it in (its expiry entry's epoch). */
  expiredAtEpoch: number;
  /** The expiry entry's time (ms since the Unix epoch) and seq. */
  expiredAt: number;
  seq: number;
  /** Why, as the agent recorded it ("unanswered at epoch …" or "approved but not sent by its deadline …"). */
  reason: string;
};

export type ApprovalRow = {
  id: string;
  intentKey: Hex;
  calldataHash: Hex;
  status: ApprovalStatus;
  used: boolean;
  payload: unknown;
  decidedBy: string | null;
  createdAt: number;
  updatedAt: number;
};

export type HaltState = { halted: false } | { halted: true; reason: string; details: unknown; since: number };

export type VerifyIssue = {
  seq: number;
  problem:
    | 'missing'
    | 'content-mismatch'
    | 'broken-link'
    | 'reordered'
    | 'not-canonical'
    | 'anchor-mismatch'
    | 'truncated';
  detail: string;
};

export type VerifyReport = {
  /** No chain issue and no side-table issue. */
  ok: boolean;
  entries: number;
  head: JournalHead;
  /** Problems of the hash chain (`entries`), by seq. */
  issues: VerifyIssue[];
  /** Side-table values (intents, approvals, tx_records, the halt state) that differ from what the entries determine. */
  tables: TableIssue[];
};

export type OpenJournalOptions = {
  /** Clock (ms); injectable for deterministic tests. */
  now?: (() => number) | undefined;
  readonly?: boolean | undefined;
  /**
   * The agent opens its journal for a run with this set: the hash chain and the side tables are
   * verified first, and a journal that fails is closed and refused with JournalTamperedError, before
   * anything is appended. Read-only inspection (`audit verify`, `agent status`) leaves it unset.
   */
  requireIntact?: boolean | undefined;
};

export type Journal = {
  readonly path: string;
  /** Appends one hash-chained entry; durable when it returns (WAL, synchronous=FULL). */
  append(entry: AppendEntry): JournalEntry;
  entries(filter?: { fromSeq?: number; kind?: EntryKind; key?: Hex; limit?: number }): JournalEntry[];
  /** Last entry's seq and hash (seq 0 and the zero hash when empty): anchor it outside the file. */
  head(): JournalHead;
  verify(options?: { anchor?: JournalHead | undefined }): VerifyReport;
  currentEpoch(): number;
  setEpoch(epoch: number): void;
  intents: {
    record(input: {
      key: Hex;
      kind: string;
      payload: unknown;
      status?: IntentStatus;
      epoch?: number;
    }): IntentRow;
    get(key: Hex): IntentRow | undefined;
    setStatus(key: Hex, status: IntentStatus, note?: string | undefined): IntentRow;
    list(filter?: { status?: IntentStatus; kind?: string }): IntentRow[];
  };
  approvals: {
    request(input: { intentKey: Hex; calldataHash: Hex; payload: unknown; id?: string }): ApprovalRow;
    get(id: string): ApprovalRow | undefined;
    list(filter?: { status?: ApprovalStatus; used?: boolean }): ApprovalRow[];
    approve(id: string, by: string): ApprovalRow;
    reject(id: string, by: string, reason: string): ApprovalRow;
    /** Marks an approved, unused approval for exactly this calldata hash as used; throws ApprovalError otherwise. */
    consume(id: string, calldataHash: Hex): ApprovalRow;
    /**
     * A request nobody answered in time (pending), or approved but not sent by its deadline (unused): in one
     * transaction the row becomes `expired`, an `approval` entry records it (with the epoch it was requested
     * in and `epoch`), and its intent is closed (`failed`, never sent). Idempotent: an already expired
     * request is returned unchanged. Throws ApprovalError for a rejected request or a used approval.
     */
    expire(id: string, input: { epoch: number; reason: string }): ApprovalRow;
    /** When an expired request expired (from its entries); undefined when it did not expire. */
    expiry(id: string): ApprovalExpiry | undefined;
    /** The epoch the request was made in: its `pending` entry's epoch (hash-chained); undefined without one. */
    requestedEpoch(id: string): number | undefined;
  };
  state: {
    halt(reason: string, details?: unknown): void;
    resume(by: string): void;
    halted(): HaltState;
    lastEpoch(): number | null;
    setLastEpoch(epoch: number): void;
    get<T = unknown>(name: string): T | undefined;
    set(name: string, value: unknown): void;
    /**
     * Sets a value a halt depends on (the drawdown peak, the consecutive-refusal counts) and, when it
     * changed, journals it as a `state` entry in the same transaction, so `audit verify` (and a run's
     * `requireIntact` open) catches an edit of the stored value.
     */
    setChained(name: string, value: unknown): void;
  };
  /** The transaction manager's store, journaling every transition as `tx` / `receipt` entries. */
  txStore(): TxStore;
  close(): void;
  /** The underlying connection: for the SQLite store and tests; the rest of the agent uses the typed functions. */
  readonly db: Database.Database;
};

/** Bigints become decimal strings, so payloads survive the JSON round trip and hash the same. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === 'object') {
    if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  }
  return value;
}

/** An `intents` row as SQLite returns it. */
export type IntentDbRow = {
  key: string;
  kind: string;
  status: string;
  epoch: number;
  payload: string;
  note: string | null;
  created_at: number;
  updated_at: number;
};

/** An `approvals` row as SQLite returns it. */
export type ApprovalDbRow = {
  id: string;
  intent_key: string;
  calldata_hash: string;
  status: string;
  used: number;
  payload: string;
  decided_by: string | null;
  created_at: number;
  updated_at: number;
};

/** An `entries` row as SQLite returns it. */
export type EntryRow = {
  seq: number;
  time: number;
  epoch: number;
  kind: string;
  key: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
};

/** keccak256 over the canonical JSON array [seq, time, epoch, kind, key, payload, prev_hash]. */
export function entryHash(row: Omit<EntryRow, 'hash'>): Hex {
  return keccak256(
    stringToBytes(
      canonicalJson([row.seq, row.time, row.epoch, row.kind, row.key, row.payload, row.prev_hash]),
    ),
  );
}

const toEntry = (row: EntryRow): JournalEntry => ({
  seq: row.seq,
  time: row.time,
  epoch: row.epoch,
  kind: row.kind as EntryKind,
  key: row.key as Hex | null,
  payload: JSON.parse(row.payload),
  prevHash: row.prev_hash as Hex,
  hash: row.hash as Hex,
});

/**
 * Opens (creating if needed) the agent's journal: SQLite in WAL mode with synchronous=FULL, so an
 * entry is on disk when `append` returns even if the process is killed right after.
 */
export function openJournal(path: string, options: OpenJournalOptions = {}): Journal {
  const now = options.now ?? Date.now;
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path, { readonly: options.readonly ?? false });
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.exec(SCHEMA);
      const version = db.prepare('SELECT value FROM meta WHERE name = ?').get('schema_version') as
        | { value: string }
        | undefined;
      if (!version)
        db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run(
          'schema_version',
          String(SCHEMA_VERSION),
        );
      else if (Number(version.value) !== SCHEMA_VERSION)
        throw new JournalOpenError(
          path,
          `schema version ${version.value}, this build reads ${SCHEMA_VERSION}`,
        );
    }
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    if (error instanceof JournalOpenError) throw error;
    throw new JournalOpenError(path, (error as Error).message, error);
  }

  const lastRow = db.prepare('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1');
  const insertEntry = db.prepare(
    'INSERT INTO entries (seq, time, epoch, kind, key, payload, prev_hash, hash) VALUES (@seq, @time, @epoch, @kind, @key, @payload, @prev_hash, @hash)',
  );
  const kvGet = db.prepare('SELECT value FROM kv WHERE name = ?');
  const kvSet = db.prepare(
    'INSERT INTO kv (name, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
  );

  const head = (): JournalHead => {
    const row = lastRow.get() as { seq: number; hash: Hex } | undefined;
    return row ? { seq: row.seq, hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  };

  const getValue = <T>(name: string): T | undefined => {
    const row = kvGet.get(name) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  };
  const setValue = (name: string, value: unknown) => kvSet.run(name, canonicalJson(jsonSafe(value)), now());

  let epochCache: number | undefined;
  const currentEpoch = () => {
    epochCache ??= getValue<number>('epoch.current') ?? 0;
    return epochCache;
  };

  /** `time`: the clock reading the caller also wrote to its side-table row (one reading for both). */
  const appendInTx = (entry: AppendEntry, time?: number): JournalEntry => {
    const previous = head();
    const row: Omit<EntryRow, 'hash'> = {
      seq: previous.seq + 1,
      time: time ?? now(),
      epoch: entry.epoch ?? currentEpoch(),
      kind: entry.kind,
      key: entry.key ? entry.key.toLowerCase() : null,
      payload: canonicalJson(jsonSafe(entry.payload ?? null)),
      prev_hash: previous.hash,
    };
    const full = { ...row, hash: entryHash(row) };
    insertEntry.run(full);
    return toEntry(full);
  };
  const append = db.transaction(appendInTx);

  const entries: Journal['entries'] = (filter = {}) => {
    const where: string[] = ['seq >= @fromSeq'];
    if (filter.kind) where.push('kind = @kind');
    if (filter.key) where.push('key = @key');
    const rows = db
      .prepare(`SELECT * FROM entries WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`)
      .all({
        fromSeq: filter.fromSeq ?? 0,
        kind: filter.kind ?? null,
        key: filter.key?.toLowerCase() ?? null,
        limit: filter.limit ?? -1,
      }) as EntryRow[];
    return rows.map(toEntry);
  };

  // ---- intents
  const toIntent = (r: IntentDbRow): IntentRow => ({
    key: r.key as Hex,
    kind: r.kind,
    status: r.status as IntentStatus,
    epoch: r.epoch,
    payload: JSON.parse(r.payload),
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  const intentGet = (key: Hex) => {
    const r = db.prepare('SELECT * FROM intents WHERE key = ?').get(key.toLowerCase()) as
      | IntentDbRow
      | undefined;
    return r ? toIntent(r) : undefined;
  };
  const intents: Journal['intents'] = {
    record: db.transaction((input: Parameters<Journal['intents']['record']>[0]) => {
      const existing = intentGet(input.key);
      if (existing) return existing;
      const t = now();
      const epoch = input.epoch ?? currentEpoch();
      const status = input.status ?? 'decided';
      db.prepare(
        'INSERT INTO intents (key, kind, status, epoch, payload, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)',
      ).run(input.key.toLowerCase(), input.kind, status, epoch, canonicalJson(jsonSafe(input.payload)), t, t);
      appendInTx(
        {
          kind: 'intent',
          key: input.key,
          epoch,
          payload: { kind: input.kind, status, intent: input.payload },
        },
        t,
      );
      return intentGet(input.key) as IntentRow;
    }),
    get: intentGet,
    setStatus: db.transaction((key: Hex, status: IntentStatus, note?: string) => {
      const existing = intentGet(key);
      if (!existing) throw new JournalNotFoundError('intent', key);
      const t = now();
      db.prepare('UPDATE intents SET status = ?, note = ?, updated_at = ? WHERE key = ?').run(
        status,
        note ?? null,
        t,
        key.toLowerCase(),
      );
      appendInTx({ kind: 'intent', key, payload: { status, from: existing.status, note: note ?? null } }, t);
      return intentGet(key) as IntentRow;
    }),
    list: (filter = {}) => {
      // Filtered in SQL: a kind's few rows (e.g. the anchors, read every epoch) without parsing every intent.
      const where = [
        ...(filter.status ? [['status = ?', filter.status]] : []),
        ...(filter.kind ? [['kind = ?', filter.kind]] : []),
      ] as [string, string][];
      const sql = `SELECT * FROM intents${where.length ? ` WHERE ${where.map(([c]) => c).join(' AND ')}` : ''} ORDER BY created_at, key`;
      return (db.prepare(sql).all(...where.map(([, v]) => v)) as IntentDbRow[]).map(toIntent);
    },
  };

  // ---- approvals
  const toApproval = (r: ApprovalDbRow): ApprovalRow => ({
    id: r.id,
    intentKey: r.intent_key as Hex,
    calldataHash: r.calldata_hash as Hex,
    status: r.status as ApprovalStatus,
    used: r.used === 1,
    payload: JSON.parse(r.payload),
    decidedBy: r.decided_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  const approvalGet = (id: string) => {
    const r = db.prepare('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalDbRow | undefined;
    return r ? toApproval(r) : undefined;
  };
  const approvalMustGet = (id: string) => {
    const a = approvalGet(id);
    if (!a) throw new JournalNotFoundError('approval', id);
    return a;
  };
  const approvalEntries = (a: ApprovalRow) =>
    entries({ kind: 'approval', key: a.intentKey }).filter(
      (e) => (e.payload as { id?: unknown }).id === a.id,
    );
  /** The request's entry with `status`: `pending` is the request itself (its epoch: when it was made). */
  const approvalEntry = (a: ApprovalRow, status: ApprovalStatus) =>
    approvalEntries(a).find((e) => (e.payload as { status?: unknown }).status === status);
  const approvalExpiry = (id: string): ApprovalExpiry | undefined => {
    const a = approvalGet(id);
    if (!a) return undefined;
    const requested = approvalEntry(a, 'pending');
    const expired = approvalEntry(a, 'expired');
    if (!expired) return undefined;
    return {
      approvalId: id,
      requestedEpoch: requested?.epoch ?? expired.epoch,
      expiredAtEpoch: expired.epoch,
      expiredAt: expired.time,
      seq: expired.seq,
      reason: String((expired.payload as { reason?: unknown }).reason ?? ''),
    };
  };
  const decide = (id: string, status: ApprovalStatus, by: string, extra: Record<string, unknown>) => {
    const a = approvalMustGet(id);
    if (a.status === 'expired') {
      const expiry = approvalExpiry(id);
      throw new ApprovalExpiredError(id, {
        requestedEpoch: expiry?.requestedEpoch ?? 0,
        expiredAtEpoch: expiry?.expiredAtEpoch ?? 0,
        expiredAt: expiry?.expiredAt ?? a.updatedAt,
      });
    }
    if (a.status !== 'pending') throw new ApprovalError(id, `it is already ${a.status}`);
    const t = now();
    db.prepare('UPDATE approvals SET status = ?, decided_by = ?, updated_at = ? WHERE id = ?').run(
      status,
      by,
      t,
      id,
    );
    appendInTx(
      {
        kind: 'approval',
        key: a.intentKey,
        payload: { id, status, by, calldataHash: a.calldataHash, ...extra },
      },
      t,
    );
    return approvalMustGet(id);
  };
  const approvals: Journal['approvals'] = {
    request: db.transaction((input: Parameters<Journal['approvals']['request']>[0]) => {
      const id = input.id ?? randomUUID();
      const t = now();
      db.prepare(
        'INSERT INTO approvals (id, intent_key, calldata_hash, status, used, payload, decided_by, created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, NULL, ?, ?)',
      ).run(
        id,
        input.intentKey.toLowerCase(),
        input.calldataHash.toLowerCase(),
        'pending',
        canonicalJson(jsonSafe(input.payload)),
        t,
        t,
      );
      appendInTx(
        {
          kind: 'approval',
          key: input.intentKey,
          payload: {
            id,
            status: 'pending',
            calldataHash: input.calldataHash.toLowerCase(),
            request: input.payload,
          },
        },
        t,
      );
      return approvalMustGet(id);
    }),
    get: approvalGet,
    list: (filter = {}) =>
      (db.prepare('SELECT * FROM approvals ORDER BY created_at, id').all() as ApprovalDbRow[])
        .map(toApproval)
        .filter((a) => (filter.status ? a.status === filter.status : true))
        .filter((a) => (filter.used === undefined ? true : a.used === filter.used)),
    approve: db.transaction((id: string, by: string) => decide(id, 'approved', by, {})),
    reject: db.transaction((id: string, by: string, reason: string) =>
      decide(id, 'rejected', by, { reason }),
    ),
    consume: db.transaction((id: string, calldataHash: Hex) => {
      const a = approvalGet(id);
      if (!a) throw new ApprovalError(id, 'no such approval');
      if (a.status !== 'approved') throw new ApprovalError(id, `it is ${a.status}, not approved`);
      if (a.used) throw new ApprovalError(id, 'it was already used (an approval cannot be replayed)');
      if (a.calldataHash !== calldataHash.toLowerCase())
        throw new ApprovalError(
          id,
          `it approves calldata ${a.calldataHash}, not ${calldataHash.toLowerCase()}`,
        );
      const t = now();
      db.prepare('UPDATE approvals SET used = 1, updated_at = ? WHERE id = ?').run(t, id);
      appendInTx(
        { kind: 'approval', key: a.intentKey, payload: { id, status: 'used', calldataHash: a.calldataHash } },
        t,
      );
      return approvalMustGet(id);
    }),
    expire: db.transaction((id: string, input: { epoch: number; reason: string }) => {
      const a = approvalMustGet(id);
      if (a.status === 'expired') return a;
      // A pending request, or one approved but never sent (its approval not used): a used approval's
      // transaction is on its way and settles on-chain; a rejected one is decided.
      if (a.status !== 'pending' && !(a.status === 'approved' && !a.used))
        throw new ApprovalError(
          id,
          `it is ${a.status}${a.used ? ' and used' : ''}: only a pending request, or an approved one not yet sent, expires`,
        );
      const requested = approvalEntry(a, 'pending');
      const t = now();
      db.prepare('UPDATE approvals SET status = ?, decided_by = ?, updated_at = ? WHERE id = ?').run(
        'expired',
        'agent',
        t,
        id,
      );
      appendInTx(
        {
          kind: 'approval',
          key: a.intentKey,
          epoch: input.epoch,
          payload: {
            id,
            status: 'expired',
            by: 'agent',
            calldataHash: a.calldataHash,
            requestedEpoch: requested?.epoch ?? null,
            expiredAtEpoch: input.epoch,
            reason: input.reason,
          },
        },
        t,
      );
      // Closed in the same transaction: never sent, and it holds nothing back any more.
      const intent = intentGet(a.intentKey);
      if (intent && ['decided', 'awaiting-approval', 'approved'].includes(intent.status))
        intents.setStatus(
          a.intentKey,
          'failed',
          `approval ${id} expired at epoch ${input.epoch}: ${input.reason}`,
        );
      return approvalMustGet(id);
    }),
    expiry: approvalExpiry,
    requestedEpoch: (id) => {
      const a = approvalGet(id);
      return a ? (approvalEntry(a, 'pending')?.epoch ?? undefined) : undefined;
    },
  };

  // ---- agent state
  const state: Journal['state'] = {
    halt: db.transaction((reason: string, details?: unknown) => {
      const since = now();
      setValue('halt', { halted: true, reason, details: details ?? null, since });
      appendInTx({ kind: 'halt', payload: { reason, details: details ?? null } }, since);
    }),
    resume: db.transaction((by: string) => {
      const previous = getValue<HaltState>('halt');
      setValue('halt', { halted: false });
      appendInTx({ kind: 'resume', payload: { by, previous: previous ?? null } });
    }),
    halted: () => getValue<HaltState>('halt') ?? { halted: false },
    lastEpoch: () => getValue<number>('epoch.last') ?? null,
    setLastEpoch: (epoch: number) => {
      setValue('epoch.last', epoch);
    },
    get: getValue,
    set: (name, value) => {
      setValue(name, value);
    },
    setChained: db.transaction((name: string, value: unknown) => {
      const safe = jsonSafe(value);
      if (canonicalJson(jsonSafe(getValue(name)) ?? null) === canonicalJson(safe ?? null)) return;
      setValue(name, value);
      appendInTx({ kind: 'state', payload: { name, value: safe } });
    }),
  };

  let txStore: TxStore | undefined;
  const journal: Journal = {
    path,
    db,
    append: (entry) => append(entry),
    entries,
    head,
    verify: (options = {}) => verifyJournal(journal, options),
    currentEpoch,
    setEpoch: (epoch: number) => {
      setValue('epoch.current', epoch);
      epochCache = epoch;
    },
    intents,
    approvals,
    state,
    txStore: () => {
      txStore ??= createSqliteTxStore(db, { appendInTx, now });
      return txStore;
    },
    close: () => db.close(),
  };
  if (options.requireIntact) {
    let report: VerifyReport;
    try {
      report = verifyJournal(journal);
    } catch (error) {
      db.close();
      throw new JournalOpenError(path, (error as Error).message, error);
    }
    if (!report.ok) {
      db.close();
      throw new JournalTamperedError(path, report);
    }
  }
  return journal;
}

/**
 * Checks the hash chain of `entries` and names every row that was edited, removed or reordered.
 * A row edited in place no longer hashes to its stored hash; a removed row leaves a gap in seq and a
 * broken link; a moved row links to the wrong predecessor. Removing rows from the END (truncation)
 * leaves a valid shorter chain: it is only detectable against an external anchor — pass the last
 * `head()` recorded elsewhere (e.g. in a provenance manifest or on-chain) as `anchor`.
 */
export function verifyJournal(
  journal: Pick<Journal, 'db'>,
  options: { anchor?: JournalHead | undefined } = {},
): VerifyReport {
  // One read transaction: the entries and the side tables from one snapshot. Read one by one, a commit by
  // a running agent between them (WAL) left a side-table row without its entry: a false "tampered".
  const { db } = journal;
  if (db.inTransaction) return verifyJournalSnapshot(journal, options);
  return db.transaction(() => verifyJournalSnapshot(journal, options))();
}

function verifyJournalSnapshot(
  journal: Pick<Journal, 'db'>,
  options: { anchor?: JournalHead | undefined },
): VerifyReport {
  const rows = journal.db.prepare('SELECT * FROM entries ORDER BY seq').all() as EntryRow[];
  const issues: VerifyIssue[] = [];
  const seqByHash = new Map<string, number>();
  for (const row of rows) seqByHash.set(row.hash, row.seq);
  let expected = 1;
  let previousHash: string = GENESIS_HASH;
  let gapBefore = false;
  let previousMoved = false;
  for (const row of rows) {
    gapBefore = false;
    if (row.seq > expected) {
      const missing = expected === row.seq - 1 ? `seq ${expected}` : `seq ${expected}..${row.seq - 1}`;
      issues.push({
        seq: expected,
        problem: 'missing',
        detail: `${missing} missing: the row(s) were removed`,
      });
      gapBefore = true;
    }
    let canonical = true;
    try {
      canonical = canonicalJson(JSON.parse(row.payload)) === row.payload;
    } catch {
      canonical = false;
    }
    if (!canonical)
      issues.push({ seq: row.seq, problem: 'not-canonical', detail: 'payload is not canonical JSON' });
    const recomputed = entryHash(row);
    const linkedSeq = seqByHash.get(row.prev_hash);
    if (recomputed !== row.hash) {
      // A row moved from elsewhere still hashes correctly under its original seq.
      const originalSeq = findOriginalSeq(row, rows.length);
      if (originalSeq !== undefined)
        issues.push({
          seq: row.seq,
          problem: 'reordered',
          detail: `the row at seq ${row.seq} is the entry written as seq ${originalSeq} (rows were reordered)`,
        });
      else
        issues.push({
          seq: row.seq,
          problem: 'content-mismatch',
          detail: `contents (time, epoch, kind, key or payload) hash to ${recomputed}, stored hash is ${row.hash}: the row was edited`,
        });
    } else if (row.prev_hash !== previousHash && !previousMoved) {
      issues.push({
        seq: row.seq,
        problem: 'broken-link',
        detail: gapBefore
          ? `prev_hash does not match the entry before it: the preceding row(s) were removed`
          : `prev_hash ${row.prev_hash} does not match the hash of seq ${row.seq - 1} (${previousHash}): seq ${row.seq - 1} was rewritten${linkedSeq !== undefined ? `, or rows were reordered (it links to seq ${linkedSeq})` : ''}`,
      });
    }
    // After a moved row, the next link is broken as a consequence; the move is already named.
    previousMoved = issues.at(-1)?.seq === row.seq && issues.at(-1)?.problem === 'reordered';
    previousHash = row.hash;
    expected = row.seq + 1;
  }
  const last = rows[rows.length - 1];
  const head: JournalHead = last ? { seq: last.seq, hash: last.hash as Hex } : { seq: 0, hash: GENESIS_HASH };
  const anchor = options.anchor;
  if (anchor && anchor.seq > 0) {
    const anchored = rows.find((r) => r.seq === anchor.seq);
    if (head.seq < anchor.seq)
      issues.push({
        seq: anchor.seq,
        problem: 'truncated',
        detail: `the anchor names seq ${anchor.seq} but the journal ends at seq ${head.seq}: entries were removed from the end`,
      });
    else if (!anchored || anchored.hash !== anchor.hash.toLowerCase())
      issues.push({
        seq: anchor.seq,
        problem: 'anchor-mismatch',
        detail: `the anchor says seq ${anchor.seq} has hash ${anchor.hash}, the journal has ${anchored?.hash ?? 'no such row'}`,
      });
  }
  const tables = checkSideTables(journal.db, rows);
  return { ok: issues.length === 0 && tables.length === 0, entries: rows.length, head, issues, tables };
}

/** The seq under which a moved row was written: the seq (nearest first) under which its contents hash to its stored hash. */
function findOriginalSeq(row: EntryRow, count: number): number | undefined {
  const limit = Math.min(Math.max(count, row.seq) + 1, 10_000);
  for (let distance = 1; distance <= limit; distance++) {
    for (const seq of [row.seq - distance, row.seq + distance]) {
      if (seq >= 1 && entryHash({ ...row, seq }) === row.hash) return seq;
    }
  }
  return undefined;
}
