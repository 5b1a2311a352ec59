import {
  type Address,
  concat,
  type Hex,
  isAddressEqual,
  type LocalAccount,
  numberToHex,
  recoverMessageAddress,
  stringToHex,
} from 'viem';
import { NonRetryableError } from '../../errors/index.js';
import { anchorSources, requireAnchoredJournal } from './anchorAudit.js';
import { type Journal, type JournalHead, openJournal } from './journal.js';

/**
 * The journal's hash chain has no key: whoever can write the file can rewrite it consistently or cut
 * its end. The agent therefore signs the head it reached (after every epoch and every recovery) with its
 * own key, and a run checks that signature before it appends: a rewrite of any entry up to the signed
 * seq, or a cut below it, no longer matches what the agent signed, and a new signature needs the key.
 * Entries appended after the last signature (an epoch killed mid-way) are covered by the next one.
 */

/** Where the signed head is kept (`kv`, not an entry: it signs the entries). */
const ATTESTATION_KEY = 'attestation';

/** The agent's signature over a journal head. */
export type JournalAttestation = { seq: number; hash: Hex; signer: Address; signature: Hex };

/** The bytes the agent signs (EIP-191 personal message): a domain tag, the seq and the head hash. */
export function attestationMessage(head: JournalHead): Hex {
  return concat([stringToHex('provenant-journal-head:'), numberToHex(head.seq, { size: 8 }), head.hash]);
}

/** Signs the journal's current head with the agent's key and keeps the signature in the journal. */
export async function attestJournalHead(
  journal: Journal,
  account: LocalAccount,
): Promise<JournalAttestation> {
  const head = journal.head();
  const signature = await account.signMessage({ message: { raw: attestationMessage(head) } });
  const attestation: JournalAttestation = { ...head, signer: account.address, signature };
  journal.state.set(ATTESTATION_KEY, attestation);
  return attestation;
}

/** What `checkJournalAttestation` found. */
export type AttestationStatus =
  | { status: 'attested'; attestation: JournalAttestation; unsignedAfter: number }
  | { status: 'empty' }
  | { status: 'unattested'; entries: number }
  | { status: 'invalid'; problem: string };

/**
 * Checks the journal's signed head against `signer` (the agent's address): the signature must recover to
 * it, and the entry at the signed seq must still have the signed hash (the chain up to it is then the one
 * the agent signed: `verifyJournal` has checked the links). `unattested`: entries but no signature (a
 * journal written before signing, or one whose signature was deleted).
 */
export async function checkJournalAttestation(journal: Journal, signer: Address): Promise<AttestationStatus> {
  const head = journal.head();
  const stored = journal.state.get<Partial<JournalAttestation>>(ATTESTATION_KEY);
  if (!stored) return head.seq === 0 ? { status: 'empty' } : { status: 'unattested', entries: head.seq };
  const { seq, hash, signature } = stored;
  if (typeof seq !== 'number' || typeof hash !== 'string' || typeof signature !== 'string')
    return { status: 'invalid', problem: 'the stored attestation is malformed' };
  let recovered: Address;
  try {
    recovered = await recoverMessageAddress({
      message: { raw: attestationMessage({ seq, hash: hash as Hex }) },
      signature: signature as Hex,
    });
  } catch {
    return { status: 'invalid', problem: 'the stored signature is not a valid signature' };
  }
  if (!isAddressEqual(recovered, signer))
    return {
      status: 'invalid',
      problem: `the head at seq ${seq} is signed by ${recovered}, not by the agent ${signer}`,
    };
  const [entry] = journal.entries({ fromSeq: seq, limit: 1 });
  if (!entry || entry.seq !== seq)
    return {
      status: 'invalid',
      problem: `the agent signed the head at seq ${seq}, but the journal ends at seq ${head.seq}: entries were cut off`,
    };
  if (entry.hash.toLowerCase() !== hash.toLowerCase())
    return {
      status: 'invalid',
      problem: `entry ${seq} hashes to ${entry.hash}, but the agent signed ${hash} for it: the chain up to it was rewritten`,
    };
  return {
    status: 'attested',
    attestation: { seq, hash: hash as Hex, signer: recovered, signature: signature as Hex },
    unsignedAfter: head.seq - seq,
  };
}

/** The journal's signed head does not match it, or a journal with entries carries no signature. */
export class JournalAttestationError extends NonRetryableError {
  override name = 'JournalAttestationError';
  constructor(path: string, problem: string, details: string) {
    super(
      `The journal ${path} does not carry the agent's signature over its entries: ${problem}. The agent did not start and appended nothing.`,
      {
        details,
        docsPath: 'docs/agent.md#journal',
      },
    );
  }
}

/**
 * Refuses to run on a journal whose signed head fails (`invalid`), and on one with entries but no
 * signature unless `acceptUnattested` (a journal written before signing, upgraded once by a person);
 * then signs the current head so the run starts attested.
 */
export async function requireAttestedJournal(
  journal: Journal,
  account: LocalAccount,
  options: { acceptUnattested?: boolean | undefined } = {},
): Promise<AttestationStatus> {
  const found = await checkJournalAttestation(journal, account.address);
  if (found.status === 'invalid')
    throw new JournalAttestationError(
      journal.path,
      found.problem,
      'Someone with write access to the file changed it after the agent signed it. Inspect it with `provenant audit verify`; restore the journal from a backup, or start a new state dir. Never edit the journal by hand.',
    );
  if (found.status === 'unattested' && !options.acceptUnattested)
    throw new JournalAttestationError(
      journal.path,
      `it has ${found.entries} entries and no signed head`,
      'A journal written by a Provenant older than head signing has none: check it with `provenant audit verify`, then run once with --accept-unattested-journal to sign its current head. A journal whose signature was removed looks the same: accept it only if you trust the file.',
    );
  if (found.status !== 'attested' || found.unsignedAfter > 0) await attestJournalHead(journal, account);
  return found;
}

/**
 * Opens the agent's journal for a run that will append to it: the chain and side tables verified
 * (`requireIntact`), then the signed head (`requireAttestedJournal`). A journal that fails is closed and
 * the error thrown, nothing appended. One place for `agent run`, the demo's resume and `art mint/evolve`.
 */
export async function openJournalForRun(
  path: string,
  account: LocalAccount,
  options: {
    acceptUnattested?: boolean | undefined;
    /**
     * Also refuse a journal that no longer holds a head the agent anchored on-chain
     * (`requireAnchoredJournal`): the state dir (its deployment names the anchor contract) and the chain.
     */
    anchors?: { stateDir: string; chain: Parameters<typeof requireAnchoredJournal>[3] } | undefined;
  } = {},
): Promise<{ journal: Journal; attestation: AttestationStatus }> {
  const journal = openJournal(path, { requireIntact: true });
  try {
    const attestation = await requireAttestedJournal(journal, account, options);
    if (options.anchors)
      await requireAnchoredJournal(
        journal,
        path,
        anchorSources(journal, options.anchors.stateDir),
        options.anchors.chain,
      );
    return { journal, attestation };
  } catch (error) {
    journal.close();
    throw error;
  }
}
