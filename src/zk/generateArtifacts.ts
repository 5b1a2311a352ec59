/**
 * Regenerates the committed zk artefacts of one target. Run:
 *   `npx tsx src/zk/generateArtifacts.ts [model.json]`          — target `forecaster` (the MLP: models/forecaster-wti.json
 *                                                                 once it is trained on the oracle features, else mlpFixtureModel())
 *   `npx tsx src/zk/generateArtifacts.ts --target ridge`        — target `ridge` (the agent's default forecaster)
 *
 * 1. setup (cached by circuit hash; devnet single-contributor ptau unless PROVENANT_PTAU is set);
 * 2. zk/<target>/: circuit.circom, layout.json, vkey.json; and circuit.r1cs, circuit.sym, circuit.wasm,
 *    circuit.zkey — always for ridge (a fresh clone proves without any setup, against the committed
 *    verifier), for other targets when each is < 5 MB (stale ones are removed);
 * 3. the Groth16 verifier (snarkjs export + GENERATED header, pragma pinned; the ridge verifier's contract
 *    is named `RidgeGroth16Verifier` so both verifiers compile side by side);
 * 4. a fixture proof on real WTI inputs: the 21 latest closes of the shipped series as the demo publishes
 *    them (8 decimals), accPrev = 0 — so a forge test that publishes them as rounds 1..21 of an oracle
 *    whose accumulator starts at round 1 reproduces ACC_LAST = acc(21):
 *    contracts/test/zk/fixtures/<fixture>.json and .sol (forge cannot read files outside ./data);
 * 5. zk/artifacts.json: sha256 of every artefact in use, per target (`circuits.<target>`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type ModelFile, modelId, ORACLE_FEATURE_NAMES, parseModelFile } from '../models/index.js';
import { zkCommitmentHex } from './commitment.js';
import { prove, verifyProof } from './prover.js';
import { wtiInputs } from './realInputs.js';
import { mlpFixtureModel, RIDGE_FIXTURE_TRAIN_END, ridgeFixtureModel } from './ridge.js';
import { COMMITTED_DIR, DEVNET_SETUP_WARNING, fileSha256, REPO_ROOT, setup } from './setup.js';
import { exportSolidityVerifier } from './solidityVerifier.js';

type Target = {
  name: 'forecaster' | 'ridge';
  contract: string;
  verifierFile: string;
  fixture: string;
  library: string;
  /** Commit the zkey and the compiled circuit whatever their size (the agent's default circuit: a fresh clone proves against the committed verifier without a setup). */
  commitAll: boolean;
};
const TARGETS: Record<Target['name'], Target> = {
  forecaster: {
    name: 'forecaster',
    contract: 'Groth16Verifier',
    verifierFile: 'Groth16Verifier.sol',
    fixture: 'forecastProof',
    library: 'ForecastProofFixture',
    commitAll: false,
  },
  ridge: {
    name: 'ridge',
    contract: 'RidgeGroth16Verifier',
    verifierFile: 'RidgeGroth16Verifier.sol',
    fixture: 'ridgeProof',
    library: 'RidgeProofFixture',
    commitAll: true,
  },
};

const MAX_COMMITTED_ZKEY = 5 * 1024 * 1024;
/** Round id of the fixture's last answer: the answers are rounds 1..21 of the forge test's oracle. */
const LAST_ROUND_ID = 21;

