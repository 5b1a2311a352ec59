import type Database from 'better-sqlite3';
import type { Address, Hex } from 'viem';
import type { TxAttempt, TxRecord, TxRecordPatch, TxStatus, TxStore } from '../../chain/index.js';
import type { AppendEntry, JournalEntry } from './journal.js';

/** A `tx_records` row as SQLite returns it. */
export type TxDbRow = {
  key: string;
  label: string;
  chain_id: number;
  from_address: string;
  nonce: number;
  to_address: string;
  data: string;
  value: string;
  gas: string;
  status: string;
  attempts: string;
  mined_hash: string | null;
  block_number: string | null;
  gas_used: string | null;
  effective_gas_price: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
};

type StoredAttempt = Omit<TxAttempt, 'maxFeePerGas' | 'maxPriorityFeePerGas'> & {
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
};

const big = (x: string | null) => (x === null ? null : BigInt(x));

const toRecord = (r: TxDbRow): TxRecord => ({
  key: r.key as Hex,
  label: r.label,
  chainId: r.chain_id,
  from: r.from_address as Address,
  nonce: r.nonce,
  to: r.to_address as Address,
  data: r.data as Hex,
  value: BigInt(r.value),
  gas: BigInt(r.gas),
  status: r.status as TxStatus,
  attempts: (JSON.parse(r.attempts) as StoredAttempt[]).map((a) => ({
    ...a,
    maxFeePerGas: BigInt(a.maxFeePerGas),
    maxPriorityFeePerGas: BigInt(a.maxPriorityFeePerGas),
  })),
  minedHash: r.mined_hash as Hex | null,
  blockNumber: big(r.block_number),
  gasUsed: big(r.gas_used),
  effectiveGasPrice: big(r.effective_gas_price),
  error: r.error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const attemptsJson = (attempts: readonly TxAttempt[]) =>
  JSON.stringify(
    attempts.map((a) => ({
      ...a,
      maxFeePerGas: a.maxFeePerGas.toString(),
      maxPriorityFeePerGas: a.maxPriorityFeePerGas.toString(),
    })),
  );

const FINAL: readonly TxStatus[] = ['mined', 'reverted', 'replaced', 'failed'];

/**
 * The transaction manager's TxStore on the journal's SQLite file. Each call is one SQLite
 * transaction that updates `tx_records` / `tx_nonces` AND appends the matching journal entry
 * (`tx` for reserved / signed / broadcast / fee bump, `receipt` for a final outcome), so the
 * audit trail and the manager's state never disagree.
 */
export function createSqliteTxStore(
  db: Database.Database,
  journal: { appendInTx: (entry: AppendEntry) => JournalEntry; now: () => number },
): TxStore {
  const address = (a: string) => a.toLowerCase();
  const getRow = db.prepare('SELECT * FROM tx_records WHERE key = ?');
  const getNonce = db.prepare('SELECT next_nonce FROM tx_nonces WHERE chain_id = ? AND from_address = ?');
  const setNonce = db.prepare(
    'INSERT INTO tx_nonces (chain_id, from_address, next_nonce) VALUES (?, ?, ?) ON CONFLICT(chain_id, from_address) DO UPDATE SET next_nonce = excluded.next_nonce',
  );
  const get = (key: Hex) => {
    const row = getRow.get(key.toLowerCase()) as TxDbRow | undefined;
    return row ? toRecord(row) : undefined;
  };
  const nextNonce = (chainId: number, from: Address) =>
    (getNonce.get(chainId, address(from)) as { next_nonce: number } | undefined)?.next_nonce;

  const reserve = db.transaction((input: Parameters<TxStore['reserve']>[0]) => {
    const existing = get(input.key);
    if (existing) return { record: existing, created: false };
    const nonce = nextNonce(input.chainId, input.from) ?? 0;
    db.prepare(
      `INSERT INTO tx_records (key, label, chain_id, from_address, nonce, to_address, data, value, gas, status, attempts,
        mined_hash, block_number, gas_used, effective_gas_price, error, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'reserved', '[]', NULL, NULL, NULL, NULL, NULL, ?, ?)`,
    ).run(
      input.key.toLowerCase(),
      input.label,
      input.chainId,
      address(input.from),
      nonce,
      address(input.to),
      input.data,
      input.value.toString(),
      input.gas.toString(),
      input.createdAt,
      input.createdAt,
    );
    setNonce.run(input.chainId, address(input.from), nonce + 1);
    journal.appendInTx({
      kind: 'tx',
      key: input.key,
      payload: {
        event: 'reserved',
        label: input.label,
        chainId: input.chainId,
        from: address(input.from),
        nonce,
        to: address(input.to),
        data: input.data,
        value: input.value,
        gas: input.gas,
      },
    });
    return { record: get(input.key) as TxRecord, created: true };
  });

  const update = db.transaction((key: Hex, patch: TxRecordPatch, now: number) => {
    const before = get(key);
    if (!before) throw new Error(`tx store: no record for ${key}`);
    const after: TxRecord = { ...before, ...patch, updatedAt: now };
    db.prepare(
      `UPDATE tx_records SET nonce = ?, status = ?, attempts = ?, mined_hash = ?, block_number = ?, gas_used = ?,
        effective_gas_price = ?, error = ?, updated_at = ? WHERE key = ?`,
    ).run(
      after.nonce,
      after.status,
      attemptsJson(after.attempts),
      after.minedHash,
      after.blockNumber?.toString() ?? null,
      after.gasUsed?.toString() ?? null,
      after.effectiveGasPrice?.toString() ?? null,
      after.error,
      now,
      key.toLowerCase(),
    );
    // Journal what changed: new signed attempts, broadcasts, and the final outcome.
    for (const attempt of after.attempts.slice(before.attempts.length)) {
      journal.appendInTx({
        kind: 'tx',
        key,
        payload: {
          event: before.attempts.length === 0 && attempt === after.attempts[0] ? 'signed' : 'resigned',
          nonce: after.nonce,
          hash: attempt.hash,
          kind: attempt.kind,
          maxFeePerGas: attempt.maxFeePerGas,
          maxPriorityFeePerGas: attempt.maxPriorityFeePerGas,
        },
      });
    }
    after.attempts.forEach((attempt, i) => {
      const old = before.attempts[i];
      if (attempt.broadcastAt !== null && (!old || old.broadcastAt === null))
        journal.appendInTx({
          kind: 'tx',
          key,
          payload: { event: 'broadcast', nonce: after.nonce, hash: attempt.hash },
        });
    });
    if (FINAL.includes(after.status) && !FINAL.includes(before.status)) {
      journal.appendInTx({
        kind: 'receipt',
        key,
        payload: {
          status: after.status,
          nonce: after.nonce,
          hash: after.minedHash,
          blockNumber: after.blockNumber,
          gasUsed: after.gasUsed,
          effectiveGasPrice: after.effectiveGasPrice,
          error: after.error,
          hashes: after.attempts.map((a) => a.hash),
        },
      });
    }
    return get(key) as TxRecord;
  });

  const reserveMany = db.transaction((inputs: Parameters<TxStore['reserveMany']>[0]) =>
    inputs.map((input) => reserve(input)),
  );
  const updateMany = db.transaction((updates: Parameters<TxStore['updateMany']>[0], now: number) =>
    updates.map(({ key, patch }) => update(key, patch, now)),
  );
  return {
    reserve: (input) => reserve(input),
    reserveMany: (inputs) => reserveMany(inputs),
    get,
    update: (key, patch, now) => update(key, patch, now),
    updateMany: (updates, now) => updateMany(updates, now),
    pending: (chainId, from) =>
      (
        db
          .prepare(
            `SELECT * FROM tx_records WHERE chain_id = ? AND from_address = ?
             AND status NOT IN ('mined', 'reverted', 'replaced', 'failed') ORDER BY nonce`,
          )
          .all(chainId, address(from)) as TxDbRow[]
      ).map(toRecord),
    nextNonce,
    syncNonce: db.transaction((chainId: number, from: Address, chainNonce: number) => {
      const next = Math.max(nextNonce(chainId, from) ?? 0, chainNonce);
      setNonce.run(chainId, address(from), next);
      return next;
    }),
    releaseNonce: db.transaction((chainId: number, from: Address, nonce: number) => {
      if (nextNonce(chainId, from) !== nonce + 1) return false;
      setNonce.run(chainId, address(from), nonce);
      return true;
    }),
  };
}
