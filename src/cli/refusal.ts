import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Abi, decodeFunctionData, erc20Abi, formatUnits, type Hex } from 'viem';
import {
  ContractRevertError,
  type DeploymentManifest,
  dynamicFeePoolAbi,
  PROPOSAL_STATES,
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

/** The vault, pool and ERC-20 functions a raw calldata is decoded against. */
const CALLED_ABI = [...syntheticVaultAbi, ...dynamicFeePoolAbi, ...erc20Abi] as Abi;

/** The name of the vault / pool / ERC-20 function a calldata calls, or undefined. */
function functionOf(data: Hex): string | undefined {
  try {
    return decodeFunctionData({ abi: CALLED_ABI, data }).functionName;
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

/**
 * The arguments of the call a refusal met, from viem's error chain: `args` of a
 * ContractFunctionExecutionError, or the `data:` line of a CallExecutionError decoded against the vault,
 * pool and ERC-20 ABIs. Undefined when neither is there.
 */
export function calledArgs(error: unknown): readonly unknown[] | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 12; depth++) {
    const c = current as { functionName?: unknown; args?: unknown; metaMessages?: unknown; cause?: unknown };
    if (typeof c.functionName === 'string' && Array.isArray(c.args)) return c.args;
    if (Array.isArray(c.metaMessages)) {
      const data = /^\s*data:\s+(0x[0-9a-fA-F]{8,})/m.exec(c.metaMessages.join('\n'))?.[1];
      if (data)
        try {
          return decodeFunctionData({ abi: CALLED_ABI, data: data as Hex }).args;
        } catch {
          return undefined;
        }
    }
    current = c.cause;
  }
  return undefined;
}

/** OpenZeppelin IGovernor.ProposalState, in enum order (GovernorUnexpectedProposalState's `current`). */
export { PROPOSAL_STATES };

/** What a proposal in each state is waiting for, or why nothing more can happen to it. */
const PROPOSAL_STATE_HINTS: Record<(typeof PROPOSAL_STATES)[number], string> = {
  Pending: 'voting has not started yet (wait for the voting delay)',
  Active: 'voting is still open (wait until it ends, then queue it if it passed)',
  Canceled: 'it was canceled and can never run; propose it again',
  Defeated: 'it did not pass (too few votes for, or no quorum); propose it again',
  Succeeded: 'it passed and waits to be queued in the timelock',
  Queued: 'it waits in the timelock until its delay has passed, then it can be executed',
  Expired: 'it was not executed in time and can never run; propose it again',
  Executed: 'it has already been executed; there is nothing left to do',
};

/** The state names set in an OpenZeppelin Governor state bitmap (bit i ⇔ ProposalState i). */
export function proposalStatesOf(bitmap: unknown): string[] {
  let bits: bigint;
  try {
    bits = BigInt(String(bitmap));
  } catch {
    return [];
  }
  return PROPOSAL_STATES.filter((_, i) => ((bits >> BigInt(i)) & 1n) === 1n);
}

const big = (v: unknown): bigint => {
  try {
    return BigInt(String(v));
  } catch {
    return 0n;
  }
};
const pct = (bps: bigint) => `${(Number(bps) / 100).toFixed(2)}%`;
const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * The refusals whose values need the call to be read (which vault, which side of the pool) or that the
 * shared explainer (src/policy) prints raw: repaying more than the debt, liquidating a safe position,
 * a pool deposit below its slippage minimum, a governance step in the wrong proposal state. Undefined
 * for every other refusal.
 */
export function explainCallRefusal(
  revert: Pick<ContractRevertError, 'errorName' | 'args'>,
  call: { address?: string; functionName?: string; args?: readonly unknown[] | undefined },
  deployment: DeploymentLabels,
): string | undefined {
  const a = revert.args;
  const synth = (call.address ? deployment.vaults[call.address] : undefined) ?? 'synth';
  const where = call.address ? deployment.labels[call.address] : undefined;
  switch (revert.errorName) {
    case 'RepayExceedsDebt': {
      const debt = `${formatUnits(big(a.debt), 18)} ${synth}`;
      return `Refused by the ${where ?? 'vault'}: repaying ${formatUnits(big(a.amount), 18)} ${synth} is more than the position's debt of ${debt}; repay at most ${debt} (\`provenant synth show\` prints the debt).`;
    }
    case 'PositionSafe': {
      const ratio = big(a.ratioBps);
      const limit = big(a.liquidationRatioBps);
      const state =
        ratio === MAX_UINT256
          ? 'has no debt'
          : `has a collateral ratio of ${pct(ratio)} (${ratio} bps), at or above the liquidation ratio ${pct(limit)} (${limit} bps)`;
      return `Refused by the ${where ?? 'vault'}: position ${String(a.owner)} ${state}, so it cannot be liquidated; only a position below the liquidation ratio can (\`provenant synth show ${String(a.owner)}\` prints its ratio).`;
    }
    case 'InsufficientAmount': {
      // DynamicFeePool.addLiquidity(amount0Desired, amount1Desired, amount0Min, amount1Min, to, deadline):
      // token0 is the synth (18 decimals), token1 the collateral. The side is the minimum it names.
      const min = big(a.minAmount);
      const mins = call.functionName === 'addLiquidity' ? call.args?.slice(2, 4).map(big) : undefined;
      const c = deployment.collateral;
      const side =
        mins && mins[0] === min && mins[1] !== min
          ? { symbol: poolSynth(where) ?? 'synth', decimals: 18 }
          : mins && mins[1] === min && mins[0] !== min
            ? { symbol: c?.symbol ?? 'collateral', decimals: c?.decimals ?? 6 }
            : undefined;
      const amount = (v: unknown) =>
        side ? `${formatUnits(big(v), side.decimals)} ${side.symbol}` : `${String(v)} base units`;
      return `Refused by the ${where ?? 'pool'}: at the pool's current ratio the deposit would take ${amount(a.amount)}, below the minimum ${amount(a.minAmount)} the slippage limit allows; the two amounts are further from the pool's ratio than --slippage-bps permits, so give them in the ratio \`provenant pool show\` prints or raise --slippage-bps.`;
    }
    case 'InsufficientOutput': {
      // swapExactIn(tokenIn, amountIn, minOut, to, deadline): the output is the other token.
      // removeLiquidity(shares, amount0Min, amount1Min, to, deadline): the side is the minimum it names.
      const c = deployment.collateral;
      const synthSide = { symbol: poolSynth(where) ?? 'synth', decimals: 18 };
      const collateralSide = { symbol: c?.symbol ?? 'collateral', decimals: c?.decimals ?? 6 };
      const min = big(a.minOut);
      let side: { symbol: string; decimals: number } | undefined;
      if (call.functionName === 'swapExactIn' && c && typeof call.args?.[0] === 'string')
        side = call.args[0].toLowerCase() === c.address.toLowerCase() ? synthSide : collateralSide;
      else if (call.functionName === 'removeLiquidity') {
        const mins = call.args?.slice(1, 3).map(big);
        side =
          mins && mins[0] === min && mins[1] !== min
            ? synthSide
            : mins && mins[1] === min && mins[0] !== min
              ? collateralSide
              : undefined;
      }
      const amount = (v: unknown) =>
        side ? `${formatUnits(big(v), side.decimals)} ${side.symbol}` : `${String(v)} base units`;
      const what =
        call.functionName === 'removeLiquidity' ? 'the withdrawal would pay' : 'the swap would pay';
      return `Refused by the ${where ?? 'pool'}: ${what} ${amount(a.amountOut)}, below the minimum ${amount(a.minOut)} the slippage limit allows (the price moved or the trade is large for the pool); retry, trade less, or raise --slippage-bps.`;
    }
    case 'GovernorUnexpectedProposalState': {
      const current = PROPOSAL_STATES[Number(big(a.current))];
      const expected = proposalStatesOf(a.expectedStates);
      const id = String(a.proposalId ?? '');
      const shortId = id.length > 14 ? `${id.slice(0, 12)}…` : id;
      const now = current
        ? `is ${current}: ${PROPOSAL_STATE_HINTS[current]}`
        : `is in state ${String(a.current)}`;
      return `Refused by the governor: proposal ${shortId} ${now}; this step needs it to be ${expected.join(' or ') || 'in another state'} (\`provenant gov status ${shortId.replace('…', '')}\` shows where it stands).`;
    }
    default:
      return undefined;
  }
}

/** The synth of a pool label (`sWTI/USD pool` → `sWTI`). */
function poolSynth(label: string | undefined): string | undefined {
  return label?.endsWith('/USD pool') ? label.slice(0, -'/USD pool'.length) : undefined;
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
      details: `Nothing changed on-chain: the contract reverted with ${revert.errorName} (a read, a simulation before sending, or a transaction that reverted).`,
      docsPath: 'docs/errors.md#contract-refusals',
      cause: revert,
    });
  }
}

