import type { Command } from 'commander';
import { type Address, formatUnits, getAddress, type Hex, isAddressEqual, isHex, zeroAddress } from 'viem';
import {
  accruedFees,
  approveModelCall,
  claimableRevenue,
  claimRevenue,
  type FeeToken,
  flushModelFees,
  listModels,
  listRegistrations,
  type ModelKindName,
  type ModelRecord,
  ModelRegistrationMismatchError,
  type ProvenantClients,
  predictSharesAddress,
  readBoundOwner,
  readFeeToken,
  readModel,
  readRegistration,
  readRevenueTotals,
  readShareBalances,
  readShareHolders,
  registerModel,
  requireRegistration,
  transferShares,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { modelId as modelIdOf, parseModelFile } from '../../models/index.js';
import type { ChainContext } from '../context.js';
import { readInputFile } from '../files.js';
import { printTable, toJson } from '../output.js';
import { printProposed, proposeAndSave } from './gov.js';
import { type Deployment, iso, vaultOf, withDeployment } from './policy.js';
import { parseAddress, parseAmount, resolveModelId } from './synth.js';

const SHARE_SUPPLY = 1_000_000n * 10n ** 18n;

/** `0xholder=600000` (whole shares) pairs; the shares must sum to 1,000,000. */
export function parseHolders(
  specs: readonly string[] | undefined,
  fallback: Address,
): { holders: Address[]; amounts: bigint[] } {
  if (!specs || specs.length === 0) return { holders: [fallback], amounts: [SHARE_SUPPLY] };
  const holders: Address[] = [];
  const amounts: bigint[] = [];
  for (const spec of specs) {
    const [who, shares] = spec.split('=');
    if (!who || !shares)
      throw new NonRetryableError(`--holder '${spec}' is not <address>=<shares>.`, {
        details:
          'Example: --holder 0xabc…=600000 --holder 0xdef…=400000 (whole shares, summing to 1,000,000).',
      });
    holders.push(parseAddress(who, 'holder'));
    amounts.push(parseAmount(shares, 18, `share amount in --holder '${spec}'`));
  }
  const sum = amounts.reduce((a, b) => a + b, 0n);
  if (sum !== SHARE_SUPPLY)
    throw new NonRetryableError(`The holders' shares sum to ${formatUnits(sum, 18)}, not 1,000,000.`, {
      details: 'Every model has exactly 1,000,000 shares; list how they are split.',
    });
  return { holders, amounts };
}

/** `--zk-commitment`: a 32-byte hex value, or `none` (the zero commitment). */
export function parseZkCommitment(text: string | undefined): Hex {
  const none: Hex = `0x${'00'.repeat(32)}`;
  if (text === undefined || text === 'none') return none;
  if (!isHex(text) || text.length !== 66)
    throw new NonRetryableError(`--zk-commitment '${text}' is not a 32-byte hex value.`, {
      details:
        'Pass the commitment you reviewed as 0x followed by 64 hex digits (`provenant model show` prints it), or `none` for a model without one.',
    });
  return text;
}

/** `model claim` found nothing owed to the signer: claiming would only spend gas to receive 0. */
export class NothingToClaimError extends NonRetryableError {
  override name = 'NothingToClaimError';
}

/** `model shares --transfer` asked to move more shares than the signer holds. */
export class InsufficientSharesError extends NonRetryableError {
  override name = 'InsufficientSharesError';
  readonly held: bigint;
  readonly requested: bigint;
  constructor(modelId: Hex, holder: Address, held: bigint, requested: bigint) {
    super(
      `${holder} holds ${formatUnits(held, 18)} shares of model ${modelId.slice(0, 12)}…, fewer than the ${formatUnits(requested, 18)} asked to transfer.`,
      {
        details:
          held === 0n
            ? `Sign with the key of an account that holds shares (\`provenant model shares ${modelId.slice(0, 12)} --holder <address>\` shows balances).`
            : `Transfer at most what you hold (--amount ${formatUnits(held, 18)}), or sign with the holder's key.`,
      },
    );
    this.held = held;
    this.requested = requested;
  }
}

/** `model shares --transfer` to an address that cannot receive them usefully (the zero address, yourself). */
export class ShareRecipientError extends NonRetryableError {
  override name = 'ShareRecipientError';
}

/** Whole shares (18 decimals) as a person reads them. */
const sharesText = (amount: bigint) => formatUnits(amount, 18);
/** A fee-token amount in units with its symbol, e.g. `1.5 tUSD`. */
const feeText = (amount: bigint, token: FeeToken) => `${formatUnits(amount, token.decimals)} ${token.symbol}`;

function modelRow(m: ModelRecord) {
  return {
    modelId: m.modelId,
    kind: m.kind,
    approved: m.approved,
    owner: m.owner,
    shares: m.shares,
    zkCommitment: m.zkCommitment,
    version: m.version,
    metadataURI: m.metadataURI,
    licence: m.licence,
    registeredAt: iso(m.registeredAt),
  };
}

async function requireModel(
  clients: ProvenantClients,
  registry: Address,
  text: string,
): Promise<ModelRecord> {
  const id = await resolveModelId(clients, registry, text);
  const m = await readModel(clients, registry, id);
  if (!m)
    throw new NonRetryableError(`Model ${id} is not registered.`, {
      details: 'Register it with `provenant model register <file>`.',
    });
  return m;
}

/**
 * The figures an owner or shareholder reads next to a model: its share supply, the revenue paid in to
 * and claimed from it (none before an approval binds the id), and `viewer`'s shares and claimable
 * revenue (omitted when there is no viewer: a read-only command without a key).
 */
async function revenueView(
  context: ChainContext,
  deployment: Deployment,
  m: ModelRecord,
  bound: boolean,
  token: FeeToken,
  viewer: Address | undefined,
) {
  const registry = deployment.addresses.registry;
  const [{ totalSupply, balances }, totals, claimable] = await Promise.all([
    readShareBalances(context.clients, m.shares, viewer ? [viewer] : []),
    bound
      ? readRevenueTotals(context.clients, registry, m.modelId, deployment.addresses.fromBlock)
      : undefined,
    bound && viewer ? claimableRevenue(context.clients, registry, m.modelId, viewer) : 0n,
  ]);
  const held = balances[0] ?? 0n;
  return {
    totalShares: sharesText(totalSupply),
    revenuePaidIn: totals ? feeText(totals.paidIn, token) : 'none (never approved)',
    revenueClaimed: totals ? feeText(totals.claimed, token) : 'none (never approved)',
    ...(viewer
      ? {
          you: {
            address: viewer,
            shares: sharesText(held),
            percent: percentText(held, totalSupply),
            claimable: feeText(claimable, token),
          },
        }
      : {}),
  };
}

function revenueRows(view: Awaited<ReturnType<typeof revenueView>>): [string, string][] {
  return [
    ['total shares', view.totalShares],
    ['revenue paid in', view.revenuePaidIn],
    ['revenue claimed', view.revenueClaimed],
    ...(view.you
      ? ([
          ['your shares', `${view.you.shares} (${view.you.percent}) held by ${view.you.address}`],
          ['claimable by you', view.you.claimable],
        ] as [string, string][])
      : []),
  ];
}

/** `part` of `whole` as a percentage with up to 4 decimals, e.g. `24.99995%`. */
function percentText(part: bigint, whole: bigint): string {
  if (whole === 0n) return '0%';
  const text = formatUnits((part * 100n * 10n ** 6n) / whole, 6);
  return `${text}%`;
}

/**
 * Refuses a share split naming one holder twice: the registry would accept it, but the split then
 * differs from the one a reviewer writes (one line per holder), so the share token `model approve
 * --holder` predicts would not be the registered one.
 */
export function refuseDuplicateHolders(holders: readonly Address[], amounts: readonly bigint[]): void {
  const seen = new Map<string, bigint>();
  for (const [i, h] of holders.entries())
    seen.set(h.toLowerCase(), (seen.get(h.toLowerCase()) ?? 0n) + (amounts[i] ?? 0n));
  if (seen.size === holders.length) return;
  const repeated = holders.filter((h, i) => holders.findIndex((o) => isAddressEqual(o, h)) !== i);
  const first = getAddress(repeated[0] as Address);
  throw new NonRetryableError(`--holder names ${first} more than once.`, {
    details: `Give each holder once with all its shares, e.g. --holder ${first}=${sharesText(seen.get(first.toLowerCase()) ?? 0n)}.`,
  });
}

/** `provenant model register <file>`; registered (with its options) in registry.register.ts. */
export const registryRegisterAction = async (
  file: string,
  flags: { uri: string; licence: string; holder?: string[]; json?: boolean },
  command: Command,
) => {
  const parsed = parseModelFile(
    new Uint8Array(
      readInputFile(file, {
        what: 'model file',
        repair:
          'Pass a Provenant model file (JSON, format provenant-model/1): the repository ships models/forecaster-wti.json and models/generator-v1.json, and the agent (`provenant agent`, `provenant demo`) writes the forecaster it trains to <stateDir>/models/<id>.json.',
      }),
    ),
    file,
  );
  const id = modelIdOf(parsed);
  await withDeployment(command, async (context, deployment) => {
    const registry = deployment.addresses.registry;
    const me = context.clients.account.address;
    const [mine, bound] = await Promise.all([
      readRegistration(context.clients, registry, id, me),
      readBoundOwner(context.clients, registry, id),
    ]);
    if (mine)
      throw new NonRetryableError(`Model ${id} (${file}) is already registered by you.`, {
        details: `See it with \`provenant model show ${id.slice(0, 12)}\`.`,
      });
    if (bound && !isAddressEqual(bound, me))
      throw new NonRetryableError(
        `Model ${id} (${file}) is already approved for ${bound}'s registration; yours could never be approved.`,
        {
          details:
            'A model id is bound for good to the first registration governance approves (its revenue accounting follows that share token). Registering yours would only deploy a share token that earns nothing. To publish your own, change the model (e.g. a new version) so its id changes.',
        },
      );
    const { holders, amounts } = parseHolders(flags.holder, context.clients.account.address);
    refuseDuplicateHolders(holders, amounts);
    const r = await registerModel(context.clients, registry, {
      modelId: id,
      kind: parsed.kind as ModelKindName,
      version: parsed.version,
      metadataURI: flags.uri,
      licence: flags.licence,
      holders,
      amounts,
    });
    const record = (await readRegistration(context.clients, registry, id, me))!;
    if (flags.json) console.log(toJson({ ...modelRow(record), hash: r.hash }));
    else {
      console.log(
        `Registered model ${id} (tx ${r.hash}). Propose its approval for agent use with \`provenant model approve ${id.slice(0, 12)} --owner ${context.clients.account.address} --shares ${record.shares}\`.`,
      );
      printTable([
        ...Object.entries(modelRow(record)).map(([k, v]): [string, string] => [k, String(v)]),
        ['holders', holders.map((h, i) => `${h}=${sharesText(amounts[i] ?? 0n)}`).join(', ')],
      ]);
    }
  });
};

/** `model approve --holder …` names a share split other than the one the owner registered. */
export class ShareSplitMismatchError extends NonRetryableError {
  override name = 'ShareSplitMismatchError';
}

/**
 * When only the share token differs and the proposer named a split (`--holder`), says which split the
 * owner registered (the token's mint transfers) next to the one named, and how to approve it.
 */
async function explainSplitMismatch(
  context: ChainContext,
  deployment: Deployment,
  error: unknown,
  approval: { modelId: Hex; owner: Address; shares: Address },
  named: readonly string[],
): Promise<void> {
  if (!(error instanceof ModelRegistrationMismatchError)) return;
  if (error.differences.length !== 1 || error.differences[0]?.field !== 'shares') return;
  const registered = error.differences[0].actual as Address;
  const { initial } = await readShareHolders(context.clients, registered, deployment.addresses.fromBlock);
  if (initial.length === 0) return;
  const split = initial.map((h) => `--holder ${h.holder}=${sharesText(h.amount)}`).join(' ');
  throw new ShareSplitMismatchError(
    `${approval.owner} registered model ${approval.modelId.slice(0, 12)}… with another share split than the one named: registered ${initial.map((h) => `${h.holder}=${sharesText(h.amount)}`).join(', ')} (share token ${registered}); named ${named.join(', ')} (which would be token ${approval.shares}).`,
    {
      details: `The approval pins who earns the model's revenue. If the registered split is what you reviewed, propose with it: \`provenant model approve ${approval.modelId.slice(0, 12)} --owner ${approval.owner} ${split}\`; otherwise ask the owner why it differs.`,
      docsPath: 'docs/markets.md#modelregistry--modelshares',
    },
  );
}

/** `provenant model approve <id>`; registered (with its options) in registry.register.ts. */
export const registryApproveAction = async (
  idText: string,
  flags: {
    owner: string;
    holder?: string[];
    shares?: string;
    zkCommitment?: string;
    description?: string;
    advance?: boolean;
    pass?: boolean;
    json?: boolean;
  },
  command: Command,
) => {
  await withDeployment(command, async (context, deployment) => {
    const registry = deployment.addresses.registry;
    const m = await requireModel(context.clients, registry, idText);
    const owner = parseAddress(flags.owner, '--owner');
    if (m.approved && isAddressEqual(m.owner, owner))
      throw new NonRetryableError(`Model ${m.modelId} is already approved (registration of ${owner}).`, {
        details: `Nothing to propose: the agent may use it now. \`provenant model show ${m.modelId.slice(0, 12)}\` shows its share token and revenue.`,
      });
    if ((flags.holder === undefined) === (flags.shares === undefined))
      throw new NonRetryableError('model approve needs exactly one of --holder and --shares.', {
        details:
          "Name the share split you reviewed (--holder 0xabc…=600000 --holder 0xdef…=400000) or the share token address (--shares 0x…): the approval pins who earns the model's revenue.",
      });
    let shares: Address;
    if (flags.holder) {
      const { holders, amounts } = parseHolders(flags.holder, owner);
      shares = await predictSharesAddress(context.clients, registry, m.modelId, owner, holders, amounts);
    } else shares = parseAddress(flags.shares as string, '--shares');
    const approval = {
      modelId: m.modelId,
      owner,
      shares,
      zkCommitment: parseZkCommitment(flags.zkCommitment),
    };
    // Refuse before proposing: the registry would refuse at execution anyway.
    try {
      await requireRegistration(context.clients, registry, approval, 'model approve');
    } catch (error) {
      if (flags.holder) await explainSplitMismatch(context, deployment, error, approval, flags.holder);
      throw error;
    }
    // Describe the registration being approved (the owner's own), never the id's earliest one,
    // which may be a squatter's: voters read this text.
    const approved = (await readRegistration(context.clients, registry, m.modelId, owner)) ?? m;
    const call = approveModelCall(
      registry,
      approval,
      `approve ${approved.kind} ${m.modelId.slice(0, 12)}… owned by ${owner} for agent use`,
    );
    const description =
      flags.description ??
      `Approve ${approved.kind} model ${m.modelId} (version ${approved.version}) registered by ${owner}, shares ${shares}, zk commitment ${approval.zkCommitment}, for agent use`;
    printProposed(
      await proposeAndSave(context, deployment, { description, calls: [call] }, flags),
      flags.json,
      [
        `approve ${approved.kind} ${m.modelId.slice(0, 12)}… (version ${approved.version}) registered by ${owner}, share token ${shares}, zk commitment ${approval.zkCommitment === parseZkCommitment('none') ? 'none' : approval.zkCommitment}`,
      ],
    );
  });
};

/** `provenant model shares <id>`; registered (with its options) in registry.register.ts. */
export const registrySharesAction = async (
  idText: string,
  flags: { holder?: string[]; transfer?: string; amount?: string; json?: boolean },
  command: Command,
) => {
  if (flags.amount && !flags.transfer)
    throw new NonRetryableError('--amount is used only with --transfer <to>.', {
      details:
        '`model shares <id>` shows the holders; add `--transfer <to> --amount <shares>` to transfer shares.',
    });
  await withDeployment(
    command,
    async (context, deployment) => {
      const registry = deployment.addresses.registry;
      const m = await requireModel(context.clients, registry, idText);
      const me = context.clients.account.address;
      const token = await readFeeToken(context.clients, registry);
      let recipient: Address | undefined;
      let transferred: { to: Address; amount: string; hash: Hex } | undefined;
      if (flags.transfer) {
        if (!flags.amount)
          throw new NonRetryableError('--transfer needs --amount <shares>.', {
            details: `Name how many whole shares to move, e.g. \`provenant model shares ${m.modelId.slice(0, 12)} --transfer ${flags.transfer} --amount 1000\`.`,
          });
        const to = parseAddress(flags.transfer, '--transfer');
        const amount = parseAmount(flags.amount, 18, 'share amount (--amount)');
        if (isAddressEqual(to, zeroAddress))
          throw new ShareRecipientError('Model shares cannot be sent to the zero address.', {
            details:
              'The supply is fixed at 1,000,000 shares: they cannot be burnt. Pass the address of the new holder with --transfer.',
          });
        if (isAddressEqual(to, me))
          throw new ShareRecipientError(
            `--transfer ${to} is your own address: the transfer would change nothing.`,
            {
              details: 'Pass the address of the new holder with --transfer.',
            },
          );
        const { balances } = await readShareBalances(context.clients, m.shares, [me]);
        const held = balances[0] ?? 0n;
        if (amount > held) throw new InsufficientSharesError(m.modelId, me, held, amount);
        const r = await transferShares(context.clients, m.shares, to, amount);
        recipient = to;
        transferred = { to, amount: sharesText(amount), hash: r.hash };
        const [mine, theirs] = await Promise.all(
          [me, to].map((h) => claimableRevenue(context.clients, registry, m.modelId, h)),
        );
        const bound = (await readBoundOwner(context.clients, registry, m.modelId)) !== undefined;
        if (!flags.json) {
          console.log(
            `Transferred ${sharesText(amount)} shares of model ${m.modelId.slice(0, 12)}… to ${to} (tx ${r.hash}).`,
          );
          console.log(
            bound
              ? `Revenue paid in before the transfer stays with whoever held the shares then (the registry settled both sides first): claimable now ${feeText(mine ?? 0n, token)} by you, ${feeText(theirs ?? 0n, token)} by ${to}.`
              : 'The model is not approved, so these shares earn nothing yet.',
          );
        }
      }
      // Who to show: --holder; after a transfer, both sides; else every holder (from the token's
      // transfers) that holds shares or has revenue to claim, and you.
      const everyHolder = !flags.holder && !recipient;
      const candidates = flags.holder
        ? flags.holder.map((h) => parseAddress(h, 'holder'))
        : recipient
          ? [me, recipient]
          : [
              ...(context.throwawaySigner ? [] : [me]),
              ...(
                await readShareHolders(context.clients, m.shares, deployment.addresses.fromBlock)
              ).holders.filter((h) => !isAddressEqual(h, me)),
            ];
      const { totalSupply, balances: candidateBalances } = await readShareBalances(
        context.clients,
        m.shares,
        candidates,
      );
      const candidateClaimable = await Promise.all(
        candidates.map((h) => claimableRevenue(context.clients, registry, m.modelId, h)),
      );
      const keep = candidates.map(
        (h, i) =>
          !everyHolder ||
          (isAddressEqual(h, me) && !context.throwawaySigner) ||
          (candidateBalances[i] ?? 0n) > 0n ||
          (candidateClaimable[i] ?? 0n) > 0n,
      );
      const holders = candidates.filter((_, i) => keep[i]);
      const balances = candidateBalances.filter((_, i) => keep[i]);
      const claimable = candidateClaimable.filter((_, i) => keep[i]);
      const rows = holders.map((h, i) => ({
        holder: h,
        you: isAddressEqual(h, me) && !context.throwawaySigner,
        shares: sharesText(balances[i] ?? 0n),
        percent: percentText(balances[i] ?? 0n, totalSupply),
        claimable: formatUnits(claimable[i] ?? 0n, token.decimals),
      }));
      if (flags.json) {
        console.log(
          toJson({
            modelId: m.modelId,
            shares: m.shares,
            totalSupply: sharesText(totalSupply),
            token: token.symbol,
            ...(transferred ? { transferred } : {}),
            holders: rows,
          }),
        );
        return;
      }
      console.log(
        `Model ${m.modelId}: share token ${m.shares}, ${formatUnits(totalSupply, 18)} shares${m.approved ? '' : (await readBoundOwner(context.clients, registry, m.modelId)) ? ' (approval revoked)' : ` (not approved: the earliest registration, by ${m.owner}; it earns nothing unless governance approves it)`}`,
      );
      printTable(
        rows.map((r) => [
          r.holder,
          `${r.shares} shares (${r.percent}), claimable ${r.claimable} ${token.symbol}${r.you ? '  (you)' : ''}`,
        ]),
      );
      // Reading needs no key (a read-only command on a configured endpoint); a transfer signs.
    },
    { readOnly: !flags.transfer },
  );
};

/** Every deployed synthetic vault, by symbol (`SyntheticVault.<symbol>` in the manifest). */
function deployedVaults(deployment: Deployment): { symbol: string; vault: Address }[] {
  return Object.entries(deployment.manifest.contracts)
    .filter(([name]) => name.startsWith('SyntheticVault.'))
    .map(([name, entry]) => ({ symbol: name.slice('SyntheticVault.'.length), vault: entry.address }));
}

/**
 * Refuses a claim that would pay the signer nothing (it would only spend gas), naming the signer's
 * shares, what the model was paid in, and where more revenue may be waiting (fees a vault accrued for
 * the model and has not flushed).
 */
async function refuseEmptyClaim(
  context: ChainContext,
  deployment: Deployment,
  m: ModelRecord,
  token: FeeToken,
): Promise<never> {
  const me = context.clients.account.address;
  const registry = deployment.addresses.registry;
  const [{ totalSupply, balances }, totals, accrued] = await Promise.all([
    readShareBalances(context.clients, m.shares, [me]),
    readRevenueTotals(context.clients, registry, m.modelId, deployment.addresses.fromBlock),
    Promise.all(
      deployedVaults(deployment).map(async (v) => ({
        ...v,
        amount: await accruedFees(context.clients, v.vault, m.modelId),
      })),
    ),
  ]);
  const held = balances[0] ?? 0n;
  const short = m.modelId.slice(0, 12);
  // The vault keeps 1 unit in each slot (a flush moves amount - 1).
  const waiting = accrued.filter((v) => v.amount > 1n);
  const figures = `${me} holds ${sharesText(held)} of its ${sharesText(totalSupply)} shares; the model has been paid ${feeText(totals.paidIn, token)} in revenue, ${feeText(totals.claimed, token)} of it claimed`;
  const details =
    held === 0n
      ? `Revenue is paid pro rata to the holders of share token ${m.shares} at the time it arrives, and it stays with them when they transfer shares. Sign with a holder's key (\`provenant model shares ${short} --holder <address>\` shows balances and claimable amounts).`
      : waiting.length > 0
        ? `Fees are waiting in ${waiting.map((v) => `the ${v.symbol} vault (${feeText(v.amount - 1n, token)})`).join(' and ')}: route them to the holders first with \`provenant model claim ${short} --flush ${waiting[0]!.symbol}\`.`
        : 'Your share of the revenue so far has been claimed. More arrives as the agent uses the model (vault mint fees, flushed with `--flush`, and NFT mint fees); `provenant model show ' +
          short +
          '` shows what you can claim.';
  throw new NothingToClaimError(`Nothing to claim from model ${short}… for ${me}: ${figures}.`, {
    details,
  });
}

/** `provenant model claim <id>`; registered (with its options) in registry.register.ts. */
export const registryClaimAction = async (
  idText: string,
  flags: { flush?: string | boolean; json?: boolean },
  command: Command,
) => {
  await withDeployment(command, async (context, deployment) => {
    const registry = deployment.addresses.registry;
    const m = await requireModel(context.clients, registry, idText);
    if (!(await readBoundOwner(context.clients, registry, m.modelId)))
      throw new NonRetryableError(`Model ${m.modelId} was never approved, so it has no revenue to claim.`, {
        details:
          'Revenue (and vault fee flushing) starts once governance approves one registration of the id (`provenant model approve`).',
      });
    const token = await readFeeToken(context.clients, registry);
    const me = context.clients.account.address;
    let flushed = 0n;
    if (flags.flush) {
      const symbol = typeof flags.flush === 'string' ? flags.flush : 'sWTI';
      const vaults = deployedVaults(deployment);
      if (!vaults.some((v) => v.symbol.toLowerCase() === symbol.toLowerCase()))
        throw new NonRetryableError(
          `--flush ${symbol}: no synthetic '${symbol}' is deployed on this chain.`,
          {
            details: `Deployed synthetics: ${vaults.map((v) => v.symbol).join(', ') || 'none'}. Pass one of them with --flush (or --flush alone for sWTI).`,
          },
        );
      const vault = vaultOf(deployment, symbol);
      if ((await accruedFees(context.clients, vault, m.modelId)) > 1n)
        flushed = (await flushModelFees(context.clients, vault, m.modelId)).amount;
    }
    if (flushed > 0n && !flags.json)
      console.log(`Flushed ${feeText(flushed, token)} of accrued mint fees to the model's holders.`);
    // Claiming nothing would only spend gas: refuse it, saying why (checked after any flush).
    if ((await claimableRevenue(context.clients, registry, m.modelId, me)) === 0n)
      await refuseEmptyClaim(context, deployment, m, token);
    const r = await claimRevenue(context.clients, registry, m.modelId);
    if (flags.json) {
      console.log(
        toJson({
          modelId: m.modelId,
          token: token.symbol,
          decimals: token.decimals,
          // base units (the fee token's smallest unit), as before; *Units are the same in whole units
          flushed,
          claimed: r.amount,
          flushedUnits: formatUnits(flushed, token.decimals),
          claimedUnits: formatUnits(r.amount, token.decimals),
          hash: r.hash,
        }),
      );
      return;
    }
    console.log(
      `Claimed ${feeText(r.amount, token)} from model ${m.modelId.slice(0, 12)}… to ${me} (tx ${r.hash}).`,
    );
  });
};

/**
 * Where an auditor finds the bytes of a registered model, and whether they are the model: the file behind
 * `metadataURI` (ipfs://<cid>) in the local content store, else `<stateDir>/models/<id>.json`, must hash
 * (keccak256) to the model id.
 */
export async function modelFileStatus(
  stateDir: string,
  modelId: Hex,
  metadataURI: string,
): Promise<{ status: 'matches' | 'differs' | 'not-stored'; path?: string; text: string }> {
  const { ContentStore } = await import('../../provenance/index.js');
  const { keccak256 } = await import('viem');
  const { existsSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const cid = metadataURI.startsWith('ipfs://') ? metadataURI.slice('ipfs://'.length) : undefined;
  const store = new ContentStore(stateDir);
  if (cid) {
    let path: string | undefined;
    try {
      path = store.pathOf(cid);
    } catch {}
    if (path && existsSync(path)) {
      let bytes: Uint8Array;
      try {
        bytes = await store.get(cid);
      } catch (error) {
        return {
          status: 'differs',
          path,
          text: `${path} is damaged: ${(error as Error).message.split('\n')[0]}`,
        };
      }
      const id = keccak256(bytes);
      return id === modelId
        ? { status: 'matches', path, text: `${path} (${metadataURI}) hashes to the model id` }
        : {
            status: 'differs',
            path,
            text: `${path} (${metadataURI}) hashes to ${id}, NOT the model id: the URI does not name this model's file`,
          };
    }
  }
  const local = join(stateDir, 'models', `${modelId}.json`);
  if (existsSync(local)) {
    const id = keccak256(new Uint8Array(readFileSync(local)));
    return id === modelId
      ? { status: 'matches', path: local, text: `${local} hashes to the model id` }
      : { status: 'differs', path: local, text: `${local} hashes to ${id}, NOT the model id` };
  }
  return {
    status: 'not-stored',
    text: `not in ${store.dir} or ${join(stateDir, 'models')}: fetch ${cid ? metadataURI : 'the file'} and check that its keccak256 is the model id`,
  };
}

/** `provenant model show [id]`; registered (with its options) in registry.register.ts. */
export const registryShowAction = async (
  idText: string | undefined,
  flags: { json?: boolean },
  command: Command,
) => {
  await withDeployment(
    command,
    async (context, deployment) => {
      const registry = deployment.addresses.registry;
      // Whose shares and claimable revenue to show: the signer, unless a read without a key.
      const viewer = context.throwawaySigner ? undefined : context.clients.account.address;
      if (idText) {
        const m = await requireModel(context.clients, registry, idText);
        const bound = await readBoundOwner(context.clients, registry, m.modelId);
        const others = (await listRegistrations(context.clients, registry, { modelId: m.modelId })).filter(
          (r) => !isAddressEqual(r.owner, m.owner),
        );
        const file = await modelFileStatus(context.stateDir, m.modelId, m.metadataURI);
        const token = await readFeeToken(context.clients, registry);
        const view = await revenueView(context, deployment, m, bound !== undefined, token, viewer);
        if (flags.json) {
          console.log(
            toJson({
              ...modelRow(m),
              bound: bound !== undefined,
              ...view,
              otherRegistrations: others.map(modelRow),
              file,
            }),
          );
          return;
        }
        console.log(
          bound
            ? `Model ${m.modelId}: bound to ${bound}'s registration (${m.approved ? 'approved' : 'approval revoked'}).`
            : `Model ${m.modelId}: never approved; showing the earliest registration (anyone may register any id: check the owner before proposing approval).`,
        );
        printTable([
          ...Object.entries(modelRow(m)).map(([k, v]): [string, string] => [k, String(v)]),
          ['file', `${file.status === 'matches' ? '✓' : file.status === 'differs' ? '✗' : '–'} ${file.text}`],
        ]);
        console.log(`\nShares and revenue (share token ${m.shares}):`);
        printTable(revenueRows(view));
        if (others.length > 0) {
          console.log(
            `\nOther registrations of this id (${others.length}, never approvable once the id is bound):`,
          );
          for (const r of others)
            console.log(`  ${r.owner}  shares ${r.shares}  registered ${iso(r.registeredAt)}`);
        }
        return;
      }
      const models = await listModels(context.clients, registry, deployment.addresses.fromBlock);
      const token = await readFeeToken(context.clients, registry);
      const views = await Promise.all(
        models.map(async (m) =>
          revenueView(
            context,
            deployment,
            m,
            (await readBoundOwner(context.clients, registry, m.modelId)) !== undefined,
            token,
            viewer,
          ),
        ),
      );
      if (flags.json) {
        console.log(toJson(models.map((m, i) => ({ ...modelRow(m), ...views[i] }))));
        return;
      }
      if (models.length === 0)
        console.log('No models registered. Register one with `provenant model register <file>`.');
      models.forEach((m, i) => {
        printTable([
          ...Object.entries(modelRow(m)).map(([k, v]): [string, string] => [k, String(v)]),
          ...revenueRows(views[i]!),
        ]);
        console.log('');
      });
    },
    { readOnly: true },
  );
};
