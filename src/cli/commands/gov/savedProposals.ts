// Why: a saved proposal is the only local record of a proposal's calls; reading it back (checked, by id or
// prefix) is one job, shared by every gov step and by `model approve`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  type GovernanceCall,
  type Proposal,
  proposalsDir,
  type SavedProposal,
} from '../../../chain/index.js';
import { NonRetryableError } from '../../../errors/index.js';
import { InputFileError, readJsonFile } from '../../files.js';

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x address');

/** The shape of `<stateDir>/proposals/<id>.json` (checked on read: a hand-edited or truncated file is named, not trusted). */
const SavedProposalSchema = z.object({
  id: z.string().regex(/^\d+$/, 'expected the decimal proposal id'),
  chainId: z.number().int(),
  governor: address,
  description: z.string(),
  calls: z.array(
    z.object({
      target: address,
      value: z.string().regex(/^\d+$/, 'expected a decimal wei amount'),
      data: z.string().regex(/^0x[0-9a-fA-F]*$/, 'expected 0x-hex calldata'),
      label: z.string(),
    }),
  ),
  proposer: address,
  createdAt: z.string(),
  canceled: z
    .object({
      by: address,
      at: z.string(),
      tx: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a transaction hash'),
    })
    .optional(),
});

const proposalRole = (stateDir: string) => ({
  what: 'saved proposal',
  repair: `Restore it from a backup, or move it out of ${proposalsDir(stateDir)} (the proposal stays on-chain; only this record of its calls is lost, and \`provenant gov propose\` with the same calls and description writes it again).`,
});

/**
 * Every readable saved proposal, oldest first. A file that is not a valid saved proposal is skipped with
 * a warning naming it (through `warn`), so one broken file does not hide the others.
 */
export function listSaved(stateDir: string, warn: (message: string) => void = defaultWarn): SavedProposal[] {
  const dir = proposalsDir(stateDir);
  if (!existsSync(dir)) return [];
  const saved: SavedProposal[] = [];
  for (const f of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    try {
      saved.push(readJsonFile(join(dir, f), SavedProposalSchema, proposalRole(stateDir)) as SavedProposal);
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      warn(`Warning: ${error.shortMessage}; skipped it.\n  ${error.details ?? ''}`);
    }
  }
  return saved.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const defaultWarn = (message: string) => console.error(message);

/** Finds a saved proposal by its id or a unique prefix of it (ids are 78-digit numbers). */
export function loadProposal(
  stateDir: string,
  idOrPrefix: string,
  chainId: number,
): { id: bigint; proposal: Proposal; saved: SavedProposal } {
  const all = listSaved(stateDir).filter((p) => p.chainId === chainId);
  const matches = all.filter((p) => p.id === idOrPrefix || p.id.startsWith(idOrPrefix));
  const exact = matches.find((p) => p.id === idOrPrefix);
  const saved = exact ?? (matches.length === 1 ? matches[0] : undefined);
  if (!saved) {
    throw new NonRetryableError(
      matches.length > 1
        ? `Proposal id prefix '${idOrPrefix}' matches ${matches.length} saved proposals.`
        : `No saved proposal '${idOrPrefix}' for chain ${chainId} under ${proposalsDir(stateDir)}.`,
      {
        details:
          all.length > 0
            ? `Saved proposals: ${all.map((p) => `${p.id.slice(0, 12)}… (${p.description})`).join('; ')}. Give more digits, or run \`provenant gov status\`.`
            : 'Proposals are saved by `provenant gov propose` (and `model approve`) in this state dir; pass the same --state-dir.',
        docsPath: 'docs/governance.md',
      },
    );
  }
  return { id: BigInt(saved.id), proposal: proposalOf(saved), saved };
}

/** The governor's view of a saved proposal: its description and calls. */
export function proposalOf(saved: SavedProposal): Proposal {
  const calls: GovernanceCall[] = saved.calls.map((c) => ({
    target: c.target,
    value: BigInt(c.value),
    data: c.data,
    label: c.label,
  }));
  return { description: saved.description, calls };
}
