// Why: `audit verify`'s side of the on-chain anchors (anchor.ts sends them): read every `JournalAnchored` log
// of the journal's agent address(es) and check each anchored (seq, head) against the journal.

import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Address, type Hex, isAddressEqual, type PublicClient } from 'viem';
import { deploymentBlock, journalAnchorAbi, readManifest, scanLogs } from '../../chain/index.js';
import { anchorIntents } from './anchor.js';
import { JournalAnchorMismatchError } from './errors.js';
import type { Journal } from './journal.js';

/** One `JournalAnchored` log. */
export type OnChainAnchor = {
  agent: Address;
  seq: number;
  head: Hex;
  blockNumber: bigint;
  transactionHash: Hex;
};

/** Every `JournalAnchored` log of `agents` on `contract` from `fromBlock` on, in block order. */
export async function readJournalAnchors(
  client: Pick<PublicClient, 'getBlockNumber' | 'getContractEvents'>,
  contract: Address,
  agents: readonly Address[],
  fromBlock = 0n,
): Promise<OnChainAnchor[]> {
  if (agents.length === 0) return [];
  const logs = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: contract,
      abi: journalAnchorAbi,
      eventName: 'JournalAnchored',
      args: { agent: [...agents] },
      fromBlock: from,
      toBlock: to,
    }),
  );
  return logs.map((log) => ({
    agent: log.args.agent as Address,
    seq: Number(log.args.seq),
    head: log.args.head as Hex,
    blockNumber: log.blockNumber as bigint,
    transactionHash: log.transactionHash as Hex,
  }));
}

/** The addresses that anchored for this journal: the head's signer and the senders of its anchor txs. */
export function journalAgents(journal: Journal): Address[] {
  const out: Address[] = [];
  const add = (a: unknown) => {
    if (
      typeof a === 'string' &&
      /^0x[0-9a-fA-F]{40}$/.test(a) &&
      !out.some((x) => isAddressEqual(x, a as Address))
    )
      out.push(a as Address);
  };
  add(journal.state.get<{ signer?: string }>('attestation')?.signer);
  const store = journal.txStore();
  for (const row of anchorIntents(journal)) {
    const record = store.get(row.key) as { from?: Address } | undefined;
    add(record?.from);
  }
  return out;
}

/** What `checkJournalAnchors` found. */
export type AnchorCheck =
  | {
      status: 'ok';
      contract: Address;
      anchors: number;
      latest: { seq: number; head: Hex; blockNumber: string } | null;
    }
  | {
      status: 'mismatch';
      contract: Address;
      anchors: number;
      /** The first anchor (by seq) the journal does not match; `journalHash` null when the journal ends before it. */
      first: { seq: number; anchoredHash: Hex; journalHash: Hex | null; blockNumber: string; agent: Address };
      /**
       * The highest anchored seq below `first` that still matches (null: none), so the change lies in the
       * entries after it, up to `first.seq`: each hash covers every entry before it.
       */
      matchedUpTo: number | null;
      problem: string;
    };

/**
 * Checks every on-chain anchor against the journal: the entry at each anchored seq must exist and hash to
 * the anchored head. Also the reverse: an anchor the journal records as confirmed must be on-chain (a
 * journal that claims anchors the chain does not hold was written elsewhere or edited).
 */
export function checkJournalAnchors(
  journal: Journal,
  contract: Address,
  anchors: readonly OnChainAnchor[],
): AnchorCheck {
  const sorted = [...anchors].sort((a, b) => a.seq - b.seq || Number(a.blockNumber - b.blockNumber));
  const head = journal.head();
  let matchedUpTo: number | null = null;
  for (const anchor of sorted) {
    const [entry] = journal.entries({ fromSeq: anchor.seq, limit: 1 });
    const journalHash = entry && entry.seq === anchor.seq ? entry.hash : null;
    if (journalHash !== null && journalHash.toLowerCase() === anchor.head.toLowerCase()) {
      matchedUpTo = anchor.seq;
      continue;
    }
    // Every entry hash covers the whole chain before it: an anchor that still matches clears the entries
    // up to its seq, so the change is in the stretch after the last such anchor.
    const where =
      matchedUpTo === null
        ? `in entries 1..${anchor.seq} (no earlier anchor matches)`
        : `in entries ${matchedUpTo + 1}..${anchor.seq} (the anchor at seq ${matchedUpTo} still matches)`;
    return {
      status: 'mismatch',
      contract,
      anchors: anchors.length,
      first: {
        seq: anchor.seq,
        anchoredHash: anchor.head,
        journalHash,
        blockNumber: anchor.blockNumber.toString(),
        agent: anchor.agent,
      },
      matchedUpTo,
      problem:
        journalHash === null
          ? `anchor at seq ${anchor.seq} (block ${anchor.blockNumber}) holds ${anchor.head}, but the journal ends at seq ${head.seq}: entries were cut off`
          : `anchor at seq ${anchor.seq} (block ${anchor.blockNumber}) holds ${anchor.head}, but the journal's entry ${anchor.seq} hashes to ${journalHash}: the journal was rewritten ${where} after it was anchored`,
    };
  }
  for (const row of anchorIntents(journal, contract).filter((r) => r.status === 'confirmed')) {
    const { seq, head: anchored } = row.payload;
    if (sorted.some((a) => a.seq === seq && a.head.toLowerCase() === anchored.toLowerCase())) continue;
    const [entry] = journal.entries({ fromSeq: seq, limit: 1 });
    return {
      status: 'mismatch',
      contract,
      anchors: anchors.length,
      first: {
        seq,
        anchoredHash: anchored,
        journalHash: entry && entry.seq === seq ? entry.hash : null,
        blockNumber: '',
        agent: '0x0000000000000000000000000000000000000000',
      },
      matchedUpTo: null,
      problem: `the journal records an anchor at seq ${seq} (${anchored}) as confirmed, but ${contract} holds no such anchor: the journal and the chain disagree (another chain, or an edited journal)`,
    };
  }
  const latest = sorted.at(-1);
  return {
    status: 'ok',
    contract,
    anchors: anchors.length,
    latest: latest
      ? { seq: latest.seq, head: latest.head, blockNumber: latest.blockNumber.toString() }
      : null,
  };
}

