/**
 * Generator and verify benchmark: `npx tsx bench/generator.bench.ts [runs]`.
 *
 * Prints the time to render one 512×512 artwork (CPPN + PNG encoding, median of `runs`) and the
 * time to verify one token (manifest, model, 3 oracle rounds, full re-render and CIDs) with
 * in-memory dependencies. Targets from issue 5: render ≤ 2 s, verify ≤ 3 s.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { keccak256 } from 'viem';
import { artSeed, encodePng, marketStateFromRounds, renderRgb } from '../src/models/generator/index.js';
import { parseModelFile } from '../src/models/modelFile.js';
import { mintWorld } from '../src/provenance/fixtures.test-helpers.js';
import { verifyAsset } from '../src/provenance/index.js';

const runs = Number(process.argv[2] ?? 5);
const modelBytes = new Uint8Array(readFileSync(new URL('../models/generator-v1.json', import.meta.url)));
const model = parseModelFile(modelBytes);
const _modelId = keccak256(modelBytes);
const _feed = '0x5f4ec3df9cbd43714fe2740f5e3616155c5b8419' as const;
const rounds = [
  { roundId: 18446744073709551617n, answer: 7_512_000_000n, updatedAt: 1_700_000_000n },
  { roundId: 18446744073709551618n, answer: 7_431_000_000n, updatedAt: 1_700_003_600n },
  { roundId: 18446744073709551619n, answer: 7_598_500_000n, updatedAt: 1_700_007_200n },
];
const marketState = marketStateFromRounds(rounds, 8);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

// Warm-up builds the activation tables once (they are cached for the process).
renderRgb(model, { seed: artSeed('0x00'), marketState, width: 16, height: 16 });

const cppn: number[] = [];
const png: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const t0 = performance.now();
  const art = renderRgb(model, { seed: artSeed(`0x${(i + 1).toString(16).padStart(2, '0')}`), marketState });
  const t1 = performance.now();
  encodePng(art.rgb, art.width, art.height);
  const t2 = performance.now();
  cppn.push(t1 - t0);
  png.push(t2 - t1);
}
const total = cppn.map((c, i) => c + png[i]!);

// The verify figure: one 512×512 version on the tests' in-memory chain (a minted token with its log,
// sender, oracle rounds and their publication, the guard and the feed's decimals), every check run.
const world = await mintWorld({
  params: (p) => {
    p.width = 512;
    p.height = 512;
  },
});
const deps = world.deps;
const asset = world.asset;
const verify: number[] = [];
let ok = true;
for (let i = 0; i < runs; i += 1) {
  const t0 = performance.now();
  const report = await verifyAsset({ tokenId: world.tokenId }, deps);
  verify.push(performance.now() - t0);
  ok &&= report.ok;
}

console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; ${runs} runs, median (min)`,
);
console.log(`render 512×512 CPPN          ${ms(median(cppn))} (${ms(Math.min(...cppn))})`);
console.log(
  `encode PNG                   ${ms(median(png))} (${ms(Math.min(...png))})  ${asset.png.length} bytes`,
);
console.log(
  `render + encode              ${ms(median(total))} (${ms(Math.min(...total))})  target ≤ 2000 ms`,
);
console.log(
  `verify one token (in-memory) ${ms(median(verify))} (${ms(Math.min(...verify))})  target ≤ 3000 ms  ${ok ? 'all checks pass' : 'CHECKS FAILED'}`,
);
