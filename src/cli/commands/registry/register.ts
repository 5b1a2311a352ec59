// Why: `model register` refuses a registration that could never be approved before it deploys a share token.
import type { Command } from 'commander';
import { isAddressEqual } from 'viem';
import {
  listRegistrations,
  type ModelKindName,
  type ModelRecord,
  readBoundOwner,
  readRegistration,
  registerModel,
} from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { modelId as modelIdOf, parseModelFile } from '../../../models/index.js';
import { readInputFile } from '../../files.js';
import { printTable, toJson } from '../../output.js';
import { iso, withDeployment } from '../policy.js';
import { modelRow, sharesText } from './format.js';
import { parseHolders, refuseDuplicateHolders } from './options.js';

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
    const [mine, bound, earlier] = await Promise.all([
      readRegistration(context.clients, registry, id, me),
      readBoundOwner(context.clients, registry, id),
      listRegistrations(context.clients, registry, {
        modelId: id,
        fromBlock: deployment.addresses.fromBlock,
      }),
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
    // Others' registrations of the id, read before sending (the id was not bound to anyone then).
    const others = earlier.filter((o) => !isAddressEqual(o.owner, me));
    const notice = others.length > 0 ? competingRegistrationsNotice(record, others) : null;
    if (flags.json)
      console.log(
        toJson({ ...modelRow(record), hash: r.hash, otherRegistrations: others.map(modelRow), notice }),
      );
    else {
      console.log(
        `Registered model ${id} (tx ${r.hash}). Propose its approval for agent use with \`provenant model approve ${id.slice(0, 12)} --owner ${context.clients.account.address} --shares ${record.shares}\`.`,
      );
      if (notice) console.log(notice);
      printTable([
        ...Object.entries(modelRow(record)).map(([k, v]): [string, string] => [k, String(v)]),
        ['holders', holders.map((h, i) => `${h}=${sharesText(amounts[i] ?? 0n)}`).join(', ')],
      ]);
    }
  });
};

/**
 * What a registrant needs to know when other owners registered the same id before them (none approved
 * yet): governance approves one owner's registration, whose the id shows until then, and what to do.
 */
function competingRegistrationsNotice(mine: ModelRecord, others: readonly ModelRecord[]): string {
  const first = others[0]!;
  const more =
    others.length > 1
      ? ` and ${others.length - 1} other owner(s): ${others
          .slice(1)
          .map((o) => o.owner)
          .join(', ')}`
      : '';
  return [
    `Note: model ${mine.modelId} was already registered by ${first.owner} (at ${iso(first.registeredAt)}, share token ${first.shares})${more}.`,
    `Governance approves one owner's registration of an id, and the first approval binds the id to it for good: only that registration's share holders ever earn its revenue. Until an approval, \`provenant model show ${mine.modelId.slice(0, 12)}\` names the earliest registration (${first.owner}'s) and lists yours among the others.`,
    `If the model is yours, ask governance to approve your registration by owner and share token (\`provenant model approve ${mine.modelId.slice(0, 12)} --owner ${mine.owner} --shares ${mine.shares}\`) and give the reviewers evidence that it is yours (where the file was first published, its metadata URI and licence). If it is theirs, your registration will never earn: publish your own work under a new version (a new id).`,
  ].join('\n');
}