/** An anchor contract this journal's anchors may be on: from a deployment manifest or an anchor intent. */
export type AnchorSource = { chainId: number; contract: Address; fromBlock: bigint };

/**
 * The JournalAnchor contracts to check: every deployment manifest of `stateDir` that has one
 * (`deployments/<chainId>.json`), and every contract the journal's anchor intents went to.
 */
export function anchorSources(journal: Journal, stateDir: string): AnchorSource[] {
  const out: AnchorSource[] = [];
  const add = (s: AnchorSource) => {
    const same = out.find((o) => o.chainId === s.chainId && isAddressEqual(o.contract, s.contract));
    // Each fromBlock is a bound no anchor log precedes (0: unknown, for a contract only the journal names):
    // the tightest one wins, so a known deployment block is never widened to a scan from genesis.
    if (!same) out.push(s);
    else if (s.fromBlock > same.fromBlock) same.fromBlock = s.fromBlock;
  };
  const dir = join(stateDir, 'deployments');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)) : [];
  for (const file of files.sort()) {
    const manifest = readManifest(stateDir, Number(file.slice(0, -5)));
    const entry = manifest.contracts.JournalAnchor;
    if (entry) add({ chainId: manifest.chainId, contract: entry.address, fromBlock: deploymentBlock(entry) });
  }
  for (const row of anchorIntents(journal)) {
    const { chainId, contract } = row.payload;
    if (typeof chainId === 'number' && typeof contract === 'string')
      add({ chainId, contract, fromBlock: 0n });
  }
  return out;
}

/** What `verifyJournalAnchors` found: `none` is informational, `unchecked` and `mismatch` fail the audit. */
export type AnchorsReport =
  | { status: 'none'; reason: string }
  | { status: 'unchecked'; problem: string }
  | AnchorCheck;

/**
 * Reads every `JournalAnchored` log of the journal's agent address(es) (`journalAgents`) on each anchor
 * contract of `sources` that is on the connected chain, and checks them against the journal
 * (`checkJournalAnchors`). The first contract that does not match decides; otherwise the counts add up.
 */
export async function verifyJournalAnchors(
  journal: Journal,
  sources: readonly AnchorSource[],
  /** The connected chain; undefined when there are no `sources` (nothing to read). */
  chain:
    | { client: Pick<PublicClient, 'getBlockNumber' | 'getContractEvents' | 'getCode'>; chainId: number }
    | undefined,
): Promise<AnchorsReport> {
  if (sources.length === 0)
    return {
      status: 'none',
      reason: "no JournalAnchor contract in this state dir's deployment, and the journal records no anchor",
    };
  if (!chain) return { status: 'unchecked', problem: 'no chain to read the anchors from' };
  const { client, chainId } = chain;
  const here = sources.filter((s) => s.chainId === chainId);
  if (here.length === 0)
    return {
      status: 'unchecked',
      problem: `the anchor contract is on chain ${[...new Set(sources.map((s) => s.chainId))].join(', ')}, but the node is chain ${chainId}: pass that chain's --rpc-url`,
    };
  const agents = journalAgents(journal);
  if (agents.length === 0)
    return {
      status: 'none',
      reason: 'the journal names no agent address (it was never signed), so no anchor can be its',
    };
  let total = 0;
  let latest: Extract<AnchorCheck, { status: 'ok' }>['latest'] = null;
  for (const source of here) {
    const code = await client.getCode({ address: source.contract });
    if (!code || code === '0x')
      return {
        status: 'unchecked',
        problem: `no contract at the JournalAnchor address ${source.contract} on chain ${chainId}: a node of another network, or a devnet without its saved state`,
      };
    const anchors = await readJournalAnchors(client, source.contract, agents, source.fromBlock);
    const check = checkJournalAnchors(journal, source.contract, anchors);
    if (check.status === 'mismatch') return check;
    total += check.anchors;
    if (check.latest && (!latest || check.latest.seq > latest.seq)) latest = check.latest;
  }
  return { status: 'ok', contract: here[0]!.contract, anchors: total, latest };
}

/**
 * Before a run: refuses (`JournalAnchorMismatchError`) a journal that no longer matches an anchor the agent
 * put on-chain, so a rewrite is never run on or anchored again. A read that fails (the node is unreachable)
 * propagates, so the run does not start unchecked; no anchor contract, no anchor yet, or anchors this chain
 * cannot show (`unchecked`: another chain's contract, no code at the address) pass.
 */
export async function requireAnchoredJournal(
  journal: Journal,
  path: string,
  sources: readonly AnchorSource[],
  chain: Parameters<typeof verifyJournalAnchors>[2],
): Promise<AnchorsReport> {
  const report = await verifyJournalAnchors(journal, sources, chain);
  if (report.status === 'mismatch')
    throw new JournalAnchorMismatchError(path, report.problem, report.first.seq);
  return report;
}