async function main() {
  const args = process.argv.slice(2);
  const t = args.indexOf('--target');
  const target = TARGETS[(t >= 0 ? args.splice(t, 2)[1] : 'forecaster') as Target['name']];
  if (!target) throw new Error(`--target must be one of ${Object.keys(TARGETS).join(', ')}`);
  const arg = args[0];
  const shipped = join(REPO_ROOT, 'models', 'forecaster-wti.json');
  // The shipped MLP file is used only once it is trained on the oracle features; until then the
  // forecaster target trains the agent's MLP recipe in-process (deterministic, < 1 s).
  const shippedModel = existsSync(shipped)
    ? parseModelFile(readFileSync(shipped, 'utf8'), shipped)
    : undefined;
  const shippedUsable =
    target.name === 'forecaster' &&
    shippedModel !== undefined &&
    shippedModel.inputs.join(',') === ORACLE_FEATURE_NAMES.join(',');
  const path = arg ?? (shippedUsable ? shipped : undefined);
  const model: ModelFile = path
    ? parseModelFile(readFileSync(path, 'utf8'), path)
    : target.name === 'ridge'
      ? ridgeFixtureModel()
      : mlpFixtureModel();
  const log = (m: string) => console.log(`[zk] ${m}`);
  const source = path
    ? relative(REPO_ROOT, path)
    : target.name === 'ridge'
      ? `agent ridge forecaster trained to ${RIDGE_FIXTURE_TRAIN_END} (src/zk/ridge.ts ridgeFixtureModel)`
      : `agent MLP forecaster trained to ${RIDGE_FIXTURE_TRAIN_END} (src/zk/ridge.ts mlpFixtureModel)`;
  log(`target ${target.name}; model: ${source}`);
  const art = await setup(model, { ptau: process.env.PROVENANT_PTAU, log });
  if (art.ptauId === 'devnet') console.warn(DEVNET_SETUP_WARNING);

  const out = join(COMMITTED_DIR, target.name);
  mkdirSync(out, { recursive: true });
  copyFileSync(art.circuit, join(out, 'circuit.circom'));
  copyFileSync(join(art.dir, 'layout.json'), join(out, 'layout.json'));
  writeFileSync(join(out, 'vkey.json'), `${JSON.stringify(art.vkey, null, 1)}\n`);
  const zkeySize = statSync(art.zkey).size;
  const commitZkey = target.commitAll || zkeySize < MAX_COMMITTED_ZKEY;
  if (commitZkey) copyFileSync(art.zkey, join(out, 'circuit.zkey'));
  // A stale key or compiled circuit next to the new layout.json would be picked up for the new circuit.
  else rmSync(join(out, 'circuit.zkey'), { force: true });
  // Compiled circuit: committed when small, so a fresh clone needs neither circom nor a setup.
  const compiled: Record<string, string> = {
    'circuit.r1cs': art.r1cs,
    'circuit.sym': art.sym,
    'circuit.wasm': art.wasm,
  };
  const committedCompiled =
    commitZkey &&
    (target.commitAll || Object.values(compiled).every((f) => statSync(f).size < MAX_COMMITTED_ZKEY));
  for (const [name, from] of Object.entries(compiled))
    if (committedCompiled) copyFileSync(from, join(out, name));
    else rmSync(join(out, name), { force: true });

  const zkeySha256 = fileSha256(art.zkey);
  const verifier = await exportSolidityVerifier(art.zkey, {
    circuitHash: art.circuitHash,
    zkeySha256,
    contractName: target.contract,
  });
  const verifierPath = join(REPO_ROOT, 'contracts', 'src', 'zk', target.verifierFile);
  writeFileSync(verifierPath, verifier);

  const inputs = wtiInputs(model);
  const t0 = performance.now();
  const p = await prove(art, model, inputs);
  log(
    `proved WTI ${inputs.date} in ${(performance.now() - t0).toFixed(0)} ms; forecast ${p.outputs.join(', ')} (scale 2^${model.scaleBits})`,
  );
  if (!(await verifyProof(art.vkey, p.proof, p.publicSignals)))
    throw new Error('fixture proof does not verify');

  const fixtureDir = join(REPO_ROOT, 'contracts', 'test', 'zk', 'fixtures');
  mkdirSync(fixtureDir, { recursive: true });
  const id = modelId(model);
  const commitment = zkCommitmentHex(model);
  const fixture = {
    generatedBy: 'src/zk/generateArtifacts.ts',
    date: inputs.date,
    modelId: id,
    zkCommitment: commitment,
    scaleBits: model.scaleBits,
    lastRoundId: LAST_ROUND_ID,
    answers: inputs.answers.map(String),
    accPrev: String(inputs.accPrev),
    accLast: String(p.accLast),
    features: p.features.map(String),
    outputs: p.outputs.map(String),
    proof: p.proof,
    calldata: {
      a: p.calldata.a.map(String),
      b: p.calldata.b.map((r) => r.map(String)),
      c: p.calldata.c.map(String),
      publicSignals: p.calldata.publicSignals.map(String),
    },
  };
  writeFileSync(join(fixtureDir, `${target.fixture}.json`), `${JSON.stringify(fixture, null, 1)}\n`);
  const u = (v: bigint | string) => String(v);
  const sol = `// SPDX-License-Identifier: MIT
// GENERATED by src/zk/generateArtifacts.ts — do not edit.
pragma solidity 0.8.37;

/// @notice A real Groth16 proof for the fixture model over the 21 WTI closes ending ${inputs.date} (8 decimals).
/// @dev Made with accPrev = 0: publish answers() as rounds 1..LAST_ROUND_ID of an oracle whose feed
///      accumulator has START_ROUND = 1 and acc(LAST_ROUND_ID) equals ACC_LAST = publicSignals()[1].
library ${target.library} {
    bytes32 internal constant MODEL_ID = ${id};
    bytes32 internal constant ZK_COMMITMENT = ${commitment};
    uint256 internal constant N_OUTPUTS = ${art.layout.outputs};
    uint256 internal constant N_ANSWERS = ${art.layout.answers};
    uint256 internal constant VALUE_BITS = ${art.layout.valueBits};
    uint256 internal constant N_PUBLIC = ${art.layout.publicSignalCount};
${p.outputs.map((v, i) => `    int256 internal constant OUTPUT_${i} = ${u(v)};`).join('\n')}
    uint256 internal constant ACC_LAST = ${u(p.accLast)};
    uint80 internal constant LAST_ROUND_ID = ${LAST_ROUND_ID};

    function answers() internal pure returns (int256[${inputs.answers.length}] memory) {
        return [
            int256(${inputs.answers.map(u).join('),\n            int256(')})
        ];
    }

    function a() internal pure returns (uint256[2] memory) {
        return [uint256(${p.calldata.a.map(u).join('), uint256(')})];
    }

    function b() internal pure returns (uint256[2][2] memory) {
        return [
            [uint256(${p.calldata.b[0].map(u).join('), uint256(')})],
            [uint256(${p.calldata.b[1].map(u).join('), uint256(')})]
        ];
    }

    function c() internal pure returns (uint256[2] memory) {
        return [uint256(${p.calldata.c.map(u).join('), uint256(')})];
    }

    function publicSignals() internal pure returns (uint256[] memory s) {
        s = new uint256[](${p.calldata.publicSignals.length});
${p.calldata.publicSignals.map((v, i) => `        s[${i}] = ${u(v)};`).join('\n')}
    }
}
`;
  writeFileSync(join(fixtureDir, `${target.library}.sol`), sol);
  // The fixture is ours: format it like every other Solidity file. The verifier stays byte-for-byte snarkjs.
  // Two passes: forge fmt needs a second one to settle the long number literals.
  for (let pass = 0; pass < 2; pass++) {
    spawnSync(
      process.execPath,
      ['scripts/forge.mjs', 'fmt', `contracts/test/zk/fixtures/${target.library}.sol`],
      {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      },
    );
  }

  const rel = (f: string) => relative(REPO_ROOT, f);
  const files: Record<string, string> = {
    [`zk/${target.name}/circuit.circom`]: fileSha256(join(out, 'circuit.circom')),
    [`zk/${target.name}/vkey.json`]: fileSha256(join(out, 'vkey.json')),
    [`zk/${target.name}/circuit.zkey`]: commitZkey
      ? fileSha256(join(out, 'circuit.zkey'))
      : `not committed (${zkeySize} bytes); sha256 ${zkeySha256}`,
    [rel(verifierPath)]: fileSha256(verifierPath),
  };
  for (const [name, from] of Object.entries(compiled))
    files[committedCompiled ? `zk/${target.name}/${name}` : `${name} (cache)`] = fileSha256(from);
  const entry = {
    circuitHash: art.circuitHash,
    ptau: art.ptauId,
    constraints: art.constraints,
    layout: art.layout,
    verifier: target.contract,
    model: { source, modelId: id, zkCommitment: commitment },
    files,
  };
  const artifactsPath = join(COMMITTED_DIR, 'artifacts.json');
  const previous = existsSync(artifactsPath)
    ? (JSON.parse(readFileSync(artifactsPath, 'utf8')) as { circuits?: Record<string, unknown> })
    : {};
  const artifacts = {
    note: 'sha256 of the zk artefacts in use, per circuit. ptau "devnet" = single-contributor setup made locally: NOT for production.',
    circuits: { ...(previous.circuits ?? {}), [target.name]: entry },
  };
  writeFileSync(artifactsPath, `${JSON.stringify(artifacts, null, 2)}\n`);
  log(`wrote zk/artifacts.json, zk/${target.name}/, ${rel(verifierPath)}, contracts/test/zk/fixtures/`);
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
