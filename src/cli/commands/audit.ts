import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { openJournal } from '../../agent/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';
import { InputFileError } from '../files.js';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description("The agent's hash-chained journal.");
  audit
    .command('verify')
    .description(
      'Check the hash chain of the journal and re-derive its side tables (intents, approvals, transactions, halt state) from it; names every edited, removed or reordered row and every differing table value. Exit code 1 on any problem.',
    )
    .option(
      '--anchor <seq:hash>',
      'a head recorded elsewhere (seq:0x…): also detects rows removed from the end',
    )
    .option('--json', 'print the report as JSON')
    .action(async (flags: { anchor?: string; json?: boolean }, command: Command) => {
      // Loaded here, not at start-up: the agent module pulls in viem and better-sqlite3.
      const {
        anchorSources,
        checkJournalAttestation,
        journalPath,
        openJournal,
        UNCHECKED_SIDE_DATA,
        verifyJournalAnchors,
      } = await import('../../agent/index.js');
      const { loadCliConfig } = await import('../context.js');
      const { toJson } = await import('../output.js');
      const config = loadCliConfig(command.optsWithGlobals<GlobalOptions>());
      const path = journalPath(config.stateDirPath);
      if (!existsSync(path))
        throw new NonRetryableError(`No journal at ${path}.`, {
          details: 'Pass the --state-dir the agent ran with.',
          docsPath: 'docs/agent.md#journal',
        });
      let anchor: { seq: number; hash: `0x${string}` } | undefined;
      if (flags.anchor) {
        const m = /^(\d+):(0x[0-9a-fA-F]{64})$/.exec(flags.anchor);
        if (!m)
          throw new NonRetryableError(`--anchor ${flags.anchor} is not seq:hash.`, {
            details:
              'Example: --anchor 466:0xf1ce…(64 hex digits), as `provenant agent status` prints the head.',
          });
        anchor = { seq: Number(m[1]), hash: m[2] as `0x${string}` };
      }
      let journal: ReturnType<typeof openJournal>;
      let report: ReturnType<ReturnType<typeof openJournal>['verify']>;
      try {
        journal = openJournal(path, { readonly: true });
      } catch (error) {
        throw journalUnreadable(path, error);
      }
      try {
        try {
          report = journal.verify({ anchor });
        } catch (error) {
          throw journalUnreadable(path, error);
        }
        // The agent's signed head: checked against the key that signed it (`agent run` checks it against
        // its own key); a signature that no longer matches the entries fails the audit.
        const storedSigner = journal.state.get<{ signer?: string }>('attestation')?.signer;
        const attestation =
          typeof storedSigner === 'string' && /^0x[0-9a-fA-F]{40}$/.test(storedSigner)
            ? await checkJournalAttestation(journal, storedSigner as `0x${string}`)
            : await checkJournalAttestation(journal, '0x0000000000000000000000000000000000000000');
        const signedOk = attestation.status !== 'invalid';
        // On-chain anchors (JournalAnchor): hold against a rewrite re-signed with the agent's key. Read only
        // when this state dir's deployment has the contract or the journal records anchors.
        const anchors = await checkAnchors(journal, config.stateDirPath, command, {
          anchorSources,
          verifyJournalAnchors,
        });
        const anchorsOk = anchors.status === 'ok' || anchors.status === 'none';
        // `ok` is the verdict the exit code carries: the chain and tables (`chainOk`), the signed head and
        // the on-chain anchors all hold. A rewrite re-signed with the agent's key passes the first two.
        if (flags.json)
          console.log(
            toJson({
              ...report,
              ok: report.ok && signedOk && anchorsOk,
              chainOk: report.ok,
              attestation,
              anchors,
              unchecked: UNCHECKED_SIDE_DATA,
            }),
          );
        else {
          if (report.issues.length === 0)
            console.log(
              `✓ audit verify: ${report.entries} entries, hash chain intact (head seq ${report.head.seq} ${report.head.hash})`,
            );
          else {
            console.log(`✗ audit verify: ${report.issues.length} problem(s) in ${report.entries} entries`);
            for (const issue of report.issues)
              console.log(`  seq ${issue.seq} ${issue.problem}: ${issue.detail}`);
          }
          if (report.tables.length === 0)
            console.log(
              '✓ side tables (intents, approvals, tx_records, halt state) match what the entries determine',
            );
          else {
            console.log(
              `✗ side tables: ${report.tables.length} value(s) differ from what the entries determine`,
            );
            for (const t of report.tables) console.log(`  ${t.detail}`);
          }
          if (attestation.status === 'attested')
            console.log(
              `✓ signed head: seq ${attestation.attestation.seq} signed by ${attestation.attestation.signer}${attestation.unsignedAfter ? ` (${attestation.unsignedAfter} later entr${attestation.unsignedAfter === 1 ? 'y' : 'ies'} not yet signed)` : ''}`,
            );
          else if (attestation.status === 'invalid') console.log(`✗ signed head: ${attestation.problem}`);
          else if (attestation.status === 'unattested')
            console.log('– signed head: none (a journal written before head signing)');
          console.log(anchorLine(anchors, report.head.seq));
          console.log('  not derivable from the entries, not checked:');
          for (const u of UNCHECKED_SIDE_DATA) console.log(`    ${u.what}: ${u.why}`);
        }
        if (!signedOk && report.ok)
          throw new NonRetryableError(
            `The journal ${path} failed verification: ${(attestation as { problem: string }).problem}.`,
            {
              details:
                'The entries no longer match the head the agent signed: the file was rewritten or cut after it was signed. Keep it for inspection; restore it from a backup before the agent runs again.',
              docsPath: 'docs/agent.md#journal',
            },
          );
        if (!anchorsOk && signedOk && report.ok)
          throw new NonRetryableError(
            `The journal ${path} failed verification against its on-chain anchors: ${anchors.status === 'mismatch' ? anchors.problem : anchors.status === 'unchecked' ? `not checked (${anchors.problem})` : ''}.`,
            {
              details:
                anchors.status === 'mismatch'
                  ? 'An anchor on the chain cannot be rewritten: the journal no longer holds what the agent anchored, so it was rewritten (and re-signed, if the signed head still matches: the agent key is compromised) or cut. Keep the file for inspection, rotate the agent key, and restore the journal from a backup that matches the anchors.'
                  : "The journal's anchor contract (from the state dir's deployment manifest or the journal's own anchor intents) could not be read: connect to the chain the agent ran on (--rpc-url, or the state dir of the embedded devnet) and run the audit again.",
              docsPath: 'docs/agent.md#journal',
            },
          );
        if (!report.ok) {
          const where = report.issues[0]
            ? `first problem at seq ${report.issues[0].seq}`
            : `table ${report.tables[0]?.table}, key ${report.tables[0]?.key}, column ${report.tables[0]?.column}`;
          throw new NonRetryableError(`The journal ${path} failed verification (${where}).`, {
            details:
              'Rows and table values named above were edited, removed or reordered after they were written. Keep the file as it is for inspection; restore it from a backup before the agent runs again.',
            docsPath: 'docs/agent.md#journal',
          });
        }
      } finally {
        journal.close();
      }
    });
}

