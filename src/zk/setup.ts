import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelFile } from '../models/index.js';
import { type CircuitLayout, type CircuitOptions, generateCircuit } from './circuit.js';
import { ZkToolError } from './errors.js';
import { circomlibCircuitsDir } from './poseidon.js';
import { snarkjs, snarkLogger, type VerificationKey } from './snarkjs.js';

/** Repository root (src/zk/ → ../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Slow setup artefacts, git-ignored, keyed by circuit hash. */
export const DEFAULT_CACHE_DIR = join(REPO_ROOT, '.provenant', 'zk-cache');
/** Small committed artefacts (circuit source, zkey, vkey, hashes). */
export const COMMITTED_DIR = join(REPO_ROOT, 'zk');

export const DEVNET_SETUP_WARNING =
  'WARNING: devnet trusted setup. The powers of tau and the Groth16 phase 2 were made on this machine by a ' +
  'SINGLE contributor; whoever knows that entropy can forge proofs. Devnet only. For a real deployment run ' +
  '`provenant zk setup --ptau <public ceremony file>` and a multi-party phase 2.';

export type SetupOptions = CircuitOptions & {
  /** A public powers-of-tau ceremony file (bn128). Without it a single-contributor devnet ptau is made and cached. */
  ptau?: string | undefined;
  cacheDir?: string | undefined;
  /** Look for committed artefacts here (matched by circuit hash). Default: every `zk/<name>/`. */
  committedDir?: string | undefined;
  /** Progress lines (compile, ptau, phase 2). */
  log?: ((message: string) => void) | undefined;
};

export type ZkArtifacts = {
  circuitHash: string;
  layout: CircuitLayout;
  dir: string;
  circuit: string;
  r1cs: string;
  sym: string;
  wasm: string;
  zkey: string;
  vkey: VerificationKey;
  /** 'devnet' for the single-contributor setup, else the sha256 of the ptau file used. */
  ptauId: string;
  constraints: number;
  /** Public signals (outputs + public inputs). */
  publicCount: number;
};

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The committed artefact directory (a subfolder of `zk/`, or `preferred`) whose `layout.json` names
 * `circuitHash`, or undefined. Lets a fresh clone prove with the committed r1cs/wasm/zkey (zk/ridge/).
 */
