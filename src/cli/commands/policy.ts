import type { Command } from 'commander';
import { type Address, formatUnits, getAddress, type Hex } from 'viem';
import { type AgentAddresses, addressLabels, agentAddresses } from '../../agent/index.js';
import {
  DEVNET_ROLES,
  type DeploymentManifest,
  GUARD_FIELDS,
  type GuardField,
  NotDeployedError,
  policyGuardAbi,
  readManifest,
  syntheticVaultAbi,
  tightenLimit,
  writeContract,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import {
  explainRefusal,
  POLICY_ACTIONS,
  type PolicyState,
  policyName,
  readPolicies,
} from '../../policy/index.js';
import {
  type ChainContext,
  type GlobalOptions,
  type OpenChainParameters,
  openChain,
  withShutdown,
} from '../context.js';
import { printTable, toJson } from '../output.js';
import { looksLikeAddress, parseAddress, parseFixedPoint } from '../parse.js';
import { ExplainedRefusalError, findRevert } from '../refusal.js';

/** The deployment this command works on: the manifest of the connected chain, and the addresses in it. */
export type Deployment = {
  manifest: DeploymentManifest;
  addresses: AgentAddresses;
  labels: Record<string, string>;
};

/** Reads `<stateDir>/deployments/<chainId>.json` and resolves the suite's addresses (the sWTI token from its vault). */
export async function loadDeployment(context: ChainContext): Promise<Deployment> {
  const chainId = context.clients.chain.id;
  const manifest = readManifest(context.stateDir, chainId);
  if (!manifest.contracts.PolicyGuard) throw new NotDeployedError('PolicyGuard', manifest);
  const code = await context.clients.publicClient.getCode({
    address: manifest.contracts.PolicyGuard.address,
  });
  if (!code || code === '0x') throw new DeploymentNotOnChainError(context.stateDir, chainId, manifest);
  const vault = manifest.contracts['SyntheticVault.sWTI']?.address;
  if (!vault) throw new NotDeployedError('SyntheticVault.sWTI', manifest);
  const synth = await context.clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'SYNTH',
  });
  const addresses = agentAddresses(manifest, { synth });
  return { manifest, addresses, labels: addressLabels(addresses) };
}

/**
 * The state dir's manifest names a PolicyGuard where the connected node has no code: another chain with
 * the same id, or a devnet started without the state the deployment was made in.
 */
export class DeploymentNotOnChainError extends NonRetryableError {
  override name = 'DeploymentNotOnChainError';
  constructor(stateDir: string, chainId: number, manifest: DeploymentManifest) {
    super(
      `The deployment in ${stateDir}/deployments/${chainId}.json is not on the connected chain: there is no contract at its PolicyGuard address ${manifest.contracts.PolicyGuard?.address}.`,
      {
        details: `The node is another chain with id ${chainId}, or a devnet started without the state this deployment was made in. Start the devnet with it (\`provenant devnet --state ${stateDir}/devnet-state.json\`, or omit --rpc-url to use the embedded one), connect to the chain it was deployed on, or deploy again (\`provenant deploy\`).`,
        docsPath: 'docs/chain.md#deployments',
      },
    );
  }
}

/** The vault of a synthetic by symbol (`sWTI`, `sXAU`), from the manifest. */
export function vaultOf(deployment: Deployment, symbol: string): Address {
  const entry = Object.entries(deployment.manifest.contracts).find(
    ([name]) => name.toLowerCase() === `syntheticvault.${symbol.toLowerCase()}`,
  );
  if (!entry) {
    const known = Object.keys(deployment.manifest.contracts)
      .filter((n) => n.startsWith('SyntheticVault.'))
      .map((n) => n.slice('SyntheticVault.'.length));
    throw new NonRetryableError(`No synthetic '${symbol}' is deployed on this chain.`, {
      details: `Deployed synthetics: ${known.join(', ') || 'none'}. Pass one of them with --synth.`,
      docsPath: 'docs/markets.md',
    });
  }
  return entry[1].address;
}

export type PolicyRef = {
  asset: Address;
  action: Hex;
  actionName: keyof typeof POLICY_ACTIONS;
  name: string;
};

/**
 * Resolves `<asset>/<ACTION>` — e.g. `sWTI/SYNTH_MINT`, `sXAU/SYNTH_MINT`, `pool/SET_FEE`, `nft/MINT`,
 * `nft/UPDATE`, a manifest name (`DynamicFeePool.sWTI/SET_FEE`), a label (`sWTI vault/SYNTH_MINT`) or an
 * address (`0x…/MINT`) — to the (asset, action) PolicyGuard keys the policy by.
 */
