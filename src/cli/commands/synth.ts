import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import {
  type Address,
  erc20Abi,
  formatUnits,
  getAddress,
  type Hex,
  keccak256,
  toBytes,
  zeroAddress,
} from 'viem';
import {
  balanceOf,
  DEVNET_ROLES,
  depositCollateral,
  ensureAllowance,
  liquidatePosition,
  listModels,
  mintSynth,
  type ProvenantClients,
  policyGuardAbi,
  prepareMintSynth,
  readMintedLogs,
  readMintNonce,
  readPosition,
  readVaultPrice,
  repaySynth,
  syntheticVaultAbi,
  toContractRevertError,
  type WriteReturnType,
  withdrawCollateral,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import {
  type ExplainContext,
  explainRefusal,
  type PolicyState,
  preflight,
  readPolicies,
} from '../../policy/index.js';
import { type ChainContext, type GlobalOptions, openChain, withShutdown } from '../context.js';
import { printTable, toJson } from '../output.js';
import { parseAddress as parseAddressText, parseFixedPoint } from '../parse.js';
import { type Deployment, loadDeployment, vaultOf } from './policy.js';
import { positionOutlook } from './synth.outlook.js';

/**
 * Preflight refused the action; nothing was sent. A policy's refusal (`Policy*`) points at the policy
 * limits; a refusal by the contract's own rules (the vault's ratio, debt ceiling, pause, zk requirement,
 * the oracle) points at `synth show`, since no policy limit would change it.
 */
export class PolicyRefusedError extends NonRetryableError {
  override name = 'PolicyRefusedError';
  readonly errorName: string;
  constructor(sentence: string, errorName: string) {
    const policy = errorName.startsWith('Policy');
    super(sentence, {
      details: policy
        ? `Nothing was sent (preflight simulated the call and the contract refused it with ${errorName}). See the limits with \`provenant policy show\`; a limit changes through \`provenant gov propose --set-limit\`.`
        : `Nothing was sent (preflight simulated the call and the contract refused it with ${errorName}). This is a rule of the contract, not a policy limit: \`provenant synth show\` prints the position, its price and the vault's limits.`,
      docsPath: policy ? 'docs/governance.md' : 'docs/markets.md',
    });
    this.errorName = errorName;
  }
}

/** A synth command refused before sending anything, with the numbers and the fix. */
export class SynthActionRefusedError extends NonRetryableError {
  override name = 'SynthActionRefusedError';
}

/** Sentences for contract refusals the shared explainer prints raw (`Refused by the contract: X()`). */
const VAULT_SENTENCES: Record<string, string> = {
  ZkProofRequired:
    'Refused by the vault: it accepts zk-proven mints only (zkRequired is on), and `synth mint` sends a plain mint; proven mints are sent by the agent (`provenant agent run`, which proves each forecast with `proveAndMint`), or governance switches zkRequired off (SyntheticVault.setZkRequired(false) through the timelock).',
  ZkPathDisabled:
    'Refused by the vault: its zk mint path is not configured (no proof gate), so no proven mint is possible; governance configures it (SyntheticVault.setZkConfig through the timelock).',
};

/** Everything a synth command needs: the vault, its synth token and collateral, with decimals. */
export type SynthMarket = {
  symbol: string;
  vault: Address;
  synth: Address;
  collateral: Address;
  collateralDecimals: number;
  /** The collateral token's symbol (tUSD on the devnet). */
  collateralSymbol: string;
  /** The PolicyGuard whose `agent()` is the only account the vault lets mint. */
  guard: Address;
};

export async function synthMarket(
  clients: ProvenantClients,
  deployment: Deployment,
  symbol: string,
): Promise<SynthMarket> {
  const vault = vaultOf(deployment, symbol);
  const read = clients.publicClient.readContract;
  const [synth, collateral] = await Promise.all([
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'SYNTH' }),
    read({ address: vault, abi: syntheticVaultAbi, functionName: 'COLLATERAL' }),
  ]);
  const [collateralDecimals, collateralSymbol] = await Promise.all([
    read({ address: collateral, abi: erc20Abi, functionName: 'decimals' }),
    read({ address: collateral, abi: erc20Abi, functionName: 'symbol' }),
  ]);
  return {
    symbol,
    vault,
    synth,
    collateral,
    collateralDecimals,
    collateralSymbol,
    guard: deployment.addresses.guard,
  };
}

/** The guard's agent (the only account the vault lets mint, against its own position) and the vault's zk rule. */
export async function readMintRole(
  clients: ProvenantClients,
  m: SynthMarket,
): Promise<{ agent: Address; zkRequired: boolean }> {
  const read = clients.publicClient.readContract;
  const [agent, zkRequired] = await Promise.all([
    read({ address: m.guard, abi: policyGuardAbi, functionName: 'agent' }),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'zkRequired' }),
  ]);
  return { agent, zkRequired };
}

/**
 * Only the guard's agent mints (the vault asks the guard, whatever zkRequired says), so a mint signed by
 * any other key is refused first with that reason, naming the agent; `beforeDeposit` when `open --mint`
 * would otherwise have deposited.
 */
