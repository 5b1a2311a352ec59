#!/usr/bin/env node
// Runs the forge binary from node_modules, offline, with the project's solc wrapper for every
// subcommand that compiles. Usage: node scripts/forge.mjs <subcommand> [args...]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const forge = join(root, 'node_modules', '@foundry-rs', 'forge', 'bin.mjs');
const solc = join(root, 'scripts', 'solc.mjs');
const compiling = new Set(['build', 'test', 'snapshot', 'coverage', 'inspect', 'script', 'create']);

const [subcommand, ...rest] = process.argv.slice(2);
const args = [subcommand, ...rest];
if (compiling.has(subcommand)) args.push('--use', solc, '--offline');
const result = spawnSync(process.execPath, [forge, ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
