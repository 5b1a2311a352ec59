// Why: `model show` prints one model with its file check, revenue and rival registrations, or every model.
import type { Command } from 'commander';
import { isAddressEqual } from 'viem';
import {
  listModels,
  listRegistrations,
  readAllRevenueTotals,
  readBoundOwner,
  readFeeToken,
} from '../../../chain/index.js';
import { printTable, toJson } from '../../output.js';
import { iso, withDeployment } from '../policy.js';
import { modelRow } from './format.js';
import { modelFileStatus } from './modelFile.js';
import { requireModel } from './requireModel.js';
import { revenueRows, revenueView } from './revenueView.js';

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
      const [models, token, revenue] = await Promise.all([
        listModels(context.clients, registry, deployment.addresses.fromBlock),
        readFeeToken(context.clients, registry),
        // Two log scans for every model together (per model it was two each).
        readAllRevenueTotals(context.clients, registry, deployment.addresses.fromBlock),
      ]);
      const views = await Promise.all(
        models.map(async (m) =>
          revenueView(
            context,
            deployment,
            m,
            (await readBoundOwner(context.clients, registry, m.modelId)) !== undefined,
            token,
            viewer,
            revenue.get(m.modelId.toLowerCase() as `0x${string}`) ?? { paidIn: 0n, claimed: 0n },
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
