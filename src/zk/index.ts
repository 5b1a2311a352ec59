/**
 * Zero-knowledge proofs of the forecaster's inference (circom 2 + snarkjs Groth16).
 *
 * generateCircuit (model file → circom: oracle features derived from 21 answers bound by the feed
 * accumulator, the model, the weight commitment) · accumulate (the accumulator's Poseidon chain) · setup (compile, devnet or ceremony ptau, phase 2; cached) ·
 * prove / verifyProof (in-process) · zkCommitment (Poseidon over the weights, for ModelRegistry) ·
 * exportSolidityVerifier. See docs in each file; the circuit's rules are in circuit.ts.
 */
export { accumulate, accumulatorChain } from './accumulator.js';
export {
  type CircuitLayout,
  type CircuitOptions,
  type GeneratedCircuit,
  generateCircuit,
  templatesSource,
} from './circuit.js';
export {
  COMMITMENT_CHUNK,
  weightElements,
  zkCommitment,
  zkCommitmentHex,
  zkCommitmentOfElements,
} from './commitment.js';
export {
  DEFAULT_VALUE_BITS,
  fromField,
  inValueRange,
  packPerElement,
  packValues,
  toField,
  unpackValues,
  VALUE_BITS,
} from './encoding.js';
export { ZkAccumulatorBehindError, ZkCircuitError, ZkToolError } from './errors.js';
export { constraintsPerPart, recordedArtifacts, type ZkInfo, zkInfo } from './info.js';
export {
  absorbRounds,
  accumulatorAt,
  lastAbsorbed,
  latestRounds,
  mintWithProof,
  proveFromChain,
  recordedForecast,
  submitForecastProof,
  zkMaxDebt,
} from './onchain.js';
export { FIELD_P, poseidon } from './poseidon.js';
export {
  decodePublicSignals,
  expectedPublicSignals,
  type ForecastProof,
  type ProveParameters,
  prove,
  toCalldata,
  verifyProof,
  witnessInput,
} from './prover.js';
export { ANSWER_DECIMALS, wtiInputs } from './realInputs.js';
export {
  fixedPointAgreement,
  mlpFixtureModel,
  oracleFixtureModel,
  oracleFixtureTraining,
  RIDGE_FIXTURE_TRAIN_END,
  ridgeFixtureModel,
} from './ridge.js';
export { ABS_TO_ANNUAL_VOL_WAD, type ZkRiskConfig, zkMaxDebtOf } from './risk.js';
export {
  COMMITTED_DIR,
  type CompiledCircuit,
  committedDirFor,
  compileCircom,
  compileCircuit,
  DEFAULT_CACHE_DIR,
  DEVNET_SETUP_WARNING,
  devnetPtau,
  fileSha256,
  REPO_ROOT,
  type SetupOptions,
  setup,
  type ZkArtifacts,
} from './setup.js';
export { type Groth16Proof, releaseCurves, type VerificationKey } from './snarkjs.js';
export { exportSolidityVerifier } from './solidityVerifier.js';
export { testModel } from './testModel.js';
export { calculateWitness, checkWitness, readSym } from './witness.js';