async function refuseNonAgentMint(
  clients: ProvenantClients,
  m: SynthMarket,
  beforeDeposit: boolean,
): Promise<{ agent: Address; zkRequired: boolean }> {
  const me = clients.account.address;
  const role = await readMintRole(clients, m);
  const { agent } = role;
  if (agent.toLowerCase() === me.toLowerCase() && agent !== zeroAddress) return role;
  throw new SynthActionRefusedError(
    agent === zeroAddress
      ? `No agent key is set in the guard (its \`agent()\` is the zero address), so nobody may mint ${m.symbol} now; you sign as ${me}.`
      : `Only the agent ${agent} may mint ${m.symbol} (the guard's \`agent()\`, \`provenant policy show\`); you sign as ${me}, so the vault would refuse this mint whatever its zk rule.`,
    {
      details: `${beforeDeposit ? 'Nothing was sent: the deposit was not made either. ' : 'Nothing was sent. '}A holder opens a position and deposits collateral (\`provenant synth open <collateral>\`, without --mint), withdraws it and repays debt (\`synth burn\`); the agent mints against its own position (\`provenant agent run\`). To hold ${m.symbol}, buy it from the pool: \`provenant pool swap <usd> --in usd\`.`,
      docsPath: 'docs/markets.md#cli',
    },
  );
}

/**
 * Parses a positive token amount in whole units (`1500`, `0.25`, `1_000`) exactly: more decimals than
 * the token has, or more than a uint256, are refused (parseFixedPoint), never rounded. `what` names the
 * amount and its flag or argument, e.g. `synth amount (<amount>)`.
 */
export function parseAmount(text: string, decimals: number, what: string, unit?: string): bigint {
  return parseFixedPoint(text, { what, decimals, unit });
}

/** An address given as `what`; a mixed-case address must carry a valid EIP-55 checksum (parse.ts). */
export function parseAddress(text: string, what: string): Address {
  return parseAddressText(text, what, getAddress);
}

/** A fresh idempotency key, or one derived from `--intent <text>` (reuse it to retry the same action safely). */
export function intentKey(text: string | undefined, kind: string): Hex {
  return keccak256(toBytes(`provenant-cli:${kind}:${text ?? randomUUID()}`));
}

/** The model that sized a mint: `--model <id|prefix>`, else the newest approved forecaster in the registry. */
export async function resolveModelId(
  clients: ProvenantClients,
  registry: Address,
  text: string | undefined,
  kind?: 'forecaster' | 'generator',
): Promise<Hex> {
  const models = await listModels(clients, registry);
  if (text) {
    const matches = models.filter((m) => m.modelId.toLowerCase().startsWith(text.toLowerCase()));
    if (matches.length === 1) return matches[0]!.modelId;
    throw new NonRetryableError(
      matches.length === 0
        ? `No registered model matches '${text}'.`
        : `'${text}' matches ${matches.length} models.`,
      {
        details: `Registered: ${models.map((m) => `${m.modelId.slice(0, 12)}… (${m.kind}${m.approved ? ', approved' : ''})`).join('; ') || 'none'}. See \`provenant model show\`.`,
      },
    );
  }
  const approved = models.filter((m) => m.approved && (!kind || m.kind === kind));
  const last = approved.at(-1);
  if (!last)
    throw new NonRetryableError(
      `No approved ${kind ?? ''} model is registered, so nothing may size this action.`,
      {
        details:
          'Register one with `provenant model register` and approve it with `provenant model approve` (a governance proposal).',
      },
    );
  return last.modelId;
}

/** Explanation context for refusals: policies now, synth amounts in whole units. */
export async function explainContext(
  clients: ProvenantClients,
  deployment: Deployment,
): Promise<ExplainContext> {
  const policies = await readPolicies(clients.publicClient, deployment.addresses.guard, deployment.labels);
  return {
    policies,
    formatAmount: (p: PolicyState | undefined, amount: bigint) =>
      p?.actionLabel === 'SYNTH_MINT' ? formatUnits(amount, 18) : String(amount),
  };
}

/** Preflights a call from the signer and throws PolicyRefusedError with the explained sentence if it would revert. */
export async function preflightOrExplain(
  context: ChainContext,
  deployment: Deployment,
  call: { to: Address; data: Hex },
): Promise<void> {
  const result = await preflight(
    context.clients.publicClient,
    { from: context.clients.account.address, to: call.to, data: call.data },
    await explainContext(context.clients, deployment),
  );
  if (!result.ok)
    throw new PolicyRefusedError(
      VAULT_SENTENCES[result.refusal.errorName] ?? result.refusal.sentence,
      result.refusal.errorName,
    );
}

const smaller = (a: bigint, b: bigint) => (a < b ? a : b);

const pct = (bps: bigint | undefined) =>
  bps === undefined
    ? 'n/a (no fresh price)'
    : bps > 10n ** 30n
      ? '∞ (no debt)'
      : `${(Number(bps) / 100).toFixed(2)}%`;

