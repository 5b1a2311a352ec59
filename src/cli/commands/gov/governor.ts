// Why: the gov steps read the governor the same way and refuse a step in the wrong state saying when it
// becomes possible; both live here so every step words it alike.
import type { Address } from 'viem';
import {
  type ProposalState,
  ProposalStateError,
  type ProvenantClients,
  proposalState,
  provenantGovernorAbi,
} from '../../../chain/index.js';
import { iso } from '../policy.js';

/** Reads one governor view function by name; the caller names its result type. */
export const readGovernor = <T>(
  clients: ProvenantClients,
  governor: Address,
  functionName: string,
  args: readonly unknown[] = [],
) =>
  clients.publicClient.readContract({
    address: governor,
    abi: provenantGovernorAbi,
    functionName,
    args,
  } as never) as Promise<T>;

/**
 * The state a step needs, checked with the proposal's times so the refusal says when the step becomes
 * possible (the chain action checks the state again; this only adds the when).
 */
export async function requireState(
  clients: ProvenantClients,
  governor: Address,
  id: bigint,
  step: string,
  needed: ProposalState,
): Promise<void> {
  const state = await proposalState(clients, governor, id);
  if (state === needed) return;
  const [snapshot, deadline, now] = await Promise.all([
    readGovernor<bigint>(clients, governor, 'proposalSnapshot', [id]),
    readGovernor<bigint>(clients, governor, 'proposalDeadline', [id]),
    clients.publicClient.getBlock().then((b) => b.timestamp),
  ]);
  const short = id.toString().slice(0, 12);
  const at = `(chain time now ${iso(now)})`;
  const hints: Partial<Record<ProposalState, string>> = {
    Pending: `Voting opens at ${iso(snapshot + 1n)} ${at}; on a devnet \`provenant gov propose … --advance\` opens it at once.`,
    Active: `Voting runs until ${iso(deadline)} ${at}; on a devnet \`provenant gov vote ${short} --advance\` moves past it.`,
    Succeeded: `It passed and is not queued yet: \`provenant gov queue ${short}\`.`,
    Queued: `It is queued: \`provenant gov execute ${short}\` once the timelock delay has passed.`,
    Defeated: 'Voting ended without quorum or without a majority for; make a new proposal.',
    Executed: 'It has already been executed; nothing is left to do.',
    Canceled:
      'It was canceled (`provenant gov cancel`); it can never run. Make a new proposal (with another description).',
  };
  throw new ProposalStateError(
    step,
    state,
    needed,
    hints[state] ?? `\`provenant gov status ${short}\` shows where it stands.`,
  );
}
