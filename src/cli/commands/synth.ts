import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { type Address, erc20Abi, formatUnits, getAddress, type Hex, keccak256, toBytes } from 'viem';
import {
  balanceOf,
  DEVNET_ROLES,
  depositCollateral,
  ensureAllowance,
  liquidatePosition,
  listModels,
  mintSynth,
  type ProvenantClients,
  prepareMintSynth,
  readPosition,
  repaySynth,
  syntheticVaultAbi,
  withdrawCollateral,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { type ExplainContext, type PolicyState, preflight, readPolicies } from '../../policy/index.js';
import { type ChainContext, type GlobalOptions, openChain, withShutdown } from '../context.js';
import { printTable, toJson } from '../output.js';
import { parseAddress as parseAddressText, parseFixedPoint } from '../parse.js';
import { type Deployment, loadDeployment, vaultOf } from './policy.js';

/** A policy refused the action in preflight; nothing was sent. */
export class PolicyRefusedError extends NonRetryableError {
  override name = 'PolicyRefusedError';
  readonly errorName: string;
  constructor(sentence: string, errorName: string) {
    super(sentence, {
      details: `Nothing was sent (preflight simulated the call and the contract refused it with ${errorName}). See the limits with \`provenant policy show\`; a limit changes through \`provenant gov propose --set-limit\`.`,
      docsPath: 'docs/governance.md',
    });
    this.errorName = errorName;
  }
}

/** Everything a synth command needs: the vault, its synth token and collateral, with decimals. */
export type SynthMarket = {
  symbol: string;
  vault: Address;
  synth: Address;
  collateral: Address;
  collateralDecimals: number;
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
  const collateralDecimals = await read({ address: collateral, abi: erc20Abi, functionName: 'decimals' });
  return { symbol, vault, synth, collateral, collateralDecimals };
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
  if (!result.ok) throw new PolicyRefusedError(result.refusal.sentence, result.refusal.errorName);
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
  flags: { mint?: string; model?: string; intent?: string },
  command: Command,
) => {
  const mint = flags.mint ? parseSynthAmount(flags.mint, 'synth amount (--mint)', command) : undefined;
  await withMarket(command, flags.mint ? 'agent' : 'default', async (context, deployment, m) => {
    const amount = parseAmount(amountText, m.collateralDecimals, 'collateral amount (<collateral>)');
    const me = context.clients.account.address;
    await ensureAllowance(context.clients, m.collateral, m.vault, amount);
    const deposited = await depositCollateral(context.clients, m.vault, {
      owner: me,
      amount,
      intentId: intentKey(undefined, 'deposit'),
    });
    console.log(`Deposited ${amountText} collateral into ${m.symbol} position ${me} (tx ${deposited.hash}).`);
    if (flags.mint && mint !== undefined) await doMint(context, deployment, m, mint, flags.mint, flags);
    await printPosition(context.clients, m, me, false);
  });
};

/** `provenant synth mint <amount>`; registered (with its options) in synth.register.ts. */
export const synthMintAction = async (
  amountText: string,
  flags: { model?: string; intent?: string; json?: boolean },
  command: Command,
) => {
  const amount = parseSynthAmount(amountText, 'synth amount (<amount>)', command);
  await withMarket(command, 'agent', async (context, deployment, m) => {
    const result = await doMint(context, deployment, m, amount, amountText, flags);
    if (flags.json)
      console.log(toJson({ hash: result.hash, gasUsed: result.gasUsed, events: result.events }));
    else await printPosition(context.clients, m, context.clients.account.address, false);
  });
};

/** `provenant synth burn <amount>`; registered (with its options) in synth.register.ts. */
export const synthBurnAction = async (amountText: string, flags: { owner?: string }, command: Command) => {
  const ownerFlag = flags.owner ? parseAddress(flags.owner, '--owner') : undefined;
  const amount = parseSynthAmount(amountText, 'synth amount (<amount>)', command);
  await withMarket(command, 'default', async (context, _d, m) => {
    const owner = ownerFlag ?? context.clients.account.address;
    const r = await repaySynth(context.clients, m.vault, {
      owner,
      amount,
      intentId: intentKey(undefined, 'repay'),
    });
    console.log(`Repaid ${amountText} ${m.symbol} of ${owner} (tx ${r.hash}).`);
    await printPosition(context.clients, m, owner, false);
  });
};

/** `provenant synth withdraw <amount>`; registered (with its options) in synth.register.ts. */
export const synthWithdrawAction = async (amountText: string, flags: { to?: string }, command: Command) => {
  const toFlag = flags.to ? parseAddress(flags.to, '--to') : undefined;
  await withMarket(command, 'default', async (context, _d, m) => {
    const me = context.clients.account.address;
    const amount = parseAmount(amountText, m.collateralDecimals, 'collateral amount (<amount>)');
    const to = toFlag ?? me;
    const r = await withdrawCollateral(context.clients, m.vault, {
      amount,
      to,
      intentId: intentKey(undefined, 'withdraw'),
    });
    console.log(`Withdrew ${amountText} collateral to ${to} (tx ${r.hash}).`);
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
    const position = await readPosition(context.clients, m.vault, owner);
    const mine = await balanceOf(context.clients, m.synth, context.clients.account.address);
    let maxRepay = maxRepayFlag ?? smaller(position.debt, mine);
    if (maxRepay === 0n)
      throw new NonRetryableError(`You hold no ${m.symbol} to repay ${owner}'s debt with.`, {
        details: `Liquidation burns the liquidator's synth. Buy some (\`provenant pool swap --in usd\`) or receive a transfer, then try again.`,
      });
    if (maxRepay > position.debt) maxRepay = position.debt;
    const r = await liquidatePosition(context.clients, m.vault, {
      owner,
      maxRepay,
      intentId: intentKey(undefined, 'liquidate'),
    });
    const ev = r.events.find((e) => e.eventName === 'Liquidated');
    if (flags.json) {
      console.log(toJson({ hash: r.hash, liquidated: ev?.args }));
      return;
    }
    printTable([
      ['liquidated', owner],
      ['debt repaid', `${formatUnits((ev?.args.debtRepaid as bigint) ?? 0n, 18)} ${m.symbol}`],
      [
        'you received',
        `${formatUnits((ev?.args.toLiquidator as bigint) ?? 0n, m.collateralDecimals)} collateral`,
      ],
      ['to the reserve', formatUnits((ev?.args.toReserve as bigint) ?? 0n, m.collateralDecimals)],
      ['tx', r.hash],
    ]);
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

async function doMint(
  context: ChainContext,
  deployment: Deployment,
  m: SynthMarket,
  amount: bigint,
  amountText: string,
  flags: { model?: string; intent?: string },
) {
  const modelId = await resolveModelId(
    context.clients,
    deployment.addresses.registry,
    flags.model,
    'forecaster',
  );
  const intentId = intentKey(flags.intent, 'mint');
  const call = prepareMintSynth(m.vault, { amount, modelId, intentId });
  await preflightOrExplain(context, deployment, call);
  const result = await mintSynth(context.clients, m.vault, { amount, modelId, intentId });
  const minted = result.events.find((e) => e.eventName === 'Minted');
  console.log(
    `Minted ${amountText} ${m.symbol} sized by model ${modelId.slice(0, 12)}…; fee ${formatUnits((minted?.args.fee as bigint) ?? 0n, m.collateralDecimals)} collateral accrued to the model (tx ${result.hash}).`,
  );
  return result;
}

async function printPosition(
  clients: ProvenantClients,
  m: SynthMarket,
  owner: Address,
  json: boolean,
): Promise<void> {
  const read = clients.publicClient.readContract;
  const [position, risk, totalDebt, debtCeiling, price] = await Promise.all([
    readPosition(clients, m.vault, owner),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'riskParams' }),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'totalDebt' }),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'debtCeiling' }),
    read({ address: m.vault, abi: syntheticVaultAbi, functionName: 'priceWad' }).catch(() => undefined),
  ]);
  const row = {
    synth: m.symbol,
    vault: m.vault,
    owner,
    collateral: formatUnits(position.collateral, m.collateralDecimals),
    debt: formatUnits(position.debt, 18),
    ratio: pct(position.ratioBps),
    liquidatable: position.liquidatable ?? null,
    price: price === undefined ? null : formatUnits(price, 18),
    minCollateralRatio: pct(BigInt(risk.minCollateralRatioBps)),
    liquidationRatio: pct(BigInt(risk.liquidationRatioBps)),
    liquidationPenalty: pct(BigInt(risk.liquidationPenaltyBps)),
    mintFee: pct(BigInt(risk.mintFeeBps)),
    mintingPaused: risk.mintingPaused,
    totalDebt: formatUnits(totalDebt, 18),
    debtCeiling: formatUnits(debtCeiling, 18),
  };
  if (json) {
    console.log(toJson(row));
    return;
  }
  printTable([
    ['position', `${owner} in ${m.symbol} (${m.vault})`],
    ['collateral', row.collateral],
    ['debt', `${row.debt} ${m.symbol}`],
    ['ratio', `${row.ratio}${row.liquidatable ? '  LIQUIDATABLE' : ''}`],
    [
      'price',
      row.price === null
        ? 'no fresh price (the oracle round is stale or missing)'
        : `${row.price} USD per ${m.symbol}`,
    ],
    [
      'ratios min / liquidation / penalty',
      `${row.minCollateralRatio} / ${row.liquidationRatio} / ${row.liquidationPenalty}`,
    ],
    ['mint fee', `${row.mintFee}${row.mintingPaused ? ' (minting PAUSED)' : ''}`],
    ['total debt / ceiling', `${row.totalDebt} / ${row.debtCeiling}`],
  ]);
}
