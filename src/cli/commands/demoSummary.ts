import { resolve } from 'node:path';
import type { PublicClient } from 'viem';
import {
  type AgentAddresses,
  agentVerifyDependencies,
  type DemoResult,
  formatSynthVerifyReport,
  summarizeJournal,
  summaryRows,
  synthVerifyDependencies,
  verifySynthFromJournal,
  writeAgentReport,
} from '../../agent/index.js';
import {
  aggregatorRoundOf,
  aggregatorV3InterfaceAbi,
  feedAccumulatorAbi,
  forecastProofGateAbi,
  phaseOf,
} from '../../chain/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { formatVerifyReport, mintedTokenIds, verifyAllVersions } from '../../provenance/index.js';
import { printTable } from '../output.js';

/**
 * Arguments not repeated in the resume command: `--fresh` would move the saved state aside instead of
 * resuming it, and `--rpc-url` (unused by the demo, which runs on its own devnet) may carry a credential.
 */
const DROPPED_FLAGS = new Set(['--fresh']);
const DROPPED_WITH_VALUE = new Set(['--rpc-url']);

/** Quotes one argument for a POSIX shell when it needs it (`--report 'my reports'`). */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The command that resumes an interrupted demo: the arguments it was started with (`args` is
 * `process.argv.slice(2)`: `demo` and its flags, globals such as --state-dir included) without
 * `--fresh` or `--rpc-url`. Under `npm start` (`npm_lifecycle_event` is `start` in `env`) it is
 * `npm start -- <flags>`, else `provenant <args>`.
 */
export function demoResumeCommand(args: readonly string[], env: NodeJS.ProcessEnv = {}): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (DROPPED_FLAGS.has(arg) || DROPPED_WITH_VALUE.has(arg.split('=')[0] as string)) {
      if (DROPPED_WITH_VALUE.has(arg)) i++; // `--rpc-url <url>`: its value goes too.
      continue;
    }
    kept.push(arg);
  }
  if (env.npm_lifecycle_event === 'start') {
    // The start script is `provenant demo`: what follows `demo` is what the user passed after `--`.
    const flags = kept[0] === 'demo' ? kept.slice(1) : kept;
    return flags.length ? `npm start -- ${flags.map(shellQuote).join(' ')}` : 'npm start';
  }
  return ['provenant', ...kept].map(shellQuote).join(' ');
}