export function resolvePolicyRef(ref: string, deployment: Deployment): PolicyRef {
  const { assetPart, actionName } = splitPolicyRef(ref);
  const { asset, label } = resolveAssetRef(assetPart, deployment, policyRefHelp);
  return { asset, action: POLICY_ACTIONS[actionName], actionName, name: `${label ?? asset}/${actionName}` };
}

const policyRefHelp = `Write it as <asset>/<ACTION>, e.g. sWTI/SYNTH_MINT, sXAU/SYNTH_MINT, pool/SET_FEE, nft/MINT, nft/UPDATE (actions: ${Object.keys(POLICY_ACTIONS).join(', ')}). \`provenant policy show\` lists every policy.`;

/**
 * The asset text and the action of `<asset>/<ACTION>`, read without a chain (the action alone fixes a
 * limit's units, so a limit value can be checked before anything is opened).
 */
export function splitPolicyRef(ref: string): {
  assetPart: string;
  actionName: keyof typeof POLICY_ACTIONS;
  action: Hex;
} {
  const slash = ref.lastIndexOf('/');
  const assetPart = slash > 0 ? ref.slice(0, slash).trim() : '';
  const actionPart =
    slash > 0
      ? ref
          .slice(slash + 1)
          .trim()
          .toUpperCase()
      : '';
  const actionName = Object.keys(POLICY_ACTIONS).find((k) => k === actionPart) as
    | keyof typeof POLICY_ACTIONS
    | undefined;
  if (!actionName)
    throw new NonRetryableError(`'${ref}' does not name a policy action.`, { details: policyRefHelp });
  return { assetPart, actionName, action: POLICY_ACTIONS[actionName] };
}

/**
 * Resolves an asset of this deployment: an alias (`sWTI`, `sXAU`, `pool`, `nft`), a label
 * (`sWTI vault`), a manifest name (`DynamicFeePool.sWTI`) or an address.
 */
export function resolveAssetRef(
  text: string,
  deployment: Deployment,
  help = 'Name an asset: sWTI, sXAU, pool, nft, a manifest name or an address (`provenant policy show` lists them).',
): { asset: Address; label: string | undefined } {
  const a = deployment.addresses;
  const aliases: Record<string, Address> = { swti: a.vault, sxau: a.goldVault, pool: a.pool, nft: a.nft };
  const lower = text.trim().toLowerCase();
  let asset: Address | undefined;
  // Address-shaped text is an address: a bad EIP-55 checksum is named as such, not "not a known asset".
  if (looksLikeAddress(text)) asset = parseAddress(text, 'Asset', getAddress);
  else if (aliases[lower]) asset = aliases[lower];
  else {
    const byLabel = Object.entries(deployment.labels).find(([, label]) => label.toLowerCase() === lower);
    const byName = Object.entries(deployment.manifest.contracts).find(
      ([name]) => name.toLowerCase() === lower,
    );
    asset = (byLabel?.[0] as Address | undefined) ?? byName?.[1].address;
  }
  if (!asset)
    throw new NonRetryableError(`'${text}' is not a known asset of this deployment.`, { details: help });
  const found = asset;
  const label = Object.entries(deployment.labels).find(
    ([addr]) => addr.toLowerCase() === found.toLowerCase(),
  )?.[1];
  return { asset: found, label };
}

/** Decimals a limit field is written in: synth amounts (SYNTH_MINT caps) in whole synth (18 decimals), everything else raw. */
export function fieldDecimals(action: Hex, field: GuardField): number {
  return action === POLICY_ACTIONS.SYNTH_MINT && (field === 'epochCap' || field === 'lifetimeCap') ? 18 : 0;
}

/** The unit a limit is written in, after its number: `bps`, `s`, or nothing (whole synth, counts). */
export function limitUnit(action: Hex, field: GuardField): string {
  const feeField =
    action === POLICY_ACTIONS.SET_FEE &&
    (field === 'minValue' || field === 'maxValue' || field === 'maxStep');
  if (field === 'marginBps' || field === 'maxDeviationBps' || feeField) return ' bps';
  if (field === 'maxOracleAge') return ' s';
  return '';
}

/** A limit value for people, in its unit: `1500` (whole synth), `3000 bps`, `86400 s`. */
export function formatLimit(action: Hex, field: GuardField, value: bigint): string {
  return `${formatUnits(value, fieldDecimals(action, field))}${limitUnit(action, field)}`;
}

export function parseField(field: string): GuardField {
  const found = GUARD_FIELDS.find((f) => f.toLowerCase() === field.toLowerCase());
  if (!found)
    throw new NonRetryableError(`'${field}' is not a policy limit.`, {
      details: `Limits: ${GUARD_FIELDS.join(', ')}.`,
      docsPath: 'docs/governance.md',
    });
  return found;
}

