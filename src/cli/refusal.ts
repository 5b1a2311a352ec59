import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Abi, decodeFunctionData, erc20Abi, type Hex } from 'viem';
import {
  ContractRevertError,
  type DeploymentManifest,
  readManifest,
  syntheticVaultAbi,
  toContractRevertError,
} from '../chain/index.js';
import { NonRetryableError } from '../errors/index.js';
import { type ExplainContext, explainRefusal } from '../policy/index.js';

/** The contracts of a deployment as the error printer needs them: names by address, tokens, vaults. */
export type DeploymentLabels = {
  /** Address (lower case) → a name people use (`sWTI vault`, `tUSD`). */
  labels: Record<string, string>;
  /** The collateral token of the vaults, when the deployment names one. */
  collateral: { address: string; symbol: string; decimals: number } | undefined;
  /** Vault address (lower case) → its synth symbol (`sWTI`). */
  vaults: Record<string, string>;
};

/** Readable names for a deployment manifest's contracts (same names `policy show` uses). */
export function deploymentLabels(manifests: readonly { contracts: Record<string, { address: string }> }[]) {
  const result: DeploymentLabels = { labels: {}, collateral: undefined, vaults: {} };
  for (const manifest of manifests) {
    for (const [name, entry] of Object.entries(manifest.contracts ?? {})) {
      const address = String(entry?.address ?? '').toLowerCase();
      if (!/^0x[0-9a-f]{40}$/.test(address)) continue;
      const [kind, symbol] = name.split('.');
      if (kind === 'SyntheticVault' && symbol) {
        result.labels[address] = `${symbol} vault`;
        result.vaults[address] = symbol;
      } else if (kind === 'DynamicFeePool' && symbol) result.labels[address] = `${symbol}/USD pool`;
      else if (name === 'ProvenanceNFT') result.labels[address] = 'Market Art NFT';
      else if (name === 'TestStablecoin') {
        result.labels[address] = 'tUSD';
        result.collateral = { address, symbol: 'tUSD', decimals: 6 };
      } else result.labels[address] = name;
    }
  }
  return result;
}

/** Reads every deployment manifest under `<stateDir>/deployments/`; unreadable ones are ignored (best effort). */
export function readDeploymentLabels(stateDir: string): DeploymentLabels {
  const dir = join(stateDir, 'deployments');
  const manifests: DeploymentManifest[] = [];
  try {
    if (existsSync(dir))
      for (const f of readdirSync(dir).filter((n) => /^\d+\.json$/.test(n))) {
        try {
          manifests.push(readManifest(stateDir, Number(f.slice(0, -'.json'.length))));
        } catch {}
      }
  } catch {}
  return deploymentLabels(manifests);
}

/**
 * The contract and function the CLI called, from viem's error chain: `contractAddress`/`functionName` of a
 * ContractFunctionExecutionError, or the `to:`/`data:` lines of a CallExecutionError (sendPrepared calls
 * with raw calldata), whose selector is looked up in the vault and ERC-20 ABIs.
 */
export function calledFunction(error: unknown): { address?: string; functionName?: string } {
  let current: unknown = error;
  for (let depth = 0; current && depth < 12; depth++) {
    const c = current as {
      contractAddress?: unknown;
      functionName?: unknown;
      metaMessages?: unknown;
      cause?: unknown;
    };
    if (typeof c.contractAddress === 'string' || typeof c.functionName === 'string')
      return {
        ...(typeof c.contractAddress === 'string' ? { address: c.contractAddress.toLowerCase() } : {}),
        ...(typeof c.functionName === 'string' ? { functionName: c.functionName } : {}),
      };
    if (Array.isArray(c.metaMessages)) {
      const text = c.metaMessages.join('\n');
      const to = /^\s*to:\s+(0x[0-9a-fA-F]{40})\b/m.exec(text)?.[1];
      const data = /^\s*data:\s+(0x[0-9a-fA-F]{8,})/m.exec(text)?.[1];
      if (to)
        return { address: to.toLowerCase(), ...(data ? { functionName: functionOf(data as Hex) } : {}) };
    }
    current = c.cause;
  }
  return {};
}

/** The name of the vault / ERC-20 function a calldata calls, or undefined. */
function functionOf(data: Hex): string | undefined {
  try {
    return decodeFunctionData({ abi: [...syntheticVaultAbi, ...erc20Abi] as Abi, data }).functionName;
  } catch {
    return undefined;
  }
}

/**
 * Which token an ERC20Insufficient* refusal is about, from the call that met it: the collateral token
 * itself, or a vault's deposit (collateral, 6 decimals) versus its repay / liquidate (synth, 18 decimals).
 */
export function tokenOfCall(
  call: { address?: string; functionName?: string },
  deployment: DeploymentLabels,
): ExplainContext['token'] {
  const c = deployment.collateral;
  if (c && call.address === c.address) return { symbol: c.symbol, decimals: c.decimals };
  const synth = call.address ? deployment.vaults[call.address] : undefined;
  if (synth && call.functionName) {
    if (/^deposit/i.test(call.functionName))
      return { symbol: c?.symbol ?? 'collateral', decimals: c?.decimals ?? 6 };
    if (/^(repay|liquidate)/i.test(call.functionName)) return { symbol: synth, decimals: 18 };
  }
  return undefined;
}

/** The refusal a command failed with, wherever it sits in the error's cause chain (or `.revert`). */
export function findRevert(error: unknown): ContractRevertError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 12; depth++) {
    if (current instanceof ContractRevertError) return current;
    const revert = (current as { revert?: unknown }).revert;
    if (revert instanceof ContractRevertError) return revert;
    current = (current as { cause?: unknown }).cause;
  }
  return toContractRevertError(error);
}

/** A contract refusal explained for a person; `refusal` keeps the raw error name and values. */
export class ExplainedRefusalError extends NonRetryableError {
  override name = 'ExplainedRefusalError';
  constructor(
    sentence: string,
    readonly revert: ContractRevertError,
  ) {
    super(sentence, {
      details: `The transaction was not sent or did not take effect (the contract reverted with ${revert.errorName}).`,
      docsPath: 'docs/errors.md#contract-refusals',
      cause: revert,
    });
  }
}

const FUNDING_HINT =
  'On the devnet the collateral is TestStablecoin (tUSD), an open faucet: anyone may call its mint(address to, uint256 amount), with amount in base units (1 tUSD = 1000000), up to 1e12 tUSD per call; the CLI has no faucet command.';

/**
 * Turns a raw contract refusal that reached the CLI's error printer into one sentence (through the same
 * `explainRefusal` the agent uses), with the deployment's names for addresses and token amounts in whole
 * units. Errors that are not refusals, and refusals already explained, are returned unchanged.
 */
export function explainCliError(error: unknown, deployment: DeploymentLabels): unknown {
  if (error instanceof ExplainedRefusalError) return error;
  if (error instanceof NonRetryableError && !(error instanceof ContractRevertError)) {
    // A command's own error (e.g. a preflight refusal, already a sentence): keep it.
    if (!(error as { revert?: unknown }).revert) return error;
  }
  const revert = findRevert(error);
  if (!revert) return error;
  const token = tokenOfCall(calledFunction(revert), deployment);
  const context: ExplainContext = {
    labels: deployment.labels,
    ...(token ? { token } : {}),
    ...(deployment.collateral && token?.symbol === deployment.collateral.symbol
      ? { fundingHint: FUNDING_HINT }
      : {}),
  };
  return new ExplainedRefusalError(explainRefusal(revert, context).sentence, revert);
}
