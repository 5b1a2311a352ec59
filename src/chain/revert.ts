import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  decodeErrorResult,
  type Hex,
} from 'viem';
import { NonRetryableError } from '../errors/index.js';
import { allErrorsAbi } from './generated/contracts.js';

/**
 * A contract refused the call with a custom error. Carries the error's name and its decoded values,
 * so the CLI and the agent can explain the refusal (which rule, which value, which limit).
 */
export class ContractRevertError extends NonRetryableError {
  override name = 'ContractRevertError';
  readonly errorName: string;
  readonly args: Record<string, unknown>;
  readonly data: Hex | undefined;
  constructor(errorName: string, args: Record<string, unknown>, data: Hex | undefined, cause?: unknown) {
    const shown = Object.entries(args)
      .map(([k, v]) => `${k}=${typeof v === 'bigint' ? v.toString() : String(v)}`)
      .join(', ');
    super(`The contract refused the call: ${errorName}(${shown}).`, { cause, docsPath: 'docs/errors.md' });
    this.errorName = errorName;
    this.args = args;
    this.data = data;
  }
}

type AbiError = { type: 'error'; name: string; inputs: readonly { name: string; type: string }[] };

/** Decodes revert data against every custom error the project's contracts declare (plus Error/Panic). */
export function decodeRevertData(
  data: Hex,
  extraAbi: readonly unknown[] = [],
): { errorName: string; args: Record<string, unknown> } | undefined {
  const abi = [...(allErrorsAbi as readonly unknown[]), ...extraAbi] as readonly AbiError[];
  try {
    const decoded = decodeErrorResult({ abi, data });
    const definition = abi.find((e) => e.type === 'error' && e.name === decoded.errorName);
    const named: Record<string, unknown> = {};
    (decoded.args ?? []).forEach((value, index) => {
      named[definition?.inputs[index]?.name || `arg${index}`] = value;
    });
    return { errorName: decoded.errorName, args: named };
  } catch {
    return undefined;
  }
}

/**
 * Turns a viem error from a call, simulation or gas estimate into a ContractRevertError when it is a
 * revert whose data decodes; otherwise returns undefined (the caller keeps the original error).
 */
export function toContractRevertError(error: unknown): ContractRevertError | undefined {
  if (error instanceof ContractRevertError) return error;
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  if (reverted?.data?.errorName) {
    const definition = reverted.data.abiItem as AbiError | undefined;
    const named: Record<string, unknown> = {};
    (reverted.data.args ?? []).forEach((value, index) => {
      named[definition?.inputs[index]?.name || `arg${index}`] = value;
    });
    return new ContractRevertError(reverted.data.errorName, named, reverted.raw, error);
  }
  const raw = (reverted?.raw ?? findRevertData(error)) as Hex | undefined;
  if (raw && raw.length >= 10) {
    const decoded = decodeRevertData(raw);
    if (decoded) return new ContractRevertError(decoded.errorName, decoded.args, raw, error);
  }
  return undefined;
}

function findRevertData(error: BaseError): Hex | undefined {
  const found = error.walk(
    (e) =>
      typeof (e as { data?: unknown }).data === 'string' &&
      String((e as { data: string }).data).startsWith('0x'),
  );
  return (found as { data?: Hex } | null)?.data;
}

/**
 * True when a read failed because the contract reverted or returned nothing (no such function, no code):
 * "the feed has no such round / is no proxy", not a transport error, which callers let propagate.
 */
export function isContractRevert(error: unknown): boolean {
  return (
    error instanceof BaseError &&
    error.walk(
      (e) => e instanceof ContractFunctionRevertedError || e instanceof ContractFunctionZeroDataError,
    ) !== null
  );
}
