import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIELD_P } from './poseidon.js';
import { snarkjs } from './snarkjs.js';

/**
 * Witness tools: compute a witness with the circuit's wasm, read and write `.wtns` files, map signal
 * names to witness indices (`.sym`), and check a (possibly hand-built) witness against the r1cs with
 * snarkjs `wtns check`. Used by the soundness tests and `zk info`.
 */
const N8 = 32;

function le(value: bigint): Uint8Array {
  const out = new Uint8Array(N8);
  let v = value;
  for (let i = 0; i < N8; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function fromLe(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return v;
}

/** Parses a `.wtns` file (format version 2) into its values. */
export function readWtns(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== 'wtns') throw new Error('readWtns: not a wtns file');
  const nSections = view.getUint32(8, true);
  let pos = 12;
  let n8 = N8;
  let count = 0;
  let values: bigint[] = [];
  for (let s = 0; s < nSections; s++) {
    const type = view.getUint32(pos, true);
    const size = Number(view.getBigUint64(pos + 4, true));
    const data = pos + 12;
    if (type === 1) {
      n8 = view.getUint32(data, true);
      count = view.getUint32(data + 4 + n8, true);
    } else if (type === 2) {
      values = Array.from({ length: count }, (_, i) =>
        fromLe(bytes.subarray(data + i * n8, data + (i + 1) * n8)),
      );
    }
    pos = data + size;
  }
  return values;
}

/** Serialises witness values as a `.wtns` file (version 2, BN254). */
export function writeWtns(values: readonly bigint[]): Uint8Array {
  const header = 4 + N8 + 4;
  const out = new Uint8Array(12 + 12 + header + 12 + N8 * values.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode('wtns'), 0);
  view.setUint32(4, 2, true);
  view.setUint32(8, 2, true);
  let pos = 12;
  view.setUint32(pos, 1, true);
  view.setBigUint64(pos + 4, BigInt(header), true);
  view.setUint32(pos + 12, N8, true);
  out.set(le(FIELD_P), pos + 16);
  view.setUint32(pos + 16 + N8, values.length, true);
  pos += 12 + header;
  view.setUint32(pos, 2, true);
  view.setBigUint64(pos + 4, BigInt(N8 * values.length), true);
  for (let i = 0; i < values.length; i++)
    out.set(le(((values[i]! % FIELD_P) + FIELD_P) % FIELD_P), pos + 12 + i * N8);
  return out;
}

/** Signal name (e.g. `main.d0.fs[3].y`) → witness index, from a circom `.sym` file. Eliminated signals are left out. */
export function readSym(path: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const parts = line.split(',');
    if (parts.length < 4) continue;
    const idx = Number(parts[1]);
    if (idx >= 0) map.set(parts.slice(3).join(','), idx);
  }
  return map;
}

/** Computes the full witness for `input` with the circuit's wasm witness generator. */
export async function calculateWitness(wasm: string, input: Record<string, unknown>): Promise<bigint[]> {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-wtns-'));
  try {
    const file = join(dir, 'w.wtns');
    await snarkjs.wtns.calculate(input, wasm, file);
    return readWtns(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when `witness` satisfies every constraint of `r1cs` (snarkjs `wtns check`). */
export async function checkWitness(r1cs: string, witness: readonly bigint[]): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-wtns-'));
  try {
    const file = join(dir, 'w.wtns');
    writeFileSync(file, writeWtns(witness));
    // snarkjs calls logger.warn unguarded on failure: always pass a (silent) logger.
    const silent = { info: () => {}, debug: () => {}, warn: () => {}, error: () => {} };
    return await snarkjs.wtns.check(r1cs, file, silent);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
