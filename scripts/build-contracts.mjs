#!/usr/bin/env node
// Compiles contracts/src with forge (offline, npm solc) and regenerates the typed bindings.
// `--check` compiles and fails if the committed bindings differ from what the build produces.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (script, args) => {
  const result = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
run('forge.mjs', ['build', '--skip', 'test', '--skip', 'script', 'contracts/src']);
run('generate-bindings.mjs', process.argv.includes('--check') ? ['--check'] : []);