/**
 * Storage width in bits of each limit field: PolicyGuard._widths() (contracts/src/policy/PolicyGuard.sol),
 * in GUARD_FIELDS order. A value above it can never be stored (the contract refuses it), so the CLI
 * refuses it first with the maximum named. policy.test.ts checks this table against the Solidity source.
 */
export const LIMIT_FIELD_BITS: Record<GuardField, number> = {
  epochCap: 96,
  lifetimeCap: 96,
  rateLimit: 16,
  subjectRateLimit: 8,
  minValue: 80,
  maxValue: 80,
  maxStep: 80,
  marginBps: 32,
  maxOracleAge: 32,
  maxDeviationBps: 32,
};

/**
 * Parses a limit value in the field's units (`2000` sWTI for a SYNTH_MINT epochCap, `15` bps for a fee)
 * exactly: more decimals than the field has (any decimals for a whole-number field) or more than the
 * field's storage width are refused, never rounded. `what` names the flag or argument it came from.
 */
export function parseLimitValue(action: Hex, field: GuardField, value: string, what?: string): bigint {
  const decimals = fieldDecimals(action, field);
  const bits = LIMIT_FIELD_BITS[field];
  return parseFixedPoint(value, {
    what: what ?? `value for ${field}`,
    decimals,
    max: 2n ** BigInt(bits) - 1n,
    maxType: `uint${bits}`,
    allowZero: true,
    unit: decimals > 0 ? 'synth' : undefined,
  });
}

export const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z');

function formatLimits(p: PolicyState, limits: PolicyState['limits']): Record<string, string> {
  return Object.fromEntries(GUARD_FIELDS.map((f) => [f, formatUnits(limits[f], fieldDecimals(p.action, f))]));
}

/** One policy as `policy show --json` prints it (amounts in whole units, times as ISO). */
export function policyRow(p: PolicyState) {
  const amount = (v: bigint) => formatUnits(v, fieldDecimals(p.action, 'epochCap'));
  const hasCap = p.limits.epochCap > 0n;
  return {
    policy: policyName(p),
    policyId: p.policyId,
    asset: p.asset,
    action: p.actionLabel,
    epochLengthSeconds: Number(p.epochLength),
    paused: p.paused,
    limits: formatLimits(p, p.limits),
    ceiling: formatLimits(p, p.ceiling),
    used: amount(p.usedThisEpoch),
    remaining: hasCap
      ? amount(p.limits.epochCap > p.usedThisEpoch ? p.limits.epochCap - p.usedThisEpoch : 0n)
      : null,
    actionsThisEpoch: Number(p.actionsThisEpoch),
    actionsRemaining: Number(
      p.limits.rateLimit > p.actionsThisEpoch ? p.limits.rateLimit - p.actionsThisEpoch : 0n,
    ),
    usedLifetime: amount(p.usedLifetime),
    remainingLifetime:
      p.limits.lifetimeCap > 0n
        ? amount(p.limits.lifetimeCap > p.usedLifetime ? p.limits.lifetimeCap - p.usedLifetime : 0n)
        : null,
    value: p.value.toString(),
    valueAtEpochStart: p.valueAtEpochStart.toString(),
    resetsAt: iso(p.epochResetsAt),
  };
}

/** The guard-wide state `policy show` prints above its table: the guard, its global pause and its roles. */
export type GuardState = {
  guard: Address;
  globallyPaused: boolean;
  /** admin: the timelock (governance); guardian: pauses and tightens; agent: acts within the limits. */
  roles: { admin: Address; guardian: Address; agent: Address };
};

/**
 * One policy as `policy show --json` prints it: `policyRow` plus what the table shows above the policies
 * (the guard, the global pause, the roles) and whether a pause is the whole guard's or the asset's
 * (`pausedBy`: they are lifted by different proposals). Kept one array of policies so existing readers work.
 */
export function policyJsonRow(p: PolicyState, g: GuardState) {
  const pausedBy = !p.paused ? null : g.globallyPaused ? 'guard' : 'asset';
  return { ...policyRow(p), pausedBy, guard: g.guard, globallyPaused: g.globallyPaused, roles: g.roles };
}

/**
 * Fields whose hard bound is a floor, not a ceiling: for them a LOWER value is looser
 * (PolicyGuard._looser), so the governed value sits at or above the bound and the guardian may only raise
 * it. policy.show.test.ts checks this list against the Solidity source.
 */
export const FLOOR_FIELDS: readonly GuardField[] = ['minValue', 'marginBps'];

