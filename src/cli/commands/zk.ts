import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Address, Hex } from 'viem';
import { z } from 'zod';
import { addressOf, feedAddress, modelRegistryAbi, readManifest } from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { type ModelFile, modelId, parseModelFile } from '../../models/index.js';
import {
  committedDirFor,
  constraintsPerPart,
  DEFAULT_CACHE_DIR,
  DEVNET_SETUP_WARNING,
  fileSha256,
  type Groth16Proof,
  mlpFixtureModel,
  proveFromChain,
  releaseCurves,
  ridgeFixtureModel,
  setup,
  submitForecastProof,
  type VerificationKey,
  verifyProof,
  zkCommitmentHex,
  zkInfo,
} from '../../zk/index.js';
import type { GlobalOptions } from '../context.js';
import { readJsonFile } from '../files.js';
import { printTable, toJson } from '../output.js';
import { createProgressLine } from '../progress.js';
import { createSetupProgress } from '../setupProgress.js';
import { openAgentSession } from './agent.js';

type ModelFlags = { model?: string; kind?: string };

/** The model whose architecture (and, for `prove`, weights) is used: --model, else the shipped one of --kind. */
function loadModel(flags: ModelFlags): { model: ModelFile; source: string } {
  if (flags.model) {
    if (!existsSync(flags.model))
      throw new NonRetryableError(`Model file '${flags.model}' does not exist.`, {
        details: 'Pass a Provenant model file (JSON), e.g. one stored under <stateDir>/models/.',
      });
    return { model: parseModelFile(readFileSync(flags.model, 'utf8'), flags.model), source: flags.model };
  }
  const kind = flags.kind ?? 'ridge';
  if (kind === 'ridge')
    return { model: ridgeFixtureModel(), source: 'agent ridge forecaster (architecture of zk/ridge/)' };
  if (kind === 'mlp')
    return {
      model: mlpFixtureModel(),
      source: 'the agent forecaster recipe as an MLP on the oracle features (architecture of zk/forecaster/)',
    };
  throw new NonRetryableError(`--kind '${kind}' is not a forecaster kind.`, {
    details: 'Use --kind ridge or --kind mlp.',
  });
}

const VerificationKeySchema = z.looseObject({
  protocol: z.string(),
  curve: z.string(),
  nPublic: z.number().int(),
});

const decimalString = z.string().regex(/^\d+$/, 'expected a decimal integer string');
const hex = z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x-hex');

/** A proof file as `zk prove` writes it; `zk verify` checks the shape before trusting any field. */
const ProofFileSchema = z.object({
  format: z.literal('provenant-zk-proof/1'),
  circuitHash: z.string().regex(/^[0-9a-f]{16,}$/, 'expected the hex circuit hash'),
  modelId: hex,
  zkCommitment: hex,
  date: z.string(),
  roundIds: z.array(z.string()),
  lastRoundId: z.string(),
  answers: z.array(z.string()),
  features: z.array(z.string()),
  outputs: z.array(z.string()),
  scaleBits: z.number().int(),
  publicSignals: z.array(decimalString).min(1),
  proof: z.looseObject({
    pi_a: z.array(z.string()),
    pi_b: z.array(z.array(z.string())),
    pi_c: z.array(z.string()),
    protocol: z.string(),
    curve: z.string(),
  }),
  submitted: z.object({ gate: hex, proofId: hex, tx: hex }).optional(),
});

type ProofFile = {
  format: 'provenant-zk-proof/1';
  circuitHash: string;
  modelId: Hex;
  zkCommitment: Hex;
  date: string;
  roundIds: string[];
  lastRoundId: string;
  answers: string[];
  features: string[];
  outputs: string[];
  scaleBits: number;
  publicSignals: string[];
  proof: Groth16Proof;
  submitted?: { gate: Address; proofId: Hex; tx: Hex } | undefined;
};

const PROOF_FILE_ROLE = {
  what: 'proof file',
  repair:
    'Pass a proof file written by `provenant zk prove` (format provenant-zk-proof/1); make a new one with `provenant zk prove --out <file>`.',
};

/** Reads and validates a proof file (named in the error when it is missing, not JSON or of the wrong shape). */
export function readProofFile(path: string): ProofFile {
  return readJsonFile(path, ProofFileSchema, PROOF_FILE_ROLE) as ProofFile;
}

