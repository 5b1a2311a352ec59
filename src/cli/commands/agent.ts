import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { LocalAccount } from 'viem';
import type { AgentRuntime, AgentStatus, EpochReport, Journal } from '../../agent/index.js';
import type { ProvenantClients } from '../../chain/index.js';
import type { LoadedConfig } from '../../config/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';
import { positiveInt, positiveSeconds } from '../parse.js';
import { registerAgentCheck } from './agent.check.js';

// Heavy modules (viem, the agent, the chain, better-sqlite3) load inside the handlers, so that
// `provenant --help` and the other commands do not pay for them.

/** A chain connection for the agent-side commands (agent, art, verify). */
export type AgentSession = {
  config: LoadedConfig;
  stateDir: string;
  clients: ProvenantClients;
  account: LocalAccount;
  close: () => Promise<void>;
};

/**
 * With --rpc-url (or `chain.rpcUrls`): those endpoints, signing with the configured key (or a throwaway
 * key for read-only commands). Without: the demo's persisted devnet (`<stateDir>/devnet-state.json`),
 * resumed at its own clock, signing with the devnet's agent account.
 */
export async function openAgentSession(
  globals: GlobalOptions,
  options: { signer: 'agent' | 'none' },
): Promise<AgentSession> {
  const { loadCliConfig } = await import('../context.js');
  const { createClients, DEVNET_ROLES, devnetAccount, resolveSigner, startDevnet } = await import(
    '../../chain/index.js'
  );
  const config = loadCliConfig(globals);
  const stateDir = config.stateDirPath;
  if (config.chain.rpcUrls.length > 0) {
    const { generatePrivateKey, privateKeyToAccount } = await import('viem/accounts');
    const account =
      options.signer === 'agent'
        ? resolveSigner({
            privateKeyEnv: config.chain.privateKeyEnv,
            keystore: config.chain.keystore,
            keystorePasswordEnv: config.chain.keystorePasswordEnv,
          })
        : privateKeyToAccount(generatePrivateKey());
    const clients = await createClients({
      rpcUrls: config.chain.rpcUrls,
      account,
      expectedChainId: config.chain.chainId,
    });
    return { config, stateDir, clients, account, close: async () => {} };
  }
  const statePath = join(stateDir, config.devnet.stateFile ?? 'devnet-state.json');
  if (!existsSync(statePath))
    throw new NonRetryableError(`No devnet state in ${statePath}.`, {
      details:
        'Run `provenant demo` first (it deploys and persists the devnet), or pass --rpc-url to use another chain.',
      docsPath: 'docs/agent.md#running-the-agent',
    });
  const devnet = await startDevnet({
    statePath,
    port: config.devnet.port,
    host: config.devnet.host,
    chainId: config.devnet.chainId,
    stateIntervalSeconds: config.devnet.stateIntervalSeconds,
    // Resumes the chain at its own clock (market time), not the wall clock: startDevnet's default.
  });
  try {
    const account = devnetAccount(DEVNET_ROLES.agent);
    const clients = await createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
    return { config, stateDir, clients, account, close: devnet.stop };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}

/**
 * Keeps the journal's signed head past its genesis. The attestation check compares the signed seq with
 * the entry of that seq, and an empty journal has no entry 0: a head signed at seq 0 (the agent opened a
 * new journal, then the run stopped before its first epoch was signed: no oracle round yet, a dead node,
 * a kill) was refused for good as "entries were cut off". So a new journal starts with a `note` entry
 * and that head is signed; and a journal this agent's key signed at genesis is re-signed at its current
 * head, after its hash chain and side tables are verified (a genesis signature vouches for no entry, so
 * nothing signed is given up; the entries after it are the "unsigned after" ones a kill leaves).
 */
async function signPastGenesis(path: string, account: LocalAccount): Promise<void> {
  const { attestationMessage, attestJournalHead, openJournal } = await import('../../agent/index.js');
  const { isAddressEqual, recoverMessageAddress, zeroHash } = await import('viem');
  if (existsSync(path)) {
    const peek = openJournal(path, { readonly: true });
    let signed: { seq?: unknown; hash?: unknown; signature?: unknown } | undefined;
    try {
      signed = peek.state.get('attestation');
    } finally {
      peek.close();
    }
    if (signed?.seq !== 0 || signed.hash !== zeroHash || typeof signed.signature !== 'string') return;
    const signer = await recoverMessageAddress({
      message: { raw: attestationMessage({ seq: 0, hash: zeroHash }) },
      signature: signed.signature as `0x${string}`,
    }).catch(() => undefined);
    // Another key's (or a malformed) signature is left to the attestation check, which names it.
    if (!signer || !isAddressEqual(signer, account.address)) return;
  }
  const journal = openJournal(path, { requireIntact: true });
  try {
    if (journal.head().seq === 0)
      journal.append({
        kind: 'note',
        payload: { journalStarted: 'provenant agent run', agent: account.address },
      });
    await attestJournalHead(journal, account);
  } finally {
    journal.close();
  }
}

/** Opens the session, the journal and the runtime; closes all three after `fn`. */
async function withRuntime<T>(
  globals: GlobalOptions,
  fn: (s: AgentSession, journal: Journal, runtime: AgentRuntime, signal: AbortSignal) => Promise<T>,
  options: { acceptUnattestedJournal?: boolean | undefined } = {},
): Promise<T> {
  const { connectAgentRuntime, journalPath, loadAgentForecaster, openJournalForRun, resolveAgentAddresses } =
    await import('../../agent/index.js');
  const { ipfsSettings } = await import('../../config/index.js');
  const { withShutdown } = await import('../context.js');
  const session = await openAgentSession(globals, { signer: 'agent' });
  let journal: Journal;
  try {
    // A state dir with no journal yet and no deployment (or no forecaster) is refused before a journal
    // file is created in it.
    const { existsSync } = await import('node:fs');
    if (!existsSync(journalPath(session.stateDir))) {
      await resolveAgentAddresses(session.clients, session.stateDir);
      loadAgentForecaster(session.stateDir);
    }
    await signPastGenesis(journalPath(session.stateDir), session.account);
    // Verified, signed by this agent's key and matching its on-chain anchors before anything is appended
    // (a rewrite, even one re-signed with this key, would otherwise be run on and anchored again).
    const opened = await openJournalForRun(journalPath(session.stateDir), session.account, {
      acceptUnattested: options.acceptUnattestedJournal,
      anchors: {
        stateDir: session.stateDir,
        chain: { client: session.clients.publicClient, chainId: session.clients.chain.id },
      },
    });
    journal = opened.journal;
    if (opened.attestation.status === 'unattested')
      console.error(
        `Accepted the unsigned journal (${opened.attestation.entries} entries) and signed its head.`,
      );
  } catch (error) {
    await session.close();
    throw error;
  }
  return withShutdown(
    async () => {
      journal.close();
      await session.close();
    },
    async (signal) => {
      const runtime = await connectAgentRuntime({
        clients: session.clients,
        account: session.account,
        stateDir: session.stateDir,
        journal,
        ipfs: ipfsSettings(session.config.ipfs),
      });
      return fn(session, journal, runtime, signal);
    },
  );
}

async function withJournal<T>(
  globals: GlobalOptions,
  fn: (journal: Journal, config: LoadedConfig) => T,
): Promise<T> {
  const { journalPath, openJournal } = await import('../../agent/index.js');
  const { loadCliConfig } = await import('../context.js');
  const config = loadCliConfig(globals);
  const path = journalPath(config.stateDirPath);
  if (!existsSync(path))
    throw new NonRetryableError(`No journal at ${path}.`, {
      details:
        'The agent has not run with this state dir yet: pass the --state-dir it ran with, start it with `provenant agent run --rpc-url <url>` (docs/agent.md#from-an-empty-chain), or run `provenant demo` first (the embedded devnet).',
      docsPath: 'docs/agent.md#journal',
    });
  const journal = openJournal(path);
  try {
    return fn(journal, config);
  } finally {
    journal.close();
  }
}

/**
 * The `drift` row of `agent status`: each detector's statistic after the last decision against its halt
 * threshold (λ is set from the monitor's reference, so it is read from the decision, not assumed).
 */
function driftSummary(d: AgentStatus['drift']): string {
  if (!d) return 'no decision recorded drift statistics yet';
  const share = (v: number, of: number) => `${Math.round((100 * v) / of)} %`;
  const errors =
    d.lambda === null
      ? `Page–Hinkley ${d.pageHinkley.toFixed(2)} (no λ recorded with this decision)`
      : `Page–Hinkley ${d.pageHinkley.toFixed(2)} of λ ${d.lambda.toFixed(2)} (${share(d.pageHinkley, d.lambda)})`;
  return `${errors}, PSI ${d.psi.toFixed(3)} of ${d.psiThreshold} (${share(d.psi, d.psiThreshold)})${d.date ? `, after market day ${d.date}` : ''}`;
}

/** The `approvals` row of `agent status`. */
export function approvalsSummary(
  s: Pick<AgentStatus, 'pendingApprovals' | 'approvedUnused' | 'expiredApprovals'>,
): string {
  return `${s.pendingApprovals.length} pending, ${s.approvedUnused} approved and not yet sent (sent by the next epoch), ${s.expiredApprovals.length} expired`;
}

/** How many expired requests `agent status` lists (the newest); `--json` has them all. */
const EXPIRED_SHOWN = 5;

/** The lines `agent status` prints under its table: pending, expired, and what is held back. */
export function approvalLines(
  s: Pick<AgentStatus, 'pendingApprovals' | 'expiredApprovals' | 'waiting'>,
): string[] {
  const lines: string[] = [];
  for (const a of s.pendingApprovals)
    lines.push(
      `  approval ${a.id}: ${a.summary} (${a.sizeUsd.toFixed(0)} USD, calldata ${a.calldataHash})${a.expiresAtEpoch === null ? '' : `, expires at epoch ${a.expiresAtEpoch}`} — \`provenant agent approve ${a.id}\``,
    );
  const expired = s.expiredApprovals.slice(-EXPIRED_SHOWN);
  if (s.expiredApprovals.length > expired.length)
    lines.push(
      `  (${s.expiredApprovals.length - expired.length} older expired request(s): \`--json\` lists all)`,
    );
  for (const e of expired)
    lines.push(
      `  EXPIRED ${e.approvalId}: ${e.summary} (${e.sizeUsd.toFixed(0)} USD) — requested at epoch ${e.requestedEpoch}, expired at epoch ${e.expiredAtEpoch} (${new Date(e.expiredAt).toISOString()}): ${e.reason}; never sent, the agent decides anew`,
    );
  // What the agent holds back meanwhile: no second intent of that kind on that contract.
  for (const w of s.waiting) lines.push(`  holding back: ${w.reason}`);
  return lines;
}

export function formatEpoch(r: EpochReport): string {
  const head = `epoch ${r.epoch} ${r.date || ''} WTI ${r.price?.toFixed(2) ?? '—'}${r.forecast ? ` forecast ${(r.forecast.mean * 100).toFixed(3)}%` : ''}`;
  const lines = [head];
  for (const e of r.expired ?? [])
    lines.push(
      `  expired: approval ${e.approvalId} (requested at epoch ${e.requestedEpoch}): ${e.reason}; its intent is closed, decided anew`,
    );
  if (r.skipped) lines.push(`  skipped: ${r.skipped}`);
  for (const i of r.intents)
    lines.push(`  ${i.outcome}: ${i.summary}${i.refusal ? ` — ${i.refusal.sentence}` : ''}`);
  for (const w of r.waiting ?? []) lines.push(`  holding back: ${w.reason}`);
  if (r.halted) lines.push(`  HALTED: ${r.halted}`);
  const anchor = anchorLine(r.anchor);
  if (anchor) lines.push(`  ${anchor}`);
  return lines.join('\n');
}

/** What the epoch's on-chain journal anchor did, for `agent run`; nothing when no anchor was due. */
export function anchorLine(a: EpochReport['anchor']): string | undefined {
  switch (a?.status) {
    case 'anchored':
      return `anchored journal head seq ${a.seq} on-chain in block ${a.blockNumber} (tx ${a.hash}${a.resumed ? ', finishing a send an earlier run left' : ''})`;
    case 'skipped':
      return `journal anchor not sent: the chain already holds seq ${a.onChainSeq}, at or above this head's seq ${a.seq}`;
    case 'failed':
      return `journal anchor for seq ${a.seq} failed: ${a.error}${a.retry ? ' (sent again next epoch)' : ' (the next due epoch anchors its own head)'}`;
    default:
      return undefined;
  }
}

export function registerAgent(program: Command): void {
  const agent = program
    .command('agent')
    .description('Run, inspect, halt, resume the agent and approve its large intents.');

  agent
    .command('run')
    .description(
      'Recover, then run one epoch per new oracle round (against --rpc-url, or the demo devnet). Stops at a halt.',
    )
    .option('--epochs <n>', 'epochs to run (each waits for a new WTI round)', positiveInt, 1)
    .option(
      '--once',
      'run one epoch on the latest round now and exit (sends approved intents even without a new round)',
    )
    .option('--poll <seconds>', 'how often to look for a new round', positiveSeconds, 5)
    .option('--json', 'print the epoch reports as JSON')
    .option(
      '--accept-unattested-journal',
      'run once on a journal that carries no signed head (written by an older Provenant), after checking it with `audit verify`; its head is then signed',
    )
    .action(
      async (
        flags: {
          epochs: number;
          once?: boolean;
          poll: number;
          json?: boolean;
          acceptUnattestedJournal?: boolean;
        },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals<GlobalOptions>();
        const { agentZk, buildAgent, parseAgentOptions, runAgentLoop } = await import('../../agent/index.js');
        const { createTxManager } = await import('../../chain/index.js');
        const { feedRulesOf, txManagerSettings } = await import('../../config/index.js');
        const { toJson } = await import('../output.js');
        await withRuntime(
          globals,
          async (session, journal, runtime, signal) => {
            const options = parseAgentOptions(session.config.agent);
            const tx = createTxManager({
              clients: session.clients,
              account: session.account,
              store: journal.txStore(),
              ...txManagerSettings(session.config.chain),
            });
            const a = buildAgent(
              runtime,
              journal,
              tx,
              options,
              await agentZk(runtime, options),
              feedRulesOf(session.config.oracle),
            );
            let waitedOn: number | null | undefined;
            const result = await runAgentLoop({
              agent: a,
              journal,
              clients: session.clients,
              wtiFeed: runtime.addresses.feeds.WTI,
              epochs: flags.epochs,
              once: flags.once,
              pollMs: flags.poll * 1000,
              signal,
              onReport: (r) => {
                if (!flags.json) console.log(formatEpoch(r));
              },
              // A terminal rewrites one line; a log (not a TTY) gets the line once per epoch waited on,
              // not once per poll.
              onWait: (epoch) => {
                const line =
                  epoch === null
                    ? `waiting for the first round of the WTI feed ${runtime.addresses.feeds.WTI} (its reporters publish it)…`
                    : `waiting for a new oracle round (epoch ${epoch} already ran)…`;
                if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
                else if (waitedOn !== epoch) process.stderr.write(`${line}\n`);
                waitedOn = epoch;
              },
            });
            if (flags.json) console.log(toJson(result));
            else if (result.stopped === 'nothing-new')
              console.log('Nothing to do: the latest oracle round was already acted on.');
            else if (result.stopped === 'no-rounds')
              console.log(
                `Nothing to do: the WTI feed ${runtime.addresses.feeds.WTI} has no round yet; its reporters publish rounds (docs/oracle.md#reporters).`,
              );
            if (result.stopped === 'halted') {
              throw new NonRetryableError(
                `The agent is halted: ${(journal.state.halted().halted ? (journal.state.halted() as { reason: string }).reason : '').replace(/\.+$/, '')}.`,
                {
                  details:
                    'A person checks the reason, then resumes with `provenant agent resume --by <name>`.',
                  docsPath: 'docs/agent.md#halts',
                },
              );
            }
          },
          { acceptUnattestedJournal: flags.acceptUnattestedJournal },
        );
      },
    );

  registerAgentCheck(agent);

  agent
    .command('status')
    .description('Halted or not (and why), last epoch, pending and expired approvals, intents by status.')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const { agentStatus, parseAgentOptions } = await import('../../agent/index.js');
      const { printTable, toJson } = await import('../output.js');
      await withJournal(command.optsWithGlobals<GlobalOptions>(), (journal, config) => {
        // The deadline the agent applies to a request recorded without one comes from the same config.
        const s = agentStatus(journal, parseAgentOptions(config.agent).approvalExpiryEpochs);
        if (flags.json) {
          console.log(toJson(s));
          return;
        }
        printTable([
          [
            'state',
            s.halted
              ? `HALTED since ${s.since}${s.haltedAt ? ` (epoch ${s.haltedAt.epoch}${s.haltedAt.date ? `, market day ${s.haltedAt.date}` : ''})` : ''}: ${s.reason}`
              : 'not halted (it acts while `provenant agent run` or the demo runs)',
          ],
          ['last epoch', s.lastEpoch === null ? 'none' : String(s.lastEpoch)],
          ['last run', s.lastRun ? `${s.lastRun.at}: ${s.lastRun.outcome}` : '—'],
          [
            'intents',
            Object.entries(s.intents)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ') || 'none',
          ],
          ['approvals', approvalsSummary(s)],
          ['drift', driftSummary(s.drift)],
          ['journal', `${s.journal.entries} entries, head ${s.journal.head}`],
        ]);
        for (const line of approvalLines(s)) console.log(line);
      });
    });

  agent
    .command('halt')
    .description('Halt the agent now with a recorded reason; only `agent resume` lets it act again.')
    .requiredOption('--reason <text>', 'why (recorded in the journal)')
    .action(async (flags: { reason: string }, command: Command) => {
      await withJournal(command.optsWithGlobals<GlobalOptions>(), (journal) => {
        const before = journal.state.halted();
        if (before.halted) {
          console.log(`Already halted since ${new Date(before.since).toISOString()}: ${before.reason}`);
          return;
        }
        journal.state.halt(`operator: ${flags.reason}`, { by: 'provenant agent halt' });
        console.log(`Halted: operator: ${flags.reason}`);
      });
    });

  agent
    .command('resume')
    .description(
      'A person resumes a halted agent (recorded in the journal with who and the reason it was halted).',
    )
    .option('--by <name>', 'who resumes', process.env.USER ?? 'operator')
    .option('--note <text>', 'why it is safe to resume')
    .action(async (flags: { by: string; note?: string }, command: Command) => {
      await withJournal(command.optsWithGlobals<GlobalOptions>(), (journal) => {
        const before = journal.state.halted();
        if (!before.halted) {
          console.log('The agent is not halted; nothing to resume.');
          return;
        }
        journal.state.resume(flags.by);
        journal.append({
          kind: 'note',
          payload: {
            resumedBy: flags.by,
            note: flags.note ?? null,
            haltReason: before.reason,
            rebaseline: 'the drift reference is re-baselined at the next start',
          },
        });
        // The agent re-baselines its drift detector from the journal at the next start, and starts counting
        // consecutive refusals afresh (as the in-process `agent.rebaseline()` does): a halt on too many
        // refusals must not fire again on the first refusal after a person resumed it.
        journal.state.setChained('consecutiveRefusals', {});
        journal.append({ kind: 'decision', payload: { rebaseline: true } });
        console.log(`Resumed by ${flags.by} (was halted: ${before.reason}).`);
      });
    });

  agent
    .command('approve <id>')
    .description(
      'Approve a pending intent; the approval is bound to its calldata hash and used at most once. An expired request (unanswered, or not sent, within `agent.approvalExpiryEpochs` epochs) is refused: approve the new request the agent makes.',
    )
    .option('--by <name>', 'who approves', process.env.USER ?? 'operator')
    .option('--reject <reason>', 'reject instead of approving')
    .action(async (id: string, flags: { by: string; reject?: string }, command: Command) => {
      await withJournal(command.optsWithGlobals<GlobalOptions>(), (journal) => {
        const row = flags.reject
          ? journal.approvals.reject(id, flags.by, flags.reject)
          : journal.approvals.approve(id, flags.by);
        const p = row.payload as { summary?: string };
        console.log(
          `${row.status === 'approved' ? 'Approved' : 'Rejected'} ${id}: ${p.summary ?? ''} (calldata ${row.calldataHash}).`,
        );
        if (row.status === 'approved') {
          const deadline = (row.payload as { expiresAtEpoch?: unknown }).expiresAtEpoch;
          console.log(
            typeof deadline === 'number'
              ? `It is sent by the agent's next epoch if that is at or before epoch ${deadline}; later (a stopped or halted agent), it expires instead (\`provenant agent run --once\` sends it now).`
              : 'It is sent at the next epoch (`provenant agent run --once` sends it now).',
          );
        }
      });
    });
}
