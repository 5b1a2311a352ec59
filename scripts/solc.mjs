#!/usr/bin/env node
// A solc executable for forge, backed by the npm `solc` package (compiler compiled in, no download).
// forge cannot fetch a compiler offline, so it runs with `--use scripts/solc.mjs`. We answer the two
// calls forge makes: `--version`, and `--standard-json` with the input on stdin. Imports are resolved
// relative to `--base-path` (and every `--include-path`), the way native solc does.
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join } from 'node:path';

const require = createRequire(import.meta.url);
const solc = require('solc');
const args = process.argv.slice(2);

/** Write everything synchronously: a piped stdout can be cut short if the process exits first. */
function writeAll(text) {
  const buffer = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < buffer.length) {
    try {
      offset += writeSync(1, buffer, offset, buffer.length - offset);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
    }
  }
}

if (args.includes('--version')) {
  writeAll(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes('--standard-json')) {
  process.stderr.write('scripts/solc.mjs supports only --version and --standard-json (as forge uses it)\n');
  process.exit(1);
}

const flagValues = (flag) => {
  const values = [];
  args.forEach((arg, index) => {
    if (arg === flag && args[index + 1]) values.push(args[index + 1]);
    else if (arg.startsWith(`${flag}=`)) values.push(arg.slice(flag.length + 1));
  });
  return values;
};
const roots = [...flagValues('--base-path'), ...flagValues('--include-path'), process.cwd()];

function findImports(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((root) => join(root, path));
  for (const candidate of candidates) {
    try {
      return { contents: readFileSync(candidate, 'utf8') };
    } catch {}
  }
  return { error: `File not found: ${path} (searched ${roots.join(', ')})` };
}

const input = readFileSync(0, 'utf8');
// solcjs can print stray lines to stdout while compiling; keep them away from forge's JSON.
const originalLog = console.log;
console.log = (...parts) => process.stderr.write(`${parts.join(' ')}\n`);
const output = solc.compile(input, { import: findImports });
console.log = originalLog;
writeAll(output);