/** The stored forecaster whose zk commitment the registry holds (newest first), for `zk prove`. */
async function registeredForecaster(
  session: Awaited<ReturnType<typeof openAgentSession>>,
  registry: Address,
): Promise<{ model: ModelFile; id: Hex; path: string }> {
  const dir = join(session.stateDir, 'models');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(dir, f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  for (const path of files) {
    const model = parseModelFile(readFileSync(path, 'utf8'), path);
    if (model.kind !== 'forecaster') continue;
    const id = modelId(model);
    const registered = await session.clients.publicClient.readContract({
      address: registry,
      abi: modelRegistryAbi,
      functionName: 'zkCommitmentOf',
      args: [id],
    });
    if (registered === zkCommitmentHex(model)) return { model, id, path };
  }
  throw new NonRetryableError(`No forecaster in ${dir} has its zk commitment registered.`, {
    details:
      'Run `provenant demo` (it registers the forecaster with its commitment), or pass --model <file>.',
  });
}

/** Runs a zk action and releases snarkjs' curve workers afterwards, so the process exits. */
function released<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } finally {
      await releaseCurves();
    }
  };
}

/** `provenant zk setup`; registered (with its options) in zk.register.ts. */
export const zkSetupAction = released(async (flags: ModelFlags & { ptau?: string }) => {
  const { model, source } = loadModel(flags);
  if (!flags.ptau) {
    console.error(`\n${'!'.repeat(78)}\n${DEVNET_SETUP_WARNING}\n${'!'.repeat(78)}\n`);
  }
  const progress = createSetupProgress({ withPtau: Boolean(flags.ptau) });
  const line = createProgressLine({ every: 1 });
  // Long steps log nothing for minutes: refresh the elapsed time every 10 s (not kept alive by it).
  const ticker = setInterval(() => line.update(progress.line()), 10_000);
  ticker.unref();
  let art: Awaited<ReturnType<typeof setup>>;
  try {
    art = await setup(model, {
      ptau: flags.ptau,
      log: (m) => {
        line.note(`[zk] ${m}`);
        if (progress.observe(m)) line.update(progress.line());
      },
    });
  } finally {
    clearInterval(ticker);
    line.done();
  }
  printTable([
    ['model', source],
    ['circuit', `${art.circuitHash} (${art.constraints} constraints, ${art.publicCount} public signals)`],
    ['ptau', art.ptauId === 'devnet' ? 'devnet (SINGLE contributor: NOT for production)' : art.ptauId],
    ['zkey', `${art.zkey} (sha256 ${fileSha256(art.zkey)})`],
    ['wasm', `${art.wasm} (sha256 ${fileSha256(art.wasm)})`],
    ['committed', committedDirFor(art.circuitHash) ?? 'no (not a committed circuit)'],
  ]);
});

/** `provenant zk info`; registered (with its options) in zk.register.ts. */
export const zkInfoAction = released(async (flags: ModelFlags & { json?: boolean }) => {
  const { model, source } = loadModel(flags);
  const info = await zkInfo(model);
  const parts = await constraintsPerPart(model);
  if (flags.json) {
    console.log(toJson({ source, ...info, parts }));
    return;
  }
  printTable([
    ['model', source],
    ['circuit', info.circuitHash],
    [
      'architecture',
      `${info.layout.features} → ${info.layout.layers.map((l) => `${l.outputs} ${l.activation}`).join(' → ')}; scaleBits ${info.layout.scaleBits}; ${info.layout.valueBits}-bit values`,
    ],
    ['constraints', String(info.constraints)],
    ...parts.map((p) => [`  ${p.part}`, String(p.constraints)] as const),
    ['zk commitment', info.zkCommitment],
    ['ptau', info.ptau ?? 'not recorded in zk/artifacts.json'],
  ]);
  console.log('public signals:');
  for (const [i, s] of info.publicSignals.entries()) console.log(`  ${i}: ${s}`);
  console.log(
    info.committed
      ? 'artefact hashes (zk/artifacts.json):'
      : 'artefact hashes: this circuit is not recorded in zk/artifacts.json',
  );
  for (const [file, hash] of Object.entries(info.committed ?? {})) console.log(`  ${file}: ${hash}`);
});

