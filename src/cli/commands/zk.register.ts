import type { Command } from 'commander';
import { lazyAction } from '../lazy.js';

// Options and help only: the handlers live in zk.ts and load, with the zk module (snarkjs, circom) and
// viem, when a `zk` command runs, so building the program (`provenant --help`) stays cheap.
const actions = () => import('./zk.js');

export function registerZk(program: Command): void {
  const zk = program
    .command('zk')
    .description(
      'Zero-knowledge proofs of the forecaster inference (circom + Groth16): setup, prove, verify, info.',
    );

  zk.command('setup')
    .description(
      'Compile the circuit of the model architecture and make (or reuse) its Groth16 keys; cached.',
    )
    .option(
      '--ptau <file>',
      'a public powers-of-tau ceremony file (bn128); without it: single-contributor DEVNET setup',
    )
    .option('--model <file>', 'model file whose architecture the circuit proves')
    .option(
      '--kind <kind>',
      'shipped architecture when no --model: ridge (default, committed keys) or mlp',
      'ridge',
    )
    .action(lazyAction(actions, 'zkSetupAction'));

  zk.command('info')
    .description('Constraints per layer, public signals and artefact hashes of the circuit for a model.')
    .option('--model <file>', 'model file')
    .option('--kind <kind>', 'shipped architecture when no --model: ridge (default) or mlp', 'ridge')
    .option('--json', 'print JSON')
    .action(lazyAction(actions, 'zkInfoAction'));

  zk.command('prove')
    .description(
      "Prove the registered forecaster's forecast from the chain's latest WTI rounds; writes a proof file.",
    )
    .option(
      '--model <file>',
      'model file (default: the stored forecaster whose commitment the registry holds)',
    )
    .option('--out <file>', 'proof file to write', 'proof.json')
    .option('--submit', 'also submit the proof to ForecastProofGate.WTI')
    .action(lazyAction(actions, 'zkProveAction'));

  zk.command('verify <proofFile>')
    .description(
      'Verify a proof file off-chain against the verification key of its circuit; exit 1 if invalid.',
    )
    .action(lazyAction(actions, 'zkVerifyAction'));
}
