// Start-up time of the `provenant` command (prints figures; not a test): the wall time of
// `node bin/provenant.js --help`, `verify --help` and `model --help` as child processes, i.e. what a user
// waits for before any work starts (tsx registration, module loading, commander). Nothing is cached
// between runs except what the OS caches; the first run of each is reported separately.
// Run: npx tsx bench/cli.bench.ts [runs=7]
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { timingSummary } from './timing.js';

const runs = Number(process.argv[2] ?? 7);
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'provenant.js');

async function time(args: string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [bin, ...args], { cwd: root });
  return performance.now() - started;
}

const cases: [string, string[]][] = [
  ['provenant --help', ['--help']],
  ['provenant verify --help', ['verify', '--help']],
  ['provenant model --help', ['model', '--help']],
];
const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, Node ${process.version}, ${process.platform}/${process.arch}`,
);
for (const [name, args] of cases) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await time(args));
  console.log(`${name.padEnd(26)} ${timingSummary(times)}`);
}