const FUNDING_HINT =
  'On the devnet the collateral is TestStablecoin (tUSD), an open faucet: `provenant faucet <amount> [--to <address>]` mints tUSD in whole units (at most 1,000,000,000,000 per call).';

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
  if (!revert) return silentRevertOnDeployment(error, deployment) ?? error;
  const call = calledFunction(revert);
  const specific = explainCallRefusal(revert, { ...call, args: calledArgs(revert) }, deployment);
  if (specific) return new ExplainedRefusalError(specific, revert);
  const token = tokenOfCall(call, deployment);
  const context: ExplainContext = {
    labels: deployment.labels,
    ...(token ? { token } : {}),
    ...(deployment.collateral && token?.symbol === deployment.collateral.symbol
      ? { fundingHint: FUNDING_HINT }
      : {}),
  };
  return new ExplainedRefusalError(explainRefusal(revert, context).sentence, revert);
}

/** A deployed contract reverted with no reason at all on a function Provenant calls. */
export class SilentRevertError extends NonRetryableError {
  override name = 'SilentRevertError';
}

/**
 * A call to one of this deployment's contracts that reverted with no data (no custom error, no reason)
 * is most often a function the contract at that address does not have: a deployment made by older
 * contract code than this Provenant. Named as such instead of "Unexpected error … probably a bug".
 */