/** What the hard bound of a field is called: `floor` for minValue and marginBps, else `ceiling`. */
export function hardBoundName(field: GuardField): 'floor' | 'ceiling' {
  return FLOOR_FIELDS.includes(field) ? 'floor' : 'ceiling';
}

/**
 * The label/value rows `policy show` prints for one policy (after its name line). `globallyPaused`, when
 * known, says whether a pause is the whole guard's or this asset's (they are lifted by different proposals).
 */
export function policyTableRows(p: PolicyState, globallyPaused?: boolean): [string, string][] {
  const r = policyRow(p);
  const shown = GUARD_FIELDS.filter((f) => p.limits[f] !== 0n || p.ceiling[f] !== 0n);
  const rows: [string, string][] = [
    ['id', r.policyId],
    ['epoch', `${r.epochLengthSeconds}s, resets at ${r.resetsAt}`],
  ];
  if (r.remaining !== null)
    rows.push([
      'used this epoch',
      `${shortAmount(r.used)} of ${r.limits.epochCap} (${shortAmount(r.remaining)} left)`,
    ]);
  rows.push([
    'actions this epoch',
    `${r.actionsThisEpoch} of ${r.limits.rateLimit} (${r.actionsRemaining} left)`,
  ]);
  if (r.remainingLifetime !== null)
    rows.push([
      'lifetime',
      `${shortAmount(r.usedLifetime)} of ${r.limits.lifetimeCap} (${shortAmount(r.remainingLifetime)} left)`,
    ]);
  if (p.limits.maxValue > 0n) rows.push(['value', `${r.value} (epoch started at ${r.valueAtEpochStart})`]);
  const unit = (f: GuardField) => limitUnit(p.action, f);
  for (const f of shown)
    rows.push([f, `${r.limits[f]}${unit(f)}  (${hardBoundName(f)} ${r.ceiling[f]}${unit(f)})`]);
  const pausedHow =
    globallyPaused === undefined
      ? 'yes (only governance unpauses)'
      : globallyPaused
        ? 'yes: the whole guard is paused (only governance unpauses: `provenant gov propose --unpause`)'
        : `yes: this asset is paused (only governance unpauses: \`provenant gov propose --unpause ${p.asset}\`)`;
  rows.push(['paused', r.paused ? pausedHow : 'no']);
  return rows;
}

function printPolicy(p: PolicyState, globallyPaused: boolean): void {
  console.log(`${policyName(p)}${p.paused ? '  [PAUSED]' : ''}`);
  printTable(policyTableRows(p, globallyPaused));
  console.log('');
}

/**
 * An amount for the table, at most 4 decimals (`5647.493013530899501635` → `5647.4930…`); `--json` keeps every
 * digit. The ellipsis says digits were cut, so nothing reads as exact that is not.
 */
export function shortAmount(amount: string): string {
  const [whole, fraction] = amount.split('.');
  return fraction !== undefined && fraction.length > 4 ? `${whole}.${fraction.slice(0, 4)}…` : amount;
}

/** `provenant policy show`; registered (with its options) in policy.register.ts. */
export const policyShowAction = async (flags: { json?: boolean }, command: Command) => {
  const context = await openChain(command.optsWithGlobals<GlobalOptions>(), { readOnly: true });
  await withShutdown(context.close, async () => {
    const deployment = await loadDeployment(context);
    const policies = await readPolicies(
      context.clients.publicClient,
      deployment.addresses.guard,
      deployment.labels,
    );
    const guard = deployment.addresses.guard;
    const read = <T>(functionName: 'globallyPaused' | 'guardian' | 'agent' | 'admin') =>
      context.clients.publicClient.readContract({
        address: guard,
        abi: policyGuardAbi,
        functionName,
      }) as Promise<T>;
    const [globallyPaused, guardian, agent, admin] = await Promise.all([
      read<boolean>('globallyPaused'),
      read<Address>('guardian'),
      read<Address>('agent'),
      read<Address>('admin'),
    ]);
    if (flags.json) {
      const guardState = { guard, globallyPaused, roles: { admin, guardian, agent } };
      console.log(toJson(policies.map((p) => policyJsonRow(p, guardState))));
      return;
    }
    if (policies.length === 0) {
      console.log(
        'No policies yet: governance creates them (the devnet demo passes the bootstrap proposal).',
      );
      return;
    }
    console.log(
      `PolicyGuard ${guard} on chain ${context.clients.chain.id}: ${policies.length} policies; ${globallyPaused ? 'GLOBALLY PAUSED (every agent action is refused until governance unpauses)' : 'not globally paused'}`,
    );
    printTable([
      ['governance (timelock)', `${admin}: sets limits within the hard bounds, unpauses`],
      ['guardian', `${guardian}: pauses and tightens at once, never loosens`],
      ['agent', `${agent}: acts within the limits, configures nothing`],
    ]);
    console.log('');
    for (const p of policies) printPolicy(p, globallyPaused);
    console.log(
      'Amounts of SYNTH_MINT caps are in whole synth; a limit never goes above its ceiling or below its floor (minValue, marginBps); changes: `provenant gov propose --set-limit`.',
    );
  });
};