type SynthFlags = { json?: boolean };

/** Decimals of every synthetic (SyntheticVault.Position debt and the synth token). */
const SYNTH_DECIMALS = 18;

/** Synth amounts are 18-decimal (SyntheticVault.Position), so they are checked before any chain is opened. */
function parseSynthAmount(text: string, what: string, command: Command): bigint {
  const symbol = command.optsWithGlobals<{ synth?: string }>().synth;
  return parseAmount(text, SYNTH_DECIMALS, what, symbol);
}

async function withMarket<T>(
  command: Command,
  signer: 'default' | 'agent' | 'read',
  fn: (context: ChainContext, deployment: Deployment, market: SynthMarket) => Promise<T>,
): Promise<T> {
  const globals = command.optsWithGlobals<GlobalOptions & { synth: string }>();
  const context = await openChain(
    globals,
    signer === 'agent' ? { accountIndex: DEVNET_ROLES.agent } : signer === 'read' ? { readOnly: true } : {},
  );
  return withShutdown(context.close, async () => {
    const deployment = await loadDeployment(context);
    return fn(context, deployment, await synthMarket(context.clients, deployment, globals.synth));
  });
}

/** `provenant synth open <collateral>`; registered (with its options) in synth.register.ts. */
export const synthOpenAction = async (
  amountText: string,
  flags: { mint?: string; model?: string; intent?: string; json?: boolean },
  command: Command,
) => {
  const mint = flags.mint ? parseSynthAmount(flags.mint, 'synth amount (--mint)', command) : undefined;
  await withMarket(command, flags.mint ? 'agent' : 'default', async (context, deployment, m) => {
    const amount = parseAmount(
      amountText,
      m.collateralDecimals,
      'collateral amount (<collateral>)',
      m.collateralSymbol,
    );
    const me = context.clients.account.address;
    if (mint !== undefined) {
      const { zkRequired } = await refuseNonAgentMint(context.clients, m, true);
      await refuseMintBeforeDeposit(context.clients, m, zkRequired);
      await refuseLandedMint(context, deployment, m, flags.intent);
    }
    await ensureAllowance(context.clients, m.collateral, m.vault, amount);
    const deposited = await depositCollateral(context.clients, m.vault, {
      owner: me,
      amount,
      intentId: intentKey(undefined, 'deposit'),
    });
    if (!flags.json)
      console.log(
        `Deposited ${formatUnits(amount, m.collateralDecimals)} ${m.collateralSymbol} into ${m.symbol} position ${me} (tx ${deposited.hash}).`,
      );
    const minted =
      mint === undefined
        ? undefined
        : await doMint(context, deployment, m, mint, { ...flags, quiet: Boolean(flags.json) });
    if (flags.json) {
      console.log(
        toJson({
          ...eventJson(deposited, 'Deposited', 'deposited', m.collateralSymbol, m.collateralDecimals),
          minted: minted && mint !== undefined ? mintJson(m, mint, minted) : null,
        }),
      );
      return;
    }
    await printPosition(context.clients, m, me, false);
  });
};

/**
 * `open --mint` deposits first and mints second: a mint the vault refuses whatever the deposit (zk-proven
 * mints only, minting paused) is refused before the deposit, so nothing half-done is left behind.
 */
async function refuseMintBeforeDeposit(
  clients: ProvenantClients,
  m: SynthMarket,
  /** The vault's zk rule, as the role check just read it (`readMintRole`). */
  zkRequired: boolean,
): Promise<void> {
  const risk = await clients.publicClient.readContract({
    address: m.vault,
    abi: syntheticVaultAbi,
    functionName: 'riskParams',
  });
  const rule = zkRequired
    ? VAULT_SENTENCES.ZkProofRequired
    : risk.mintingPaused
      ? 'Refused by the vault: minting is paused (by the guardian or governance); deposit, repay, withdraw and liquidation still work, and only governance can resume minting (SyntheticVault.unpauseMinting through the timelock).'
      : undefined;
  if (rule)
    throw new SynthActionRefusedError(rule, {
      details:
        'Nothing was sent: the deposit was not made either. Deposit alone with `provenant synth open <collateral>` (without --mint).',
      docsPath: 'docs/markets.md#cli',
    });
}

/**
 * `synth mint --json` (and `open --mint --json`'s `minted`): the result with every decoded event (base
 * units, as before: machines rely on them) and the Minted amounts again in whole units with their tokens.
 */
function mintJson(m: SynthMarket, amount: bigint, result: Awaited<ReturnType<typeof mintSynth>>) {
  const minted = result.events.find((e) => e.eventName === 'Minted')?.args;
  return {
    hash: result.hash,
    gasUsed: result.gasUsed,
    events: result.events,
    synth: m.symbol,
    feeToken: m.collateralSymbol,
    amount: (minted?.amount as bigint) ?? amount,
    fee: (minted?.fee as bigint) ?? 0n,
    amountUnits: formatUnits((minted?.amount as bigint) ?? amount, SYNTH_DECIMALS),
    feeUnits: formatUnits((minted?.fee as bigint) ?? 0n, m.collateralDecimals),
    ratioAfter: minted ? pct(minted.ratioAfterBps as bigint) : null,
    priceUnits: minted ? formatUnits(minted.priceWad as bigint, 18) : null,
  };
}

