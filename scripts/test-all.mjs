#!/usr/bin/env node
// `npm test`: every check CI runs, in order, stopping at the first failure.
// 1. contracts compile and the committed bindings match them; 2. forge tests (unit, fuzz, invariant);
// 3. the gas snapshot of concrete tests; 4. lint/format (TypeScript + Solidity) and module boundaries;
// 5. typecheck; 6. vitest (TypeScript tests, including real anvil chains).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const node = process.execPath;
const bin = (name) => join(root, 'node_modules', '.bin', name);
const steps = [
  ['contracts + bindings', node, ['scripts/build-contracts.mjs', '--check']],
  ['forge tests', node, ['scripts/forge.mjs', 'test']],
  ['gas snapshot', 'npm', ['run', '--silent', 'gas:check']],
  ['lint + format + boundaries', 'npm', ['run', '--silent', 'lint']],
  ['typecheck', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']],
  ['vitest', bin('vitest'), ['run']],
];
const only = process.argv.slice(2);
for (const [label, command, args] of steps) {
  if (only.length && !only.some((o) => label.includes(o))) continue;
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✖ ${label} failed after ${seconds}s (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
  console.log(`✔ ${label} (${seconds}s)`);
}
console.log('\nAll checks passed.');
