import { NonRetryableError } from '../errors/index.js';

/** The model cannot be turned into a circuit (unsupported activation, values out of the proven range). */
export class ZkCircuitError extends NonRetryableError {
  override name = 'ZkCircuitError';
  constructor(problem: string, details?: string) {
    super(`Cannot build the inference circuit: ${problem}`, {
      details:
        details ??
        "The circuit proves dense layers with relu or linear activations on signed fixed-point values within the circuit's valueBits (default 40).",
      docsPath: 'docs/zk.md',
    });
  }
}

/** A setup, compile or prove step failed (missing artefact, tool error, witness rejected). */
export class ZkToolError extends NonRetryableError {
  override name = 'ZkToolError';
  constructor(step: string, problem: string, details?: string, cause?: unknown) {
    super(`zk ${step} failed: ${problem}`, { details, cause, docsPath: 'docs/zk.md' });
  }
}