/**
 * The `--json` of `synth open|burn|withdraw`: the transaction, the vault event's arguments under `key`
 * (base units), the token and the amount in whole units (`amountUnits`).
 */
function eventJson(
  r: WriteReturnType,
  eventName: 'Deposited' | 'Repaid' | 'Withdrawn',
  key: string,
  token: string,
  decimals: number,
) {
  const args = r.events.find((e) => e.eventName === eventName)?.args;
  return {
    hash: r.hash,
    [key]: args,
    token,
    amountUnits: args?.amount === undefined ? null : formatUnits(args.amount as bigint, decimals),
  };
}

/** `provenant synth mint <amount>`; registered (with its options) in synth.register.ts. */
export const synthMintAction = async (
  amountText: string,
  flags: { model?: string; intent?: string; json?: boolean },
  command: Command,
) => {
  const amount = parseSynthAmount(amountText, 'synth amount (<amount>)', command);
  await withMarket(command, 'agent', async (context, deployment, m) => {
    // With --json, stdout carries the JSON document only (doMint's sentence would make it unparseable).
    const result = await doMint(context, deployment, m, amount, { ...flags, quiet: Boolean(flags.json) });
    if (flags.json) {
      console.log(toJson(mintJson(m, amount, result)));
    } else await printPosition(context.clients, m, context.clients.account.address, false);
  });
};

