// Why: `model approve` proposes approving exactly the registration the voter reviewed (owner, share split, zk
// commitment), refusing before the vote what the registry would refuse at execution.
import type { Command } from 'commander';
import { type Address, type Hex, isAddressEqual } from 'viem';
import {
  approveModelCall,
  ModelRegistrationMismatchError,
  predictSharesAddress,
  readRegistration,
  readShareHolders,
  requireRegistration,
} from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import type { ChainContext } from '../../context.js';
import { printProposed, proposeAndSave } from '../gov/index.js';
import { type Deployment, withDeployment } from '../policy.js';
import { parseAddress } from '../synth.js';
import { ShareSplitMismatchError } from './errors.js';
import { sharesText } from './format.js';
import { parseHolders, parseZkCommitment } from './options.js';
import { requireModel } from './requireModel.js';

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