type AnchorFns = Pick<typeof import('../../agent/index.js'), 'anchorSources' | 'verifyJournalAnchors'>;

/** Connects to the chain only when there are anchors to read (the embedded devnet, or --rpc-url). */
async function checkAnchors(
  journal: ReturnType<typeof openJournal>,
  stateDir: string,
  command: Command,
  fns: AnchorFns,
): Promise<Awaited<ReturnType<AnchorFns['verifyJournalAnchors']>>> {
  const sources = fns.anchorSources(journal, stateDir);
  if (sources.length === 0) return fns.verifyJournalAnchors(journal, sources, undefined);
  const { openChain } = await import('../context.js');
  let chain: Awaited<ReturnType<typeof openChain>>;
  try {
    chain = await openChain(command.optsWithGlobals<GlobalOptions>(), { readOnly: true });
  } catch (error) {
    return {
      status: 'unchecked',
      problem: `the chain could not be reached (${(error as Error).message.split('\n')[0]})`,
    };
  }
  try {
    return await fns.verifyJournalAnchors(journal, sources, {
      client: chain.clients.publicClient,
      chainId: chain.clients.chain.id,
    });
  } catch (error) {
    return {
      status: 'unchecked',
      problem: `the anchors could not be read (${(error as Error).message.split('\n')[0]})`,
    };
  } finally {
    await chain.close();
  }
}

/**
 * The audit's line for the on-chain anchors. `headSeq` is the journal's last entry: the entries after the
 * latest anchor are held only by the signed head, which someone with the agent's key can re-sign.
 */
export function anchorLine(
  a: Awaited<ReturnType<AnchorFns['verifyJournalAnchors']>>,
  headSeq: number,
): string {
  switch (a.status) {
    case 'none':
      return `– on-chain anchors: none (${a.reason})`;
    case 'unchecked':
      return `✗ on-chain anchors: not checked: ${a.problem}`;
    case 'ok': {
      const open = (from: number) =>
        headSeq >= from
          ? `; entries ${from}..${headSeq} are not anchored yet (held by the signed head only, until the next anchor)`
          : '';
      return a.latest
        ? `✓ on-chain anchors: ${a.anchors}, latest seq ${a.latest.seq} (block ${a.latest.blockNumber})${open(a.latest.seq + 1)}`
        : `✓ on-chain anchors: 0 on ${a.contract} (none sent yet)${open(1)}`;
    }
    case 'mismatch':
      return `✗ on-chain anchors: seq ${a.first.seq} anchored ${a.first.anchoredHash}, the journal has ${a.first.journalHash ?? `no entry ${a.first.seq}`} (${a.problem})`;
  }
}

/**
 * The journal file could not be read as a SQLite database (random bytes, truncated, another program's
 * file): name it and the repair, instead of SQLite's bare `file is not a database`.
 */
export function journalUnreadable(path: string, error: unknown): Error {
  const code = (error as { code?: string }).code ?? '';
  if (!code.startsWith('SQLITE_') && !(error instanceof Error && /database|sqlite/i.test(error.message)))
    return error as Error;
  return new InputFileError(
    path,
    `The journal cannot be read as a SQLite database (${code || 'SQLite'}: ${(error as Error).message})`,
    `Restore the journal from a backup; if there is none, move the file aside (\`mv ${path} ${path}.broken\`, with its -wal and -shm files) to keep it for inspection: the agent then starts a new journal, and the old chain can no longer be verified.`,
    error,
  );
}
