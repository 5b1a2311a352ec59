import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain ESM script without types
import { checkBoundaries } from '../scripts/check-boundaries.mjs';

type Violation = { file: string; line: number; specifier: string; problem: string };

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'provenant-boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('check-boundaries', () => {
  test('default: the repository itself follows the rule', () => {
    expect(checkBoundaries(join(import.meta.dirname, '..'))).toEqual([]);
  });

  test('behavior: a planted import against the dependency rule fails', () => {
    const root = tree({
      'src/models/forecast.ts': "import { runAgent } from '../agent/index.js';\n",
      'src/agent/index.ts': 'export const runAgent = 1;\n',
    });
    const violations: Violation[] = checkBoundaries(root);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      file: 'src/models/forecast.ts',
      line: 1,
      specifier: '../agent/index.js',
    });
    expect(violations[0]?.problem).toContain("module 'models' may not import 'agent'");
  });

  test('behavior: reaching into another module past its index.ts fails', () => {
    const root = tree({
      'src/agent/loop.ts': "import { startDevnet } from '../chain/devnet.js';\n",
      'src/chain/devnet.ts': 'export const startDevnet = 1;\n',
    });
    const violations: Violation[] = checkBoundaries(root);
    expect(violations.map((v) => v.problem)).toEqual([
      "import 'chain' through its public surface src/chain/index.ts, not its internals",
    ]);
  });

  test('behavior: allowed imports through index.ts and within a module pass', () => {
    const root = tree({
      'src/agent/loop.ts': "import { startDevnet } from '../chain/index.js';\nimport { x } from './x.js';\n",
      'src/agent/x.ts': 'export const x = 1;\n',
      'src/chain/index.ts': 'export const startDevnet = 1;\n',
    });
    expect(checkBoundaries(root)).toEqual([]);
  });
});