/** `provenant zk prove`; registered (with its options) in zk.register.ts. */
export const zkProveAction = released(
  async (flags: { model?: string; out: string; submit?: boolean }, command: Command) => {
    const globals = command.optsWithGlobals<GlobalOptions>();
    const session = await openAgentSession(globals, { signer: flags.submit ? 'agent' : 'none' });
    try {
      const manifest = readManifest(session.stateDir, session.clients.chain.id);
      const registry = addressOf(manifest, 'ModelRegistry');
      const feed = feedAddress(manifest, 'WTI');
      const accumulator = addressOf(manifest, 'FeedAccumulator.WTI');
      const chosen = flags.model
        ? { ...loadModel({ model: flags.model }), id: undefined as Hex | undefined }
        : await registeredForecaster(session, registry);
      const model = chosen.model;
      const id = chosen.id ?? modelId(model);
      const art = await setup(model, { log: (m) => console.error(`[zk] ${m}`) });
      // Features are derived in the circuit from the feed's latest 21 answers: nothing else is read.
      const block = await session.clients.publicClient.getBlock();
      const date = new Date(Number(block.timestamp) * 1000).toISOString().slice(0, 10);
      const t0 = performance.now();
      const p = await proveFromChain(session.clients, {
        feed,
        accumulator,
        artifacts: art,
        model,
        absorb: flags.submit === true,
      });
      const ms = performance.now() - t0;
      const file: ProofFile = {
        format: 'provenant-zk-proof/1',
        circuitHash: art.circuitHash,
        modelId: id,
        zkCommitment: zkCommitmentHex(model),
        date,
        roundIds: p.roundIds.map(String),
        lastRoundId: p.lastRoundId.toString(),
        answers: p.answers.map(String),
        features: p.features.map(String),
        outputs: p.outputs.map(String),
        scaleBits: model.scaleBits,
        publicSignals: p.publicSignals,
        proof: p.proof,
      };
      if (flags.submit) {
        const gate = addressOf(manifest, 'ForecastProofGate.WTI');
        const s = await submitForecastProof(session.clients, gate, {
          modelId: id,
          lastRoundId: p.lastRoundId,
          calldata: p.calldata,
        });
        file.submitted = { gate, proofId: s.proofId, tx: s.hash };
      }
      writeFileSync(flags.out, `${toJson(file)}\n`);
      const scale = 2 ** model.scaleBits;
      printTable([
        ['model', id],
        [
          'rounds',
          `${file.roundIds[0]}..${file.lastRoundId} (${file.roundIds.length} answers, last ${file.answers.at(-1)})`,
        ],
        ['features', `${file.features.join(', ')} (derived in the circuit)`],
        ['chain date', file.date],
        [
          'forecast',
          `mean ${(Number(p.outputs[0]) / scale).toExponential(4)}, E|r| ${(Number(p.outputs[1]) / scale).toExponential(4)}`,
        ],
        ['proved in', `${ms.toFixed(0)} ms`],
        ['proof file', flags.out],
        ...(file.submitted
          ? ([['submitted', `proofId ${file.submitted.proofId} (tx ${file.submitted.tx})`]] as const)
          : []),
      ]);
    } finally {
      await session.close();
    }
  },
);

/** `provenant zk verify <proofFile>`; registered (with its options) in zk.register.ts. */
export const zkVerifyAction = released(async (proofFile: string) => {
  const file = readProofFile(proofFile);
  const committed = committedDirFor(file.circuitHash);
  const candidates = [
    ...(committed ? [join(committed, 'vkey.json')] : []),
    join(DEFAULT_CACHE_DIR, file.circuitHash.slice(0, 16), 'vkey-devnet.json'),
  ];
  const vkeyPath = candidates.find((p) => existsSync(p));
  if (!vkeyPath)
    throw new NonRetryableError(`No verification key for circuit ${file.circuitHash.slice(0, 16)}.`, {
      details: 'Run `provenant zk setup --model <the model file>` for that architecture first.',
    });
  const vkey = readJsonFile(vkeyPath, VerificationKeySchema, {
    what: 'verification key',
    repair: `Move it aside and run \`provenant zk setup\` for that circuit again (it rewrites the key).`,
  }) as VerificationKey;
  const ok = await verifyProof(vkey, file.proof, file.publicSignals);
  const commitmentOk = BigInt(file.publicSignals[0]!) === BigInt(file.zkCommitment);
  printTable([
    ['circuit', `${file.circuitHash.slice(0, 16)} (vkey ${vkeyPath})`],
    ['proof', ok ? 'valid' : 'INVALID'],
    [
      'commitment',
      commitmentOk ? `${file.zkCommitment} (matches the public signal)` : 'MISMATCH with the public signal',
    ],
  ]);
  // Thrown, not process.exitCode: the binary sets the exit code from what main() returns, which overwrote it
  // with 0 (a real `provenant zk verify` of an invalid proof exited 0).
  if (!ok || !commitmentOk)
    throw new NonRetryableError(
      `The proof in ${proofFile} does not verify: ${[!ok ? 'the Groth16 proof is invalid for its public signals' : '', !commitmentOk ? 'its zkCommitment differs from the public signal' : ''].filter(Boolean).join(', and ')}.`,
      {
        details:
          'The file was changed after it was proven, or it was made for another circuit or model. Prove again: `provenant zk prove`.',
      },
    );
});