export function committedDirFor(circuitHash: string, preferred?: string): string | undefined {
  const candidates = preferred
    ? [preferred]
    : existsSync(COMMITTED_DIR)
      ? readdirSync(COMMITTED_DIR, { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => join(COMMITTED_DIR, d.name))
      : [];
  for (const dir of candidates) {
    const meta = join(dir, 'layout.json');
    if (!existsSync(meta)) continue;
    try {
      if ((JSON.parse(readFileSync(meta, 'utf8')) as { circuitHash?: string }).circuitHash === circuitHash)
        return dir;
    } catch {
      // An unreadable layout.json describes no circuit.
    }
  }
  return undefined;
}

/** Compiles circom source (circom2, WebAssembly) into r1cs + sym + wasm under `outDir`. O2 unless `optimize` says otherwise. */
export function compileCircom(
  circuitPath: string,
  outDir: string,
  options: { optimize?: 'O0' | 'O1' | 'O2'; log?: ((m: string) => void) | undefined } = {},
): void {
  mkdirSync(outDir, { recursive: true });
  const require = createRequire(import.meta.url);
  const cli = join(dirname(require.resolve('circom2/package.json')), 'cli.js');
  // circom2 runs under WASI with the working directory's ancestors preopened: pass paths relative to cwd.
  const cwd = REPO_ROOT;
  const rel = (p: string) => relative(cwd, p) || '.';
  options.log?.(`compiling ${rel(circuitPath)} with circom2 (${options.optimize ?? 'O2'})`);
  const r = spawnSync(
    process.execPath,
    [
      cli,
      rel(circuitPath),
      '--r1cs',
      '--wasm',
      '--sym',
      `--${options.optimize ?? 'O2'}`,
      '-l',
      rel(circomlibCircuitsDir()),
      '-o',
      rel(outDir),
    ],
    { cwd, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    throw new ZkToolError(
      'compile',
      `circom2 exited with ${r.status}`,
      `${r.stdout}\n${r.stderr}`.replace(ANSI, '').trim(),
    );
  }
}

/** Makes (or reuses) a single-contributor devnet powers of tau of 2^power, prepared for phase 2. */
export async function devnetPtau(
  power: number,
  cacheDir: string,
  log?: (m: string) => void,
): Promise<string> {
  const dir = join(cacheDir, 'ptau');
  // A larger cached devnet ptau serves a smaller circuit just as well.
  for (let p = power; p <= 20; p++) {
    const existing = join(dir, `bn128-${p}-devnet.ptau`);
    if (existsSync(existing)) return existing;
  }
  const final = join(dir, `bn128-${power}-devnet.ptau`);
  mkdirSync(dir, { recursive: true });
  log?.(DEVNET_SETUP_WARNING);
  log?.(
    `powers of tau 2^${power}: new accumulator, one contribution, prepare phase 2 (the slow step: minutes at 2^13 on 2 cores)`,
  );
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  const logger = snarkLogger(log);
  const p0 = join(dir, `bn128-${power}-0.ptau`);
  const p1 = join(dir, `bn128-${power}-1.ptau`);
  const tmp = `${final}.tmp`;
  await snarkjs.powersOfTau.newAccumulator(curve, power, p0, logger);
  await snarkjs.powersOfTau.contribute(p0, p1, 'provenant devnet', randomBytes(32).toString('hex'), logger);
  await snarkjs.powersOfTau.preparePhase2(p1, tmp, logger);
  renameSync(tmp, final);
  rmSync(p0, { force: true });
  rmSync(p1, { force: true });
  return final;
}

export type CompiledCircuit = Omit<ZkArtifacts, 'zkey' | 'vkey' | 'ptauId'>;

/** Generates and compiles the circuit (r1cs, sym, wasm witness generator), cached by circuit hash. No keys. */
export async function compileCircuit(model: ModelFile, options: SetupOptions = {}): Promise<CompiledCircuit> {
  const log = options.log;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const gen = generateCircuit(model, options);
  const dir = join(cacheDir, gen.hash.slice(0, 16));
  mkdirSync(dir, { recursive: true });
  const circuit = join(dir, 'circuit.circom');
  const r1cs = join(dir, 'circuit.r1cs');
  const sym = join(dir, 'circuit.sym');
  const wasm = join(dir, 'circuit_js', 'circuit.wasm');
  if (!existsSync(circuit) || readFileSync(circuit, 'utf8') !== gen.source)
    writeFileSync(circuit, gen.source);
  writeFileSync(
    join(dir, 'layout.json'),
    `${JSON.stringify({ circuitHash: gen.hash, ...gen.layout }, null, 2)}\n`,
  );
  if (!existsSync(r1cs) || !existsSync(wasm) || !existsSync(sym)) {
    // Committed compiled artefacts for this exact circuit (e.g. zk/ridge/) spare the circom run.
    const committed = committedDirFor(gen.hash, options.committedDir);
    const files = committed
      ? ['circuit.r1cs', 'circuit.sym', 'circuit.wasm'].map((f) => join(committed, f))
      : [];
    if (committed && files.every((f) => existsSync(f))) {
      log?.(
        `using the committed r1cs/wasm in ${relative(REPO_ROOT, committed)} (circuit ${gen.hash.slice(0, 16)})`,
      );
      mkdirSync(dirname(wasm), { recursive: true });
      copyFileSync(files[0]!, r1cs);
      copyFileSync(files[1]!, sym);
      copyFileSync(files[2]!, wasm);
    } else compileCircom(circuit, dir, { log });
  }
  const info = await snarkjs.r1cs.info(r1cs);
  return {
    circuitHash: gen.hash,
    layout: gen.layout,
    dir,
    circuit,
    r1cs,
    sym,
    wasm,
    constraints: info.nConstraints,
    publicCount: info.nPubInputs + info.nOutputs,
  };
}

/**
 * Builds everything needed to prove and verify inference of `model`'s architecture: circuit source,
 * r1cs, witness generator (wasm), Groth16 proving key (zkey) and verification key. Cached by circuit
 * hash; committed artefacts for the same circuit (any zk/<name>/ whose layout.json names its hash:
 * r1cs, sym, wasm, zkey — zk/ridge/ ships them all) are reused before compiling or making a new key.
 */
export async function setup(model: ModelFile, options: SetupOptions = {}): Promise<ZkArtifacts> {
  const log = options.log;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const compiled = await compileCircuit(model, options);
  const { dir, constraints, circuitHash } = compiled;
  const gen = { hash: circuitHash };

  const ptauId = options.ptau ? sha256File(options.ptau).slice(0, 16) : 'devnet';
  const zkey = join(dir, `circuit-${ptauId}.zkey`);
  if (!existsSync(zkey)) {
    const committedDir = committedDirFor(gen.hash, options.committedDir);
    const committed = committedDir ? join(committedDir, 'circuit.zkey') : '';
    const reusable = !options.ptau && committedDir !== undefined && existsSync(committed);
    if (reusable) {
      log?.(`using the committed zkey ${relative(REPO_ROOT, committed)} (circuit ${gen.hash.slice(0, 16)})`);
      copyFileSync(committed, zkey);
    } else {
      const needed = constraints + compiled.publicCount + 1;
      const power = Math.max(8, Math.ceil(Math.log2(needed)));
      const ptau = options.ptau ? resolve(options.ptau) : await devnetPtau(power, cacheDir, log);
      // Said loudly even without a progress callback: these keys must never reach production.
      if (!options.ptau) (log ?? console.warn)(DEVNET_SETUP_WARNING);
      log?.(`Groth16 phase 2 for ${constraints} constraints (ptau ${ptauId})`);
      const logger = snarkLogger(log);
      const z0 = `${zkey}.0`;
      const tmp = `${zkey}.tmp`;
      try {
        await snarkjs.zKey.newZKey(compiled.r1cs, ptau, z0, logger);
        await snarkjs.zKey.contribute(
          z0,
          tmp,
          'provenant devnet phase 2',
          randomBytes(32).toString('hex'),
          logger,
        );
      } catch (error) {
        throw new ZkToolError(
          'setup',
          `phase 2 failed for circuit ${gen.hash.slice(0, 16)}`,
          `ptau ${ptau}; a ceremony file must be bn128 with 2^${power} or more points.`,
          error,
        );
      } finally {
        rmSync(z0, { force: true });
      }
      renameSync(tmp, zkey);
    }
  }
  const vkeyPath = join(dir, `vkey-${ptauId}.json`);
  let vkey: VerificationKey;
  if (existsSync(vkeyPath) && statSync(vkeyPath).mtimeMs >= statSync(zkey).mtimeMs) {
    vkey = JSON.parse(readFileSync(vkeyPath, 'utf8')) as VerificationKey;
  } else {
    vkey = await snarkjs.zKey.exportVerificationKey(zkey);
    writeFileSync(vkeyPath, `${JSON.stringify(vkey, null, 1)}\n`);
  }
  return { ...compiled, zkey, vkey, ptauId };
}

/** sha256 of a file, hex. */
export function fileSha256(path: string): string {
  return sha256File(path);
}