/** `provenant synth burn <amount>`; registered (with its options) in synth.register.ts. */
export const synthBurnAction = async (
  amountText: string,
  flags: { owner?: string; json?: boolean },
  command: Command,
) => {
  const ownerFlag = flags.owner ? parseAddress(flags.owner, '--owner') : undefined;
  const amount = parseSynthAmount(amountText, 'synth amount (<amount>)', command);
  await withMarket(command, 'default', async (context, _d, m) => {
    const me = context.clients.account.address;
    const owner = ownerFlag ?? me;
    const [position, held] = await Promise.all([
      readPosition(context.clients, m.vault, owner),
      balanceOf(context.clients, m.synth, me),
    ]);
    const whose = owner === me ? 'Your position' : `Position ${owner}`;
    if (position.debt === 0n)
      throw new SynthActionRefusedError(
        `${whose} in ${m.symbol} has no debt, so there is nothing to repay.`,
        {
          details:
            owner === me
              ? `A burn repays debt; yours is 0 ${m.symbol}. To take collateral out use \`provenant synth withdraw\`; \`provenant synth show\` prints the position.`
              : `A burn repays debt; that position's is 0 ${m.symbol} (only its owner can withdraw its collateral). \`provenant synth show ${owner}\` prints the position.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    if (amount > position.debt)
      throw new SynthActionRefusedError(
        `Repaying ${formatUnits(amount, SYNTH_DECIMALS)} ${m.symbol} is more than the debt of ${formatUnits(position.debt, SYNTH_DECIMALS)} ${m.symbol}.`,
        {
          details: `Repay at most ${formatUnits(position.debt, SYNTH_DECIMALS)} ${m.symbol}, the whole debt (you hold ${formatUnits(held, SYNTH_DECIMALS)} ${m.symbol}); \`provenant synth show${ownerFlag ? ` ${owner}` : ''}\` prints the position.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    if (amount > held)
      throw new SynthActionRefusedError(
        `You hold ${formatUnits(held, SYNTH_DECIMALS)} ${m.symbol}, less than the ${formatUnits(amount, SYNTH_DECIMALS)} ${m.symbol} to burn.`,
        {
          details: `Burn at most ${formatUnits(held, SYNTH_DECIMALS)}, or get more ${m.symbol} first (\`provenant pool swap <usd> --in usd\` buys it from the pool).`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    const r = await repaySynth(context.clients, m.vault, {
      owner,
      amount,
      intentId: intentKey(undefined, 'repay'),
    });
    if (flags.json) {
      console.log(toJson(eventJson(r, 'Repaid', 'repaid', m.symbol, SYNTH_DECIMALS)));
      return;
    }
    console.log(`Repaid ${formatUnits(amount, SYNTH_DECIMALS)} ${m.symbol} of ${owner} (tx ${r.hash}).`);
    await printPosition(context.clients, m, owner, false);
  });
};

/** `provenant synth withdraw <amount>`; registered (with its options) in synth.register.ts. */
export const synthWithdrawAction = async (
  amountText: string,
  flags: { to?: string; json?: boolean },
  command: Command,
) => {
  const toFlag = flags.to ? parseAddress(flags.to, '--to') : undefined;
  await withMarket(command, 'default', async (context, _d, m) => {
    const me = context.clients.account.address;
    const amount = parseAmount(
      amountText,
      m.collateralDecimals,
      'collateral amount (<amount>)',
      m.collateralSymbol,
    );
    const view = await readView(context.clients, m, me);
    const c = (v: bigint) => `${formatUnits(v, m.collateralDecimals)} ${m.collateralSymbol}`;
    if (amount > view.position.collateral)
      throw new SynthActionRefusedError(
        `Withdrawing ${c(amount)} is more than the ${c(view.position.collateral)} your ${m.symbol} position holds.`,
        {
          details:
            view.outlook && view.price.fresh
              ? `At most ${c(view.outlook.withdrawable)} can be withdrawn now${view.position.debt > 0n ? ` (the rest keeps the position at the minimum ratio ${pct(view.minRatioBps)})` : ''}: \`provenant synth withdraw ${formatUnits(view.outlook.withdrawable, m.collateralDecimals)}\`.`
              : `\`provenant synth show\` prints the position.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    if (view.position.debt > 0n && view.outlook && view.price.fresh && amount > view.outlook.withdrawable)
      throw new SynthActionRefusedError(
        `Withdrawing ${c(amount)} would leave your ${m.symbol} position below the minimum collateral ratio ${pct(view.minRatioBps)} (its debt is ${formatUnits(view.position.debt, SYNTH_DECIMALS)} ${m.symbol} at ${formatUnits(view.price.priceWad ?? 0n, 18)} USD per ${m.symbol}).`,
        {
          details: `At most ${c(view.outlook.withdrawable)} can be withdrawn now; repay debt first (\`provenant synth burn <amount>\`) to withdraw more.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    const to = toFlag ?? me;
    if (to.toLowerCase() === m.vault.toLowerCase())
      throw new SynthActionRefusedError(
        `--to ${to} is the ${m.symbol} vault itself: collateral sent there belongs to no position and nobody could take it out again (the vault refuses it: CollateralToVault).`,
        {
          details: `Pass an address you control with --to, or leave --to out to withdraw to ${me}.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    const r = await withdrawCollateral(context.clients, m.vault, {
      amount,
      to,
      intentId: intentKey(undefined, 'withdraw'),
    });
    if (flags.json) {
      console.log(toJson(eventJson(r, 'Withdrawn', 'withdrawn', m.collateralSymbol, m.collateralDecimals)));
      return;
    }
    console.log(`Withdrew ${c(amount)} to ${to} (tx ${r.hash}).`);
    await printPosition(context.clients, m, me, false);
  });
};

/** `provenant synth liquidate <owner>`; registered (with its options) in synth.register.ts. */
export const synthLiquidateAction = async (
  ownerText: string,
  flags: { maxRepay?: string; json?: boolean },
  command: Command,
) => {
  const owner = parseAddress(ownerText, 'owner');
  const maxRepayFlag = flags.maxRepay
    ? parseSynthAmount(flags.maxRepay, 'repay amount (--max-repay)', command)
    : undefined;
  await withMarket(command, 'default', async (context, _d, m) => {
    const [view, mine] = await Promise.all([
      readView(context.clients, m, owner),
      balanceOf(context.clients, m.synth, context.clients.account.address),
    ]);
    const { position } = view;
    const s = (v: bigint) => `${formatUnits(v, SYNTH_DECIMALS)} ${m.symbol}`;
    if (position.debt === 0n)
      throw new SynthActionRefusedError(
        `Position ${owner} in ${m.symbol} has no debt, so there is nothing to liquidate.`,
        {
          details: `Only a position with debt and a collateral ratio below the liquidation ratio ${pct(view.liquidationRatioBps)} can be liquidated. Check the address; \`provenant synth show ${owner}\` prints the position.`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    if (view.price.fresh && position.liquidatable === false && view.outlook)
      throw new SynthActionRefusedError(
        `Position ${owner} in ${m.symbol} is safe: its collateral ratio is ${pct(view.outlook.ratioBps)}, at or above the liquidation ratio ${pct(view.liquidationRatioBps)}, so it cannot be liquidated.`,
        {
          details: `At ${formatUnits(view.price.priceWad ?? 0n, 18)} USD per ${m.symbol} it is safe; it becomes liquidatable when the price reaches ${view.outlook.liquidationPriceWad === undefined ? 'n/a' : formatUnits(view.outlook.liquidationPriceWad, 18)} USD per ${m.symbol} (\`provenant synth show ${owner}\` prints its ratio and price).`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    if (mine === 0n)
      throw new SynthActionRefusedError(`You hold no ${m.symbol} to repay ${owner}'s debt with.`, {
        details: `Liquidation burns the liquidator's synth. Buy some (\`provenant pool swap <usd> --in usd\`) or receive a transfer, then try again.`,
        docsPath: 'docs/markets.md#cli',
      });
    if (maxRepayFlag !== undefined && smaller(maxRepayFlag, position.debt) > mine)
      throw new SynthActionRefusedError(
        `--max-repay ${s(maxRepayFlag)} is more than the ${s(mine)} you hold.`,
        {
          details: `Liquidation burns your own ${m.symbol}: pass --max-repay ${formatUnits(smaller(mine, position.debt), SYNTH_DECIMALS)} (or leave it out: the default is the debt, ${s(position.debt)}, or your balance if smaller).`,
          docsPath: 'docs/markets.md#cli',
        },
      );
    const maxRepay = smaller(maxRepayFlag ?? mine, position.debt);
    const r = await liquidatePosition(context.clients, m.vault, {
      owner,
      maxRepay,
      intentId: intentKey(undefined, 'liquidate'),
    });
    const ev = r.events.find((e) => e.eventName === 'Liquidated');
    if (flags.json) {
      const a = ev?.args ?? {};
      const at = (v: unknown, decimals: number) =>
        v === undefined ? null : formatUnits(v as bigint, decimals);
      // `liquidated` keeps the event's base units (machines rely on them); *Units are whole units.
      console.log(
        toJson({
          hash: r.hash,
          liquidated: ev?.args,
          synth: m.symbol,
          collateralToken: m.collateralSymbol,
          debtRepaidUnits: at(a.debtRepaid, SYNTH_DECIMALS),
          toLiquidatorUnits: at(a.toLiquidator, m.collateralDecimals),
          toReserveUnits: at(a.toReserve, m.collateralDecimals),
          priceUnits: at(a.priceWad, 18),
        }),
      );
      return;
    }
    const c = (v: unknown) =>
      `${formatUnits((v as bigint) ?? 0n, m.collateralDecimals)} ${m.collateralSymbol}`;
    printTable([
      ['liquidated', owner],
      ['debt repaid', s((ev?.args.debtRepaid as bigint) ?? 0n)],
      ['you received', c(ev?.args.toLiquidator)],
      ['to the reserve', c(ev?.args.toReserve)],
      ['at price', `${formatUnits((ev?.args.priceWad as bigint) ?? 0n, 18)} USD per ${m.symbol}`],
      ['tx', r.hash],
    ]);
    await printPosition(context.clients, m, owner, false);
  });
};

/** `provenant synth show [owner]`; registered (with its options) in synth.register.ts. */
export const synthShowAction = async (ownerText: string | undefined, flags: SynthFlags, command: Command) => {
  const ownerArg = ownerText ? parseAddress(ownerText, 'owner') : undefined;
  await withMarket(command, 'read', async (context, _d, m) => {
    if (!ownerArg && context.throwawaySigner)
      throw new NonRetryableError(
        'Whose position? No signer key is configured, so there is no "your" position.',
        {
          details: 'Pass the owner: `provenant synth show 0x…`, or configure your key (docs/chain.md#keys).',
        },
      );
    const owner = ownerArg ?? context.clients.account.address;
    await printPosition(context.clients, m, owner, Boolean(flags.json));
  });
};

/**
 * `--intent <text>` makes a retry safe: the vault keys a mint by the position's mint nonce, not by the
 * intent id, so a mint of this intent that already landed (its Minted log up to block `at`) is reported,
 * not repeated. `synth open --mint` asks before it deposits, so its retry deposits nothing either.
 */
async function refuseLandedMint(
  context: ChainContext,
  deployment: Deployment,
  m: SynthMarket,
  intent: string | undefined,
  at?: bigint,
): Promise<void> {
  if (intent === undefined) return;
  const intentId = intentKey(intent, 'mint');
  const [landed] = await readMintedLogs(context.clients, m.vault, {
    owner: context.clients.account.address,
    intentId,
    fromBlock: deployment.addresses.fromBlock,
    toBlock: at,
  });
  if (landed)
    throw new SynthActionRefusedError(
      `A mint with --intent '${intent}' already landed: ${formatUnits(landed.amount, SYNTH_DECIMALS)} ${m.symbol} in tx ${landed.hash} (block ${landed.blockNumber}); it is not minted again.`,
      {
        details: `Nothing was sent. The intent id ${intentId} is in that transaction's Minted log. To mint more, run \`provenant synth mint\` with another --intent (or none); \`provenant synth show\` prints the position.`,
        docsPath: 'docs/markets.md#cli',
      },
    );
}

async function doMint(
  context: ChainContext,
  deployment: Deployment,
  m: SynthMarket,
  amount: bigint,
  flags: { model?: string; intent?: string; quiet?: boolean },
) {
  // The role before anything else: a holder's key is refused for that, not for the zk rule or a model.
  await refuseNonAgentMint(context.clients, m, false);
  const modelId = await resolveModelId(
    context.clients,
    deployment.addresses.registry,
    flags.model,
    'forecaster',
  );
  const intentId = intentKey(flags.intent, 'mint');
  const me = context.clients.account.address;
  // The nonce and the log scan below see one chain: both at this block. (Read apart, a mint landing between
  // them, or an endpoint whose block number lags its eth_call, hides the landed mint's log while the nonce
  // has moved past it: the retry would then mint the same --intent again.)
  const at = await context.clients.publicClient.getBlockNumber({ cacheTime: 0 });
  await refuseLandedMint(context, deployment, m, flags.intent, at);
  // The mint names the position's current mint nonce; a mint that lands moves it on, so this call (and any
  // resend of it) mints at most once.
  const nonce = await readMintNonce(context.clients, m.vault, me, at);
  const call = prepareMintSynth(m.vault, { amount, modelId, intentId, nonce });
  await preflightOrExplain(context, deployment, call);
  const result = await mintSynth(context.clients, m.vault, { amount, modelId, intentId, nonce }).catch(
    async (error: unknown) => {
      // Another mint of this position landed between the preflight and the send (the simulation before the
      // send refused it: nothing was sent).
      const revert = toContractRevertError(error);
      if (revert?.errorName !== 'MintNonceMismatch') throw error;
      const refusal = explainRefusal(revert, await explainContext(context.clients, deployment));
      throw new PolicyRefusedError(refusal.sentence, refusal.errorName);
    },
  );
  const minted = result.events.find((e) => e.eventName === 'Minted');
  if (!flags.quiet)
    console.log(
      `Minted ${formatUnits(amount, SYNTH_DECIMALS)} ${m.symbol} sized by model ${modelId.slice(0, 12)}…; fee ${formatUnits((minted?.args.fee as bigint) ?? 0n, m.collateralDecimals)} ${m.collateralSymbol} accrued to the model (tx ${result.hash}).`,
    );
  return result;
}

/** A whole-unit amount as viem formats it (`1500.5`, `0.000001`). */

/** A position with its vault's values, its price (fresh or not) and, at that price, what it can do. */
async function readView(clients: ProvenantClients, m: SynthMarket, owner: Address) {
  const read = clients.publicClient.readContract;
  const [position, totalDebt, debtCeiling, price] = await Promise.all([
    readPosition(clients, m.vault, owner),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'totalDebt' }),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'debtCeiling' }),
    readVaultPrice(clients, m.vault),
  ]);
  const { risk } = price;
  const minRatioBps = BigInt(risk.minCollateralRatioBps);
  const liquidationRatioBps = BigInt(risk.liquidationRatioBps);
  const outlook =
    price.priceWad === undefined
      ? undefined
      : positionOutlook({
          collateral: position.collateral,
          debt: position.debt,
          collateralDecimals: m.collateralDecimals,
          priceWad: price.priceWad,
          minCollateralRatioBps: minRatioBps,
          liquidationRatioBps,
          mintFeeBps: BigInt(risk.mintFeeBps),
          minDebt: risk.minDebt,
          ceilingRoom: debtCeiling - totalDebt,
        });
  return { position, risk, totalDebt, debtCeiling, price, minRatioBps, liquidationRatioBps, outlook };
}

async function printPosition(
  clients: ProvenantClients,
  m: SynthMarket,
  owner: Address,
  json: boolean,
): Promise<void> {
  const [v, role, heldSynth, heldCollateral, mintNonce] = await Promise.all([
    readView(clients, m, owner),
    readMintRole(clients, m),
    balanceOf(clients, m.synth, owner),
    balanceOf(clients, m.collateral, owner),
    readMintNonce(clients, m.vault, owner),
  ]);
  const { position, risk, price, outlook } = v;
  // Only the agent mints, and only against its own position: any other position's "room to mint" is none.
  const agentsOwn = role.agent.toLowerCase() === owner.toLowerCase();
  const mintableNote = agentsOwn
    ? role.zkRequired
      ? `zk-proven mints only (zkRequired is on): the agent mints through \`provenant agent run\` (proveAndMint), not \`synth mint\``
      : null
    : `${role.agent === zeroAddress ? 'no agent key is set in the guard (nobody mints now); only the agent mints' : `only the agent ${role.agent} mints`}, and only against its own position; this position's owner deposits, withdraws and repays${role.zkRequired ? ' (and the vault takes zk-proven mints only: zkRequired is on)' : ''}`;
  const you = owner.toLowerCase() === clients.account.address.toLowerCase();
  const c = (x: bigint) => formatUnits(x, m.collateralDecimals);
  const s = (x: bigint) => formatUnits(x, SYNTH_DECIMALS);
  const age = price.now >= price.updatedAt ? price.now - price.updatedAt : 0n;
  const safe = position.debt === 0n || (outlook?.ratioBps ?? 0n) >= v.minRatioBps;
  const row = {
    synth: m.symbol,
    vault: m.vault,
    owner,
    collateral: c(position.collateral),
    collateralSymbol: m.collateralSymbol,
    debt: s(position.debt),
    /** The nonce the position's next mint names (`SyntheticVault.mintNonce`): its landed mints so far. */
    mintNonce: mintNonce.toString(),
    ratio: pct(position.ratioBps),
    liquidatable: position.liquidatable ?? null,
    price: price.fresh && price.priceWad !== undefined ? s(price.priceWad) : null,
    /** The latest round's price whether or not the vault accepts it, with its round and age. */
    lastPrice: price.priceWad === undefined ? null : s(price.priceWad),
    priceRound: price.roundId.toString(),
    priceUpdatedAt: new Date(Number(price.updatedAt) * 1000).toISOString(),
    priceAgeSeconds: Number(age),
    maxOracleAgeSeconds: Number(price.maxOracleAge),
    priceFresh: price.fresh,
    /** At the last price (fresh or not): what the position can do and where it is liquidated. */
    ratioAtLastPrice: outlook ? pct(outlook.ratioBps ?? MAX_RATIO) : null,
    withdrawable: outlook ? c(outlook.withdrawable) : null,
    /** Most the agent may mint on its own position; null for any other position (see mintableNote). */
    mintable: outlook && agentsOwn ? s(outlook.mintable) : null,
    mintableNote,
    agent: role.agent,
    zkRequired: role.zkRequired,
    /** The owner's wallet (outside the position): base units and whole units. */
    wallet: {
      holder: owner,
      synth: heldSynth,
      synthUnits: s(heldSynth),
      collateral: heldCollateral,
      collateralUnits: c(heldCollateral),
    },
    repayToMinimum: outlook ? s(outlook.repayToMinimum) : null,
    depositToMinimum: outlook ? c(outlook.depositToMinimum) : null,
    liquidationPrice: outlook?.liquidationPriceWad === undefined ? null : s(outlook.liquidationPriceWad),
    minCollateralRatio: pct(v.minRatioBps),
    liquidationRatio: pct(v.liquidationRatioBps),
    liquidationPenalty: pct(BigInt(risk.liquidationPenaltyBps)),
    mintFee: pct(BigInt(risk.mintFeeBps)),
    minDebt: s(risk.minDebt),
    mintingPaused: risk.mintingPaused,
    totalDebt: s(v.totalDebt),
    debtCeiling: s(v.debtCeiling),
  };
  if (json) {
    console.log(toJson(row));
    return;
  }
  const when = `round ${row.priceRound}, ${row.priceUpdatedAt}, ${row.priceAgeSeconds} s old; max age ${row.maxOracleAgeSeconds} s`;
  const priceLine =
    price.roundId === 0n
      ? `none: the feed ${price.feed} has no round yet (its reporters have not published; \`provenant oracle publish\`)`
      : price.priceWad === undefined
        ? `none: the feed's latest answer (${when}) is not positive`
        : price.fresh
          ? `${row.lastPrice} USD per ${m.symbol} (${when})`
          : `STALE: last ${row.lastPrice} USD per ${m.symbol} (${when}); until reporters publish a fresh round the vault refuses mints, withdrawals with debt and liquidations`;
  const stale = price.fresh ? '' : ' (at the stale price)';
  const rows: [string, string][] = [
    ['position', `${owner} in ${m.symbol} (${m.vault})`],
    ['collateral', `${row.collateral} ${m.collateralSymbol}`],
    ['debt', `${row.debt} ${m.symbol}`],
    [
      'mint nonce',
      `${row.mintNonce} (the next mint of this position names it; each mint that lands moves it on by one)`,
    ],
    [
      'ratio',
      outlook
        ? `${pct(outlook.ratioBps ?? MAX_RATIO)}${stale} vs minimum ${row.minCollateralRatio}, liquidation ${row.liquidationRatio}${row.liquidatable ? '  LIQUIDATABLE' : ''}`
        : `n/a (no price) vs minimum ${row.minCollateralRatio}, liquidation ${row.liquidationRatio}`,
    ],
    ['price', priceLine],
  ];
  if (outlook && position.debt > 0n)
    rows.push([
      'liquidation price',
      `${row.liquidationPrice} USD per ${m.symbol} (liquidatable at or above it: the position is short ${m.symbol})`,
    ]);
  if (outlook) {
    rows.push([`can withdraw${stale}`, `${row.withdrawable} ${m.collateralSymbol}`]);
    if (!agentsOwn) rows.push(['can mint', `none: ${mintableNote}`]);
    else if (safe)
      rows.push([
        `can mint${stale}`,
        `${row.mintable} ${m.symbol} more at the minimum ratio (the agent's key; policy caps may allow less: \`provenant policy show\`)${mintableNote ? `; ${mintableNote}` : ''}`,
      ]);
    if (!safe)
      rows.push([
        `to be safe${stale}`,
        `repay ${row.repayToMinimum} ${m.symbol} or deposit ${row.depositToMinimum} ${m.collateralSymbol} (back to the minimum ratio ${row.minCollateralRatio})`,
      ]);
  }
  rows.push(
    [
      'penalty / mint fee',
      `${row.liquidationPenalty} / ${row.mintFee}${row.mintingPaused ? ' (minting PAUSED)' : ''}`,
    ],
    ['total debt / ceiling', `${row.totalDebt} / ${row.debtCeiling} ${m.symbol}`],
    [
      'wallet',
      `${you ? 'you hold' : `${owner} holds`} ${row.wallet.synthUnits} ${m.symbol}, ${row.wallet.collateralUnits} ${m.collateralSymbol} (outside the position)`,
    ],
  );
  printTable(rows);
}

/** `SyntheticVault._ratioBps` without debt (type(uint256).max), for `pct`'s "no debt". */
const MAX_RATIO = 2n ** 256n - 1n;
