#!/usr/bin/env node
// Runs the forge binary from node_modules, offline, with the project's solc wrapper for every
// subcommand that compiles. Usage: node scripts/forge.mjs <subcommand> [args...]
//
// The platform binary is run directly: the `@foundry-rs/forge` bin.mjs launcher exits 0 even when
// forge fails (checked: `forge fmt --check` with diffs), which would hide failures from CI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const arch = process.arch === 'x64' ? 'amd64' : process.arch;
const platformPackage = `@foundry-rs/forge-${process.platform}-${arch}`;
let forge;
try {
  forge = join(
    dirname(require.resolve(`${platformPackage}/package.json`)),
    'bin',
    process.platform === 'win32' ? 'forge.exe' : 'forge',
  );
} catch {}
if (!forge || !existsSync(forge)) {
  console.error(`forge binary not found (${platformPackage}); run \`npm ci\`.`);
  process.exit(1);
}
const solc = join(root, 'scripts', 'solc.mjs');
const compiling = new Set(['build', 'test', 'snapshot', 'coverage', 'inspect', 'script', 'create']);

const [subcommand, ...rest] = process.argv.slice(2);
const args = [subcommand, ...rest];
if (compiling.has(subcommand)) args.push('--use', solc, '--offline');
const result = spawnSync(forge, args, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`could not run forge: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