/** After the demo loop: the summary table, `verify --all`, `audit verify`, and the report folder. */
export async function finishDemo(
  result: DemoResult,
  options: {
    reportDir: string;
    stopped: boolean;
    /** What to run to resume after Ctrl-C; default: this process's own command line (demoResumeCommand). */
    resumeCommand?: string;
  },
): Promise<void> {
  const { journal } = result;
  if (options.stopped && !result.completed) {
    const resume = options.resumeCommand ?? demoResumeCommand(process.argv.slice(2), process.env);
    console.log(stoppedMessage(result.epochsRun, resume));
    return;
  }
  const summary = summarizeJournal(journal);
  console.log('\nSummary');
  printTable(summaryRows(summary));
  if (summary.refusalExamples[0])
    console.log(`\nA refusal, as the chain explained it:\n  ${summary.refusalExamples[0]}`);
  if (summary.halts.length) {
    console.log('\nHalts:');
    for (const h of summary.halts) console.log(`  ${h.date ?? `epoch ${h.epoch}`}: ${h.reason}`);
  }
  const upgrades = await feedUpgradeLines(result.stack.agent.publicClient, result.stack.addresses).catch(
    (error: unknown) => [`WTI aggregator upgrades: not read (${(error as Error).message.split('\n')[0]})`],
  );
  // Printed with the verification lines and written to the report's Verification section.
  const verifyLines = [...(await verifyAll(result)), ...upgrades];
  const audit = journal.verify();
  // The head the agent signed after its last epoch (journal/attest.ts), checked against the agent's key.
  const { checkJournalAttestation } = await import('../../agent/index.js');
  const signed = await checkJournalAttestation(journal, result.stack.agentAccount.address);
  const signedText =
    signed.status === 'attested'
      ? `, head signed by the agent at seq ${signed.attestation.seq}`
      : signed.status === 'invalid'
        ? ''
        : ', head not signed';
  const anchors = await checkDemoAnchors(result);
  const anchorsText =
    anchors.status === 'ok'
      ? anchors.latest
        ? `, ${anchors.anchors} on-chain anchor(s) match (latest seq ${anchors.latest.seq})`
        : ', no on-chain anchor yet'
      : '';
  const anchorsFailed = anchors.status === 'mismatch' || anchors.status === 'unchecked';
  const ok = audit.ok && signed.status !== 'invalid' && !anchorsFailed;
  const auditLine = ok
    ? `audit verify: ${audit.entries} entries, hash chain intact (head ${audit.head.hash.slice(0, 18)}…)${signedText}${anchorsText}`
    : `audit verify FAILED: ${[
        ...audit.issues.map((i) => `seq ${i.seq}: ${i.detail}`),
        ...audit.tables.map((t) => t.detail),
        ...(signed.status === 'invalid' ? [signed.problem] : []),
        ...(anchorsFailed ? [`on-chain anchors: ${anchors.problem}`] : []),
      ].join('; ')}`;
  console.log(`\n${verifyLines.join('\n')}\n${auditLine}`);
  const files = writeAgentReport(summary, resolve(options.reportDir), {
    verify: verifyLines,
    audit: auditLine,
    elapsedSeconds: result.elapsedMs / 1000,
  });
  console.log(`\nReport: ${files[0]} (+${files.length - 1} charts)`);
  if (!ok || verifyLines.some((l) => l.includes('NOT verified'))) {
    throw new NonRetryableError('Verification failed: see the lines above.', {
      details:
        'A failed check names what differs; the journal and the content store are left as they are for inspection.',
    });
  }
}

/** A proxy round as `phase p #n (YYYY-MM-DD)`: its aggregator's own round and the day it observed. */
async function roundWhen(
  client: Pick<PublicClient, 'readContract'>,
  feed: AgentAddresses['feeds']['WTI'],
  id: bigint,
) {
  const name = `phase ${phaseOf(id)} #${aggregatorRoundOf(id)}`;
  const data = await client
    .readContract({ address: feed, abi: aggregatorV3InterfaceAbi, functionName: 'getRoundData', args: [id] })
    .catch(() => undefined);
  return data ? `${name} (${new Date(Number(data[3]) * 1000).toISOString().slice(0, 10)})` : name;
}

/**
 * On a Chainlink-style proxy feed, what the summary and the report say about each aggregator upgrade the
 * run went through: where the old phase ended and the new one began (the zk accumulator's `PhaseBridged`
 * logs), and how many zk proofs the gate accepted on a window that spans it (`ForecastProven` with the
 * first round in the old phase and the last in the new one), so the new behaviour (no 20-round wait) is
 * visible. Nothing on a feed without upgrades or a deployment without the zk accumulator.
 */