function silentRevertOnDeployment(
  error: unknown,
  deployment: DeploymentLabels,
): SilentRevertError | undefined {
  let call: { functionName?: unknown; contractAddress?: unknown } | undefined;
  let silent = false;
  let current: unknown = error;
  for (let depth = 0; current && depth < 12; depth++) {
    const e = current as {
      name?: unknown;
      functionName?: unknown;
      contractAddress?: unknown;
      data?: unknown;
      reason?: unknown;
      signature?: unknown;
    };
    if (typeof e.functionName === 'string' && typeof e.contractAddress === 'string') call ??= e;
    if (
      e.name === 'ContractFunctionRevertedError' &&
      e.data === undefined &&
      e.signature === undefined &&
      // The node's generic text is no reason: a require message or custom error would be decoded.
      (e.reason === undefined || e.reason === 'execution reverted')
    )
      silent = true;
    current = (current as { cause?: unknown }).cause;
  }
  if (!silent || !call) return undefined;
  const address = String(call.contractAddress).toLowerCase();
  const label = deployment.labels[address];
  if (!label) return undefined;
  return new SilentRevertError(
    `${label} (${call.contractAddress}) reverted without a reason on ${String(call.functionName)}().`,
    {
      details:
        'A contract of this deployment that gives no reason for a revert most often lacks the function: it was deployed from older contract code than this version of Provenant. Redeploy (`provenant deploy`; it redeploys what changed), or for the demo start over with `provenant demo --fresh` (the old state is moved aside).',
      docsPath: 'docs/chain.md#deployments',
    },
  );
}
