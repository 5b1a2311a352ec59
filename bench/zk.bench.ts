/**
 * zk benchmarks (not timed tests): prints figures. Run with `npx tsx bench/zk.bench.ts`.
 * - constraints per part (each dense layer, input range checks, the Poseidon weight commitment),
 *   measured by compiling each part alone, and the total of the real circuit;
 * - in-process proving time (median of 5 after one warm-up) and peak RSS of this process;
 * - gas of the zk-gated action (ForecastProofGate.submit: verifier + oracle binding + registry +
 *   record), read from the forge gas test. Targets: proof ≤ 2 s and ≤ 512 MB; action ≤ 300,000 gas.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  COMMITMENT_CHUNK,
  compileCircom,
  DEFAULT_CACHE_DIR,
  prove,
  REPO_ROOT,
  setup,
  templatesSource,
  testModel,
  VALUE_BITS,
  wtiInputs,
} from '../src/zk/index.js';

const ANSWERS = 2;
const shipped = join(REPO_ROOT, 'models', 'forecaster-wti.json');
const model = existsSync(shipped)
  ? (JSON.parse(readFileSync(shipped, 'utf8')) as ReturnType<typeof testModel>)
  : testModel();
console.log(
  `model: ${existsSync(shipped) ? 'models/forecaster-wti.json' : 'seeded test model (same architecture)'}; scaleBits ${model.scaleBits}`,
);

function partConstraints(name: string, body: string): number {
  const dir = join(DEFAULT_CACHE_DIR, 'bench', name);
  mkdirSync(dir, { recursive: true });
  const src = `pragma circom 2.1.0;\ninclude "poseidon.circom";\ninclude "bitify.circom";\n${templatesSource(model.scaleBits)}\n${body}\n`;
  const file = join(dir, `${name}.circom`);
  const r1cs = join(dir, `${name}.r1cs`);
  if (!existsSync(r1cs) || readFileSync(file, 'utf8') !== src) {
    writeFileSync(file, src);
    compileCircom(file, dir);
  }
  // r1cs header: section 1 holds nConstraints as the last u32 of the header.
  const out = spawnSync(
    process.execPath,
    [
      '-e',
      `require('snarkjs').r1cs.info(${JSON.stringify(r1cs)}).then(i=>{console.log(i.nConstraints);process.exit(0)})`,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  return Number(out.stdout.trim());
}

const parts: [string, number][] = [];
model.layers.forEach((l, i) => {
  parts.push([
    `dense ${i} (${l.inputs}→${l.outputs} ${l.activation})`,
    partConstraints(
      `dense${i}`,
      `component main = Dense(${l.inputs}, ${l.outputs}, ${model.scaleBits}, ${VALUE_BITS}, ${l.activation === 'relu' ? 1 : 0});`,
    ),
  ]);
});
const ranges = model.inputs.length + ANSWERS;
parts.push([
  `range checks (${ranges} inputs/answers × ${VALUE_BITS} bits)`,
  partConstraints(
    'ranges',
    `template R() { signal input v[${ranges}]; component r[${ranges}]; for (var i = 0; i < ${ranges}; i++) { r[i] = SignedRange(${VALUE_BITS}); r[i].in <== v[i]; } }\ncomponent main = R();`,
  ),
]);
const weights = model.layers.reduce((a, l) => a + l.inputs * l.outputs + l.outputs, 0);
const chunks = Math.ceil(weights / COMMITMENT_CHUNK);
parts.push([
  `Poseidon commitment (${weights} weights, ${chunks} × Poseidon(16))`,
  partConstraints(
    'commitment',
    `template P() { signal input e[${chunks * 16}]; signal output h[${chunks}]; component p[${chunks}]; for (var c = 0; c < ${chunks}; c++) { p[c] = Poseidon(16); for (var k = 0; k < 16; k++) p[c].inputs[k] <== e[c * 16 + k]; h[c] <== p[c].out; } }\ncomponent main = P();`,
  ),
]);

const art = await setup(model, { answers: ANSWERS, log: (m) => console.log(`  [setup] ${m}`) });
console.log('constraints (each part compiled alone, O2):');
for (const [name, n] of parts) console.log(`  ${name}: ${n}`);
console.log(
  `  sum of parts: ${parts.reduce((a, [, n]) => a + n, 0)}; whole circuit: ${art.constraints} (circuit ${art.circuitHash.slice(0, 16)}, ptau ${art.ptauId})`,
);

const inputs = wtiInputs(model, ANSWERS);
const rssBefore = process.memoryUsage().rss;
await prove(art, model, inputs); // warm-up (loads the curve and its worker threads)
const times: number[] = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await prove(art, model, inputs);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `load average while proving: ${loadavg()[0]!.toFixed(1)} on 2 cores (other processes share the machine)`,
);
console.log(
  `proving (in-process groth16.fullProve incl. witness, WTI ${inputs.date}): median ${times[2]!.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms (target ≤ 2000 ms)`,
);
console.log(
  `peak RSS of this process: ${peakMb.toFixed(0)} MB (RSS before proving ${(rssBefore / 2 ** 20).toFixed(0)} MB; target ≤ 512 MB)`,
);

const forge = spawnSync(
  process.execPath,
  ['scripts/forge.mjs', 'test', '--match-test', 'test_gas_submit', '-vv'],
  {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      FOUNDRY_SRC: 'contracts/src/zk',
      FOUNDRY_TEST: 'contracts/test/zk',
      FOUNDRY_OUT: 'out-zk',
      FOUNDRY_CACHE_PATH: 'cache/zk',
    },
  },
);
const gas = /submit gas[^:]*:\s*(\d+)/.exec(forge.stdout)?.[1];
console.log(
  `zk-gated action gas (ForecastProofGate.submit, ${art.layout.publicSignalCount} public signals, ${ANSWERS} oracle rounds): ${gas ?? `not measured (forge exit ${forge.status})`} (target ≤ 300,000; excludes the vault's own mint)`,
);
process.exit(0);
