import { NonRetryableError } from '../errors/index.js';

/** The model cannot be turned into a circuit (unsupported activation, values out of the proven range). */
export class ZkCircuitError extends NonRetryableError {
  override name = 'ZkCircuitError';
  constructor(problem: string, details?: string) {
    super(`Cannot build the inference circuit: ${problem}`, {
      details:
        details ??
        "The circuit proves dense layers with relu or linear activations on signed fixed-point values within the circuit's valueBits (default 40).",
      docsPath: 'zk/README.md',
    });
  }
}

/** A setup, compile or prove step failed (missing artefact, tool error, witness rejected). */
export class ZkToolError extends NonRetryableError {
  override name = 'ZkToolError';
  constructor(step: string, problem: string, details?: string, cause?: unknown) {
    super(`zk ${step} failed: ${problem}`, { details, cause, docsPath: 'zk/README.md' });
  }
}

/** The feed accumulator has not absorbed the round a proof is made on, so the gate could not check it. */
export class ZkAccumulatorBehindError extends NonRetryableError {
  override name = 'ZkAccumulatorBehindError';
  constructor(accumulator: string, lastAbsorbed: bigint, needed: bigint) {
    super(
      `The feed accumulator ${accumulator} has absorbed rounds up to ${lastAbsorbed}; the proof needs round ${needed}.`,
      {
        details:
          'Absorb the new rounds first — anyone may call FeedAccumulator.absorb(latestRound) — e.g. with `provenant zk prove --submit`, which absorbs with the submitting key. The demo relayer absorbs after every round it publishes.',
        docsPath: 'docs/oracle.md',
      },
    );
  }
}