export async function feedUpgradeLines(
  client: Pick<PublicClient, 'getContractEvents' | 'readContract'>,
  addresses: Pick<AgentAddresses, 'feeds' | 'zkAccumulator' | 'zkGate' | 'fromBlock'>,
): Promise<string[]> {
  if (!addresses.zkAccumulator) return [];
  const bridges = await client.getContractEvents({
    address: addresses.zkAccumulator,
    abi: feedAccumulatorAbi,
    eventName: 'PhaseBridged',
    fromBlock: addresses.fromBlock,
  });
  if (bridges.length === 0) return [];
  const proofs = addresses.zkGate
    ? await client.getContractEvents({
        address: addresses.zkGate,
        abi: forecastProofGateAbi,
        eventName: 'ForecastProven',
        fromBlock: addresses.fromBlock,
      })
    : [];
  const feed = addresses.feeds.WTI;
  const lines: string[] = [];
  for (const bridge of bridges) {
    const before = bridge.args.lastOfPhase as bigint;
    const after = bridge.args.firstOfNextPhase as bigint;
    const spanning = proofs.filter((p) => {
      const first = p.args.firstRoundId as bigint;
      const last = p.args.lastRoundId as bigint;
      return phaseOf(first) === phaseOf(before) && phaseOf(last) === phaseOf(after);
    });
    const firstSpan = spanning[0]?.args;
    lines.push(
      `WTI aggregator upgrade: ${await roundWhen(client, feed, before)} was phase ${phaseOf(before)}'s last round, ${await roundWhen(client, feed, after)} phase ${phaseOf(after)}'s first; the zk accumulator bridged them (block ${bridge.blockNumber}); ${
        addresses.zkGate
          ? `${spanning.length} zk proof(s) on windows spanning the upgrade${firstSpan ? `, the first on rounds phase ${phaseOf(firstSpan.firstRoundId as bigint)} #${aggregatorRoundOf(firstSpan.firstRoundId as bigint)}..phase ${phaseOf(firstSpan.lastRoundId as bigint)} #${aggregatorRoundOf(firstSpan.lastRoundId as bigint)}` : ''}`
          : 'no zk gate'
      }`,
    );
  }
  return lines;
}

/** The Ctrl-C line: how far this run got and the exact command that resumes it. */
export function stoppedMessage(epochsRun: number, resumeCommand: string): string {
  return `\nStopped cleanly after ${epochsRun} epoch(s) this run; chain state and journal are saved. Run \`${resumeCommand}\` to resume.`;
}

/** The journal heads the agent anchored on-chain (`JournalAnchor`), checked as `audit verify` checks them. */
async function checkDemoAnchors(result: DemoResult) {
  const { anchorSources, verifyJournalAnchors } = await import('../../agent/index.js');
  const { stack } = result;
  const sources = anchorSources(result.journal, stack.stateDir);
  const client = stack.agent.publicClient;
  try {
    return await verifyJournalAnchors(
      result.journal,
      sources,
      sources.length > 0 ? { client, chainId: await client.getChainId() } : undefined,
    );
  } catch (error) {
    // The devnet went away under the summary: say the anchors were not checked (the summary fails on it)
    // instead of ending on a stack trace.
    return {
      status: 'unchecked' as const,
      problem: `the chain could not be read (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

async function verifyAll(result: DemoResult): Promise<string[]> {
  const { stack } = result;
  const deps = agentVerifyDependencies({
    client: stack.agent.publicClient,
    addresses: stack.addresses,
    stateDir: stack.stateDir,
    content: stack.content,
  });
  const tokens = await mintedTokenIds(
    stack.agent.publicClient,
    stack.addresses.nft,
    stack.addresses.fromBlock,
  );
  let versions = 0;
  const failures: string[] = [];
  for (const tokenId of tokens) {
    for (const report of await verifyAllVersions(tokenId, deps)) {
      versions++;
      if (!report.ok) failures.push(formatVerifyReport(report));
    }
  }
  const head = `verify --all: ${tokens.length} token(s), ${versions} version(s), ${versions - failures.length} verified`;
  const synth = await verifySynthFromJournal(
    result.journal,
    synthVerifyDependencies({
      client: stack.agent.publicClient,
      stateDir: stack.stateDir,
      vault: stack.addresses.vault,
      registry: stack.addresses.registry,
      content: stack.content,
      fromBlock: stack.addresses.fromBlock,
      // The demo knows its agent; without it each decision's sender is read back from the vault's logs.
      agent: stack.agentAccount.address,
    }),
  );
  const synthFailures = synth.filter((r) => !r.ok).map(formatSynthVerifyReport);
  const synthHead = `verify --synth: ${synth.length} decisions, ${synth.length - synthFailures.length} verified`;
  return [
    ...(failures.length ? [`${head} — NOT verified:`, ...failures] : [head]),
    ...(synthFailures.length ? [`${synthHead} — NOT verified:`, ...synthFailures] : [synthHead]),
  ];
}
