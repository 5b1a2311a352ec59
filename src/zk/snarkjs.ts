import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Minimal typed view of the parts of snarkjs 0.7.6 this module uses (the package ships no types). */
export type SnarkLogger = {
  info: (msg: string) => void;
  debug: (msg: string) => void;
  warn: (msg: string) => void;
  error: (msg: string) => void;
};
export type Groth16Proof = {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
};
export type VerificationKey = { protocol: string; curve: string; nPublic: number } & Record<string, unknown>;
type FileRef = string | { type: 'mem'; data?: Uint8Array };

export type SnarkJs = {
  curves: {
    getCurveFromName(
      name: string,
      options?: { singleThread?: boolean },
    ): Promise<{ terminate(): Promise<void> }>;
  };
  powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: SnarkLogger): Promise<unknown>;
    contribute(
      oldFile: string,
      newFile: string,
      name: string,
      entropy: string,
      logger?: SnarkLogger,
    ): Promise<unknown>;
    preparePhase2(oldFile: string, newFile: string, logger?: SnarkLogger): Promise<unknown>;
  };
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: SnarkLogger): Promise<unknown>;
    contribute(
      oldZkey: string,
      newZkey: string,
      name: string,
      entropy: string,
      logger?: SnarkLogger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: string, logger?: SnarkLogger): Promise<VerificationKey>;
    exportSolidityVerifier(
      zkey: string,
      templates: Record<string, string>,
      logger?: SnarkLogger,
    ): Promise<string>;
  };
  groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: FileRef,
      zkey: FileRef,
      logger?: SnarkLogger,
      wtnsCalcOptions?: unknown,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    prove(
      zkey: string,
      wtns: FileRef,
      logger?: SnarkLogger,
      options?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(
      vkey: VerificationKey,
      publicSignals: string[],
      proof: Groth16Proof,
      logger?: SnarkLogger,
    ): Promise<boolean>;
    exportSolidityCallData(proof: Groth16Proof, publicSignals: string[]): Promise<string>;
  };
  wtns: {
    calculate(input: Record<string, unknown>, wasm: string, wtns: FileRef, options?: unknown): Promise<void>;
    check(r1cs: string, wtns: string, logger?: SnarkLogger): Promise<boolean>;
  };
  r1cs: {
    info(
      r1cs: string,
      logger?: SnarkLogger,
    ): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number; nVars: number }>;
  };
};

const require = createRequire(import.meta.url);
export const snarkjs = require('snarkjs') as SnarkJs;

/** Path of a file shipped inside the snarkjs package (templates). */
export function snarkjsFile(relative: string): string {
  return join(dirname(require.resolve('snarkjs')), '..', relative);
}

/** A snarkjs logger that forwards info-level progress to `log` (or stays silent). */
export function snarkLogger(log?: (msg: string) => void): SnarkLogger | undefined {
  if (!log) return undefined;
  return { info: log, debug: () => {}, warn: (m) => log(`warning: ${m}`), error: (m) => log(`error: ${m}`) };
}

/**
 * Stops the worker threads of snarkjs' shared bn128 curve (ffjavascript keeps it in
 * `globalThis.curve_bn128`) so a CLI process can exit; the next snarkjs call builds it again.
 */
export async function releaseCurves(): Promise<void> {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  if (g.curve_bn128) await g.curve_bn128.terminate();
}
