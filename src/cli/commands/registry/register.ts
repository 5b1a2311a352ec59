// Why: `model register` refuses a registration that could never be approved before it deploys a share token.
import type { Command } from 'commander';
import { isAddressEqual } from 'viem';
import { type ModelKindName, readBoundOwner, readRegistration, registerModel } from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { modelId as modelIdOf, parseModelFile } from '../../../models/index.js';
import { readInputFile } from '../../files.js';
import { printTable, toJson } from '../../output.js';
import { withDeployment } from '../policy.js';
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
