import { resolve } from 'node:path';
import {
  agentVerifyDependencies,
  type DemoResult,
  formatSynthVerifyReport,
  summarizeJournal,
  summaryRows,
  synthVerifyDependencies,
  verifySynthFromJournal,
  writeAgentReport,
} from '../../agent/index.js';
import { NonRetryableError } from '../../errors/index.js';
import { formatVerifyReport, mintedTokenIds, verifyAllVersions } from '../../provenance/index.js';
import { printTable } from '../output.js';

/** After the demo loop: the summary table, `verify --all`, `audit verify`, and the report folder. */
export async function finishDemo(
  result: DemoResult,
  options: { reportDir: string; stopped: boolean },
): Promise<void> {
  const { journal } = result;
  if (options.stopped && !result.completed) {
    console.log(
      `\nStopped cleanly after ${result.epochsRun} epoch(s) this run; chain state and journal are saved. Run \`npm start\` again to resume.`,
    );
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
  const verifyLines = await verifyAll(result);
  const audit = journal.verify();
  const auditLine = audit.ok
    ? `audit verify: ${audit.entries} entries, hash chain intact (head ${audit.head.hash.slice(0, 18)}…)`
    : `audit verify FAILED: ${audit.issues.map((i) => `seq ${i.seq}: ${i.detail}`).join('; ')}`;
  console.log(`\n${verifyLines.join('\n')}\n${auditLine}`);
  const files = writeAgentReport(summary, resolve(options.reportDir), {
    verify: verifyLines,
    audit: auditLine,
    elapsedSeconds: result.elapsedMs / 1000,
  });
  console.log(`\nReport: ${files[0]} (+${files.length - 1} charts)`);
  if (!audit.ok || verifyLines.some((l) => l.includes('NOT verified'))) {
    throw new NonRetryableError('Verification failed: see the lines above.', {
      details:
        'A failed check names what differs; the journal and the content store are left as they are for inspection.',
    });
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