/** `provenant policy pause [asset]`; registered (with its options) in policy.register.ts. */
export const policyPauseAction = async (assetText: string | undefined, _flags: unknown, command: Command) => {
  await withGuardian(command, async (context, deployment) => {
    const guard = deployment.addresses.guard;
    if (assetText === undefined) {
      const r = await writeContract(context.clients, {
        address: guard,
        abi: policyGuardAbi,
        functionName: 'pause',
        args: [],
        label: 'pause the guard',
      }).catch((error: unknown) => explainGuardRefusal(error, context, deployment));
      console.log(`Guard paused: every agent action is refused until governance unpauses (tx ${r.hash}).`);
      return;
    }
    const { asset, label } = resolveAssetRef(assetText, deployment);
    const r = await writeContract(context.clients, {
      address: guard,
      abi: policyGuardAbi,
      functionName: 'pauseAsset',
      args: [asset],
      label: `pause ${label ?? asset}`,
    }).catch((error: unknown) => explainGuardRefusal(error, context, deployment));
    console.log(
      `${label ?? asset} paused: its agent actions are refused until governance unpauses (tx ${r.hash}).`,
    );
  });
};

/**
 * `provenant policy tighten <policy> <field> <value>`; registered (with its options) in policy.register.ts.
 */
export const policyTightenAction = async (
  ref: string,
  fieldText: string,
  valueText: string,
  _flags: unknown,
  command: Command,
) => {
  // Checked before the chain is opened: the action (from the text) fixes the value's units.
  const field = parseField(fieldText);
  const value = parseLimitValue(splitPolicyRef(ref).action, field, valueText, `${field} value (<value>)`);
  await withGuardian(command, async (context, deployment) => {
    const p = resolvePolicyRef(ref, deployment);
    const r = await tightenLimit(context.clients, deployment.addresses.guard, {
      asset: p.asset,
      action: p.action,
      field,
      value,
    }).catch((error: unknown) => explainGuardRefusal(error, context, deployment));
    console.log(`${p.name}: ${field} tightened to ${valueText} (tx ${r.hash}).`);
  });
};

/**
 * Opens the chain (`parameters`: which devnet account signs, read-only), loads this state dir's
 * deployment, runs `fn`, and closes what it opened: the frame of every deployment command.
 */
export async function withDeployment<T>(
  command: Command,
  fn: (context: ChainContext, deployment: Deployment) => Promise<T>,
  parameters: OpenChainParameters = {},
): Promise<T> {
  const context = await openChain(command.optsWithGlobals<GlobalOptions>(), parameters);
  return withShutdown(context.close, async () => fn(context, await loadDeployment(context)));
}

/**
 * Re-throws a guard refusal of a guardian action explained with the guard's policies: the policy by name
 * (not its id) and amounts in the field's unit (whole synth for SYNTH_MINT caps), e.g.
 * `Refused: the guardian may only tighten policy 'sWTI vault/SYNTH_MINT'; epochCap 1500 → 1600 would loosen it …`.
 */
async function explainGuardRefusal(
  error: unknown,
  context: ChainContext,
  deployment: Deployment,
): Promise<never> {
  const revert = findRevert(error);
  if (!revert) throw error;
  const policies = await readPolicies(
    context.clients.publicClient,
    deployment.addresses.guard,
    deployment.labels,
  ).catch(() => []);
  const refusal = explainRefusal(revert, {
    policies,
    labels: deployment.labels,
    formatAmount: (p, amount) =>
      p ? formatUnits(amount, fieldDecimals(p.action, 'epochCap')) : String(amount),
  });
  throw new ExplainedRefusalError(refusal.sentence, revert);
}

/**
 * Runs a guardian action: on the embedded devnet it signs with the devnet's guardian account; against
 * a configured RPC endpoint with the configured signer, which must be the guard's guardian (or admin).
 */
function withGuardian(
  command: Command,
  fn: (context: ChainContext, deployment: Deployment) => Promise<void>,
): Promise<void> {
  return withDeployment(command, fn, { accountIndex: DEVNET_ROLES.guardian });
}
