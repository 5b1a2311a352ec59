import type { Command } from 'commander';
import { type Address, erc20Abi, formatUnits, type Hex, isAddressEqual, isHex } from 'viem';
import {
  accruedFees,
  approveModelCall,
  claimableRevenue,
  claimRevenue,
  flushModelFees,
  listModels,
  listRegistrations,
  type ModelKindName,
  type ModelRecord,
  type ProvenantClients,
  predictSharesAddress,
  readBoundOwner,
  readModel,
  readRegistration,
  readShareBalances,
  registerModel,
  requireRegistration,
  transferShares,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { modelId as modelIdOf, parseModelFile } from '../../models/index.js';
import { readInputFile } from '../files.js';
import { printTable, toJson } from '../output.js';
import { printProposed, proposeAndSave } from './gov.js';
import { iso, vaultOf, withDeployment } from './policy.js';
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

function modelRow(m: ModelRecord) {
  return {
    modelId: m.modelId,
    kind: m.kind,
    approved: m.approved,
    owner: m.owner,
    shares: m.shares,
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
          'Pass a Provenant model file (JSON): `provenant model backtest` and the agent write them under <stateDir>/models/.',
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
      printTable(Object.entries(modelRow(record)).map(([k, v]) => [k, String(v)]));
    }
  });
};

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
      throw new NonRetryableError(`Model ${m.modelId} is already approved (registration of ${owner}).`);
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
    await requireRegistration(context.clients, registry, approval, 'model approve');
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
  await withDeployment(command, async (context, deployment) => {
    const registry = deployment.addresses.registry;
    const m = await requireModel(context.clients, registry, idText);
    if (flags.transfer) {
      if (!flags.amount) throw new NonRetryableError('--transfer needs --amount <shares>.');
      const to = parseAddress(flags.transfer, '--transfer');
      const r = await transferShares(
        context.clients,
        m.shares,
        to,
        parseAmount(flags.amount, 18, 'share amount (--amount)'),
      );
      console.log(`Transferred ${flags.amount} shares to ${to} (tx ${r.hash}).`);
    }
    const holders = (flags.holder ?? [context.clients.account.address]).map((h) => parseAddress(h, 'holder'));
    const { totalSupply, balances } = await readShareBalances(context.clients, m.shares, holders);
    const decimals = await context.clients.publicClient.readContract({
      address: deployment.addresses.collateral,
      abi: erc20Abi,
      functionName: 'decimals',
    });
    const claimable = await Promise.all(
      holders.map((h) => claimableRevenue(context.clients, registry, m.modelId, h)),
    );
    const rows = holders.map((h, i) => ({
      holder: h,
      shares: formatUnits(balances[i] ?? 0n, 18),
      percent: `${(Number(((balances[i] ?? 0n) * 1_000_000n) / totalSupply) / 10_000).toFixed(4)}%`,
      claimable: formatUnits(claimable[i] ?? 0n, decimals),
    }));
    if (flags.json) {
      console.log(
        toJson({
          modelId: m.modelId,
          shares: m.shares,
          totalSupply: formatUnits(totalSupply, 18),
          holders: rows,
        }),
      );
      return;
    }
    console.log(
      `Model ${m.modelId}: share token ${m.shares}, ${formatUnits(totalSupply, 18)} shares${m.approved ? '' : (await readBoundOwner(context.clients, registry, m.modelId)) ? ' (approval revoked)' : ` (not approved: the earliest registration, by ${m.owner}; it earns nothing unless governance approves it)`}`,
    );
    printTable(rows.map((r) => [r.holder, `${r.shares} shares (${r.percent}), claimable ${r.claimable}`]));
  });
};

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
    let flushed = 0n;
    if (flags.flush) {
      const vault = vaultOf(deployment, typeof flags.flush === 'string' ? flags.flush : 'sWTI');
      if ((await accruedFees(context.clients, vault, m.modelId)) > 1n)
        flushed = (await flushModelFees(context.clients, vault, m.modelId)).amount;
    }
    const r = await claimRevenue(context.clients, registry, m.modelId);
    const decimals = await context.clients.publicClient.readContract({
      address: deployment.addresses.collateral,
      abi: erc20Abi,
      functionName: 'decimals',
    });
    if (flags.json) {
      console.log(toJson({ modelId: m.modelId, flushed, claimed: r.amount, hash: r.hash }));
      return;
    }
    if (flushed > 0n)
      console.log(`Flushed ${formatUnits(flushed, decimals)} of accrued mint fees to the model's holders.`);
    console.log(
      `Claimed ${formatUnits(r.amount, decimals)} from model ${m.modelId.slice(0, 12)}… (tx ${r.hash}).`,
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
      if (idText) {
        const m = await requireModel(context.clients, registry, idText);
        const bound = await readBoundOwner(context.clients, registry, m.modelId);
        const others = (await listRegistrations(context.clients, registry, { modelId: m.modelId })).filter(
          (r) => !isAddressEqual(r.owner, m.owner),
        );
        const file = await modelFileStatus(context.stateDir, m.modelId, m.metadataURI);
        if (flags.json) {
          console.log(
            toJson({
              ...modelRow(m),
              bound: bound !== undefined,
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
        if (others.length > 0) {
          console.log(
            `\nOther registrations of this id (${others.length}, never approvable once the id is bound):`,
          );
          for (const r of others)
            console.log(`  ${r.owner}  shares ${r.shares}  registered ${iso(r.registeredAt)}`);
        }
        return;
      }
      const rows = (await listModels(context.clients, registry)).map(modelRow);
      if (flags.json) {
        console.log(toJson(rows));
        return;
      }
      if (rows.length === 0)
        console.log('No models registered. Register one with `provenant model register <file>`.');
      for (const r of rows) {
        printTable(Object.entries(r).map(([k, v]) => [k, String(v)]));
        console.log('');
      }
    },
    { readOnly: true },
  );
};
