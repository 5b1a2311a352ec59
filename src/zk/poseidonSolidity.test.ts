import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { accumulatorChain } from './accumulator.js';
import { FIELD_P, poseidon } from './poseidon.js';
import {
  CHAIN_ANSWERS,
  POSEIDON_T3_PATH,
  POSEIDON_VECTORS_PATH,
  poseidonT3Source,
  poseidonVectorsSource,
  vectorInputs,
} from './poseidonSolidity.js';
import { REPO_ROOT } from './setup.js';

const committed = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const REGENERATE = 'stale: run `npx tsx src/zk/poseidonSolidity.ts --write`';

/** The hex literals of lines `<name>[i][j] = 0x…;` / `<name>[i] = …;` in the committed vectors file. */
function literals(source: string, pattern: RegExp): bigint[] {
  return [...source.matchAll(pattern)].map((m) => BigInt(m[1]!.replaceAll('_', '')));
}

describe('poseidonT3Source', () => {
  test('the committed PoseidonT3.sol is the generator output', () => {
    expect(committed(POSEIDON_T3_PATH) === poseidonT3Source(), REGENERATE).toBe(true);
  });

  test('embeds circomlib constants: the field, 8 full + 57 partial rounds', () => {
    const src = poseidonT3Source();
    expect(src).toContain(`uint256 internal constant FIELD_P = 0x${FIELD_P.toString(16).padStart(64, '0')};`);
    expect(src.match(/\/\/ full round \d/g)).toHaveLength(8);
    expect(src.match(/\/\/ partial round \d+/g)).toHaveLength(57);
    expect(src).toMatch(/^\/\/ SPDX-License-Identifier: MIT\n\/\/ GENERATED .*do not edit/);
  });
});

describe('poseidonVectorsSource', () => {
  const source = committed(POSEIDON_VECTORS_PATH);

  test('the committed PoseidonVectors.sol is the generator output', () => {
    expect(source === poseidonVectorsSource(), REGENERATE).toBe(true);
  });

  test('its hash triples are fresh TypeScript poseidon([x, y]) values', () => {
    const flat = literals(source, /v\[\d+\]\[\d\] = (0x[0-9a-f]+);/g);
    expect(flat).toHaveLength(vectorInputs().length * 3);
    for (let i = 0; i < flat.length; i += 3) {
      expect(flat[i + 2], `vector ${i / 3}`).toBe(poseidon([flat[i]!, flat[i + 1]!]));
    }
    // Edge values are present: 0, 1, p − 1; and circomlibjs' own vector poseidon([1, 2]).
    expect(flat).toContain(FIELD_P - 1n);
    expect(flat).toContain(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an);
  });

  test('its chain is the accumulator chain of the answers, negatives as p − |v|', () => {
    const answers = literals(source, /a\[\d+\] = (-?[0-9_]+);/g);
    expect(answers).toEqual([...CHAIN_ANSWERS]);
    const accs = literals(source, /acc\[\d+\] = (0x[0-9a-f]+);/g);
    expect(accs).toEqual(accumulatorChain(answers));
    // Independent of accumulatorChain: the negative answer's step by hand.
    const neg = answers.findIndex((a) => a < 0);
    expect(neg).toBeGreaterThan(0);
    expect(accs[neg]).toBe(poseidon([accs[neg - 1]!, FIELD_P + answers[neg]!]));
  });
});
