#!/usr/bin/env node
// Enforces the module rule of ARCHITECTURE.md: a module imports only the modules it may depend on,
// and only through their index.ts. Usage: node scripts/check-boundaries.mjs [root]  (exit 1 on violations)
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Who may import whom. `errors`, `plot` and `files` are leaves every module may use. */
export const ALLOWED = {
  errors: [],
  plot: [],
  files: [],
  config: [],
  data: [],
  chain: ['config'],
  oracle: ['chain', 'data'],
  models: ['data'],
  zk: ['models', 'chain'],
  provenance: ['models', 'chain'],
  policy: ['chain'],
  agent: ['config', 'chain', 'data', 'oracle', 'models', 'zk', 'provenance', 'policy'],
  server: ['agent', 'provenance'],
  web: ['agent', 'provenance'],
  cli: ['config', 'chain', 'data', 'oracle', 'models', 'zk', 'provenance', 'policy', 'agent', 'server'],
};
const SHARED = new Set(['errors', 'plot', 'files']);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated' && entry.name !== 'node_modules') yield* walk(path);
    } else if (/\.(ts|tsx|mts)$/.test(entry.name)) yield path;
  }
}

/** Returns a list of violations `{ file, line, specifier, problem }` for the tree under `root/src`. */
export function checkBoundaries(root) {
  const srcDir = join(root, 'src');
  const violations = [];
  for (const file of walk(srcDir)) {
    const from = relative(srcDir, file).split(sep)[0];
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const specifier = match[1];
        const target = resolve(dirname(file), specifier);
        const rel = relative(srcDir, target);
        if (rel.startsWith('..')) continue;
        const parts = rel.split(sep);
        const to = parts[0];
        if (to === from) continue;
        const where = { file: relative(root, file), line: index + 1, specifier };
        if (!(to in ALLOWED)) {
          violations.push({ ...where, problem: `'${to}' is not a known module` });
          continue;
        }
        const allowed = SHARED.has(to) || (ALLOWED[from] ?? []).includes(to);
        if (!allowed)
          violations.push({
            ...where,
            problem: `module '${from}' may not import '${to}' (allowed: ${[...(ALLOWED[from] ?? []), ...SHARED].join(', ') || 'none'})`,
          });
        else if (!(parts.length === 2 && /^index\.(js|ts)$/.test(parts[1]))) {
          violations.push({
            ...where,
            problem: `import '${to}' through its public surface src/${to}/index.ts, not its internals`,
          });
        }
      }
    });
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkBoundaries(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.specifier}: ${v.problem}`);
  if (violations.length) {
    console.error(`\n${violations.length} import(s) break the module rule in ARCHITECTURE.md.`);
    process.exit(1);
  }
  console.log('module boundaries: ok');
}
