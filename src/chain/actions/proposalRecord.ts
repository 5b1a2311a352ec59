import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Address, Hex } from 'viem';
import { writeFileAtomicSync } from '../../files/index.js';
import type { ProvenantClients } from '../clients.js';
import type { Proposal } from './governance.js';

// Why: a proposal's calls are not readable back from the governor (only their hash is), so whoever proposes
// writes them down; `provenant gov status|vote|queue|execute` read them, whether the CLI or the demo proposed.

/** A proposal as saved under `<stateDir>/proposals/<id>.json`, so later steps (vote, queue, execute) find its calls. */
export type SavedProposal = {
  id: string;
  chainId: number;
  governor: Address;
  description: string;
  calls: { target: Address; value: string; data: Hex; label: string }[];
  proposer: Address;
  createdAt: string;
  /** Set by `provenant gov cancel`: who canceled it, when (ISO, chain time) and in which transaction. */
  canceled?: { by: Address; at: string; tx: Hex } | undefined;
};

/** Where saved proposals live in a state directory. */
export const proposalsDir = (stateDir: string) => join(stateDir, 'proposals');

/**
 * Records proposal `id` (its calls, description, and `clients`' account as proposer) under
 * `<stateDir>/proposals/<id>.json`, atomically; returns the path.
 */
export function recordProposal(
  stateDir: string,
  clients: Pick<ProvenantClients, 'chain' | 'account'>,
  governor: Address,
  id: bigint,
  proposal: Proposal,
): string {
  return saveProposal(
    stateDir,
    savedProposalOf(id, proposal, { chainId: clients.chain.id, governor, proposer: clients.account.address }),
  );
}

/**
 * Marks a saved proposal canceled (who, when, which transaction), atomically; returns the path. The rest of
 * the record (its calls, which the governor does not keep) is left as it was.
 */
export function recordCancel(
  stateDir: string,
  saved: SavedProposal,
  canceled: { by: Address; at: string; tx: Hex },
): string {
  return saveProposal(stateDir, { ...saved, canceled });
}

function saveProposal(stateDir: string, saved: SavedProposal): string {
  const dir = proposalsDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${saved.id}.json`);
  writeFileAtomicSync(path, `${JSON.stringify(saved, null, 2)}\n`);
  return path;
}

/** The record of proposal `id` (its calls, description and proposer) in the saved form. */
function savedProposalOf(
  id: bigint,
  proposal: Proposal,
  context: { chainId: number; governor: Address; proposer: Address },
): SavedProposal {
  return {
    id: id.toString(),
    chainId: context.chainId,
    governor: context.governor,
    description: proposal.description,
    calls: proposal.calls.map((c) => ({
      target: c.target,
      value: (c.value ?? 0n).toString(),
      data: c.data,
      label: c.label,
    })),
    proposer: context.proposer,
    createdAt: new Date().toISOString(),
  };
}
