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

const runs = Number(process.argv[2] ?? 7);
const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'provenant.js');

const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `median ${s(median)}, min ${s(sorted[0]!)}, max ${s(sorted.at(-1)!)} over ${xs.length} runs (first: ${s(xs[0]!)})`;
};

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
  console.log(`${name.padEnd(26)} ${stats(times)}`);
}
