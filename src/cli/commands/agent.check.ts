// Why: `provenant agent check` lists everything that would stop or stall `agent run` on this chain and state
// dir, each with its fix, before the agent is started (it reads; it never sends).
import type { Command } from 'commander';
import type { ReadinessCheck, ReadinessReport } from '../../agent/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';
import { openAgentSession } from './agent.js';

const MARK: Record<ReadinessCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗' };

/** The report as `agent check` prints it: one line per check, the fix under each warning and failure. */
export function formatReadiness(r: ReadinessReport): string {
  const lines = r.checks.flatMap((c) => [
    `${MARK[c.status]} ${c.name}: ${c.detail}`,
    ...(c.fix && c.status !== 'ok' ? [`    fix: ${c.fix}`] : []),
  ]);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  // A halt is a warning (nothing is broken), but `agent run` stops at once with exit code 1 until a person
  // resumes it: the verdict says so instead of "can run".
  const halted = r.checks.some((c) => c.name === 'halt' && c.status === 'warn');
  lines.push(
    failed > 0
      ? `✗ agent ${r.agent} cannot run on chain ${r.chainId}: ${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}`
      : halted
        ? `! agent ${r.agent} is set up on chain ${r.chainId} but halted: \`agent run\` stops at once (exit code 1) until a person runs \`provenant agent resume\` (${warned} warning(s) above)`
        : `✓ agent ${r.agent} can run on chain ${r.chainId}${warned ? `, with ${warned} warning(s) above` : ''}`,
  );
  return lines.join('\n');
}

/** `agent check` found something that stops the agent (exit 1, after the report). */
export class AgentNotReadyError extends NonRetryableError {
  override name = 'AgentNotReadyError';
  constructor(report: ReadinessReport) {
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    super(`The agent ${report.agent} cannot run yet: ${failed.join(', ')} (see the lines above).`, {
      details: 'Fix each ✗ line as its `fix:` says, then run `provenant agent check` again.',
      docsPath: 'docs/agent.md#running-the-agent',
    });
  }
}

/** `agent check --agent <address>`: a 20-byte hex address, refused before the chain is opened. */
export function parseAgentAddress(text: string): `0x${string}` {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text.trim()))
    throw new NonRetryableError(`--agent '${text}' is not an address.`, {
      details:
        'Pass the agent address as 0x followed by 40 hex digits (`provenant policy show` names the guard agent), or leave --agent out to check the signer key.',
    });
  return text.trim() as `0x${string}`;
}

export function registerAgentCheck(agent: Command): void {
  agent
    .command('check')
    .description(
      'Before `agent run`: the deployment, the guard role of the agent key, gas, pauses, policies, models, the oracle, collateral and the journal; each problem with its fix (reads only).',
    )
    .option('--json', 'print { ok, agent, chainId, checks } as JSON')
    .option(
      '--agent <address>',
      "check this agent address instead of the signer key's (reads only: no key needed, e.g. an auditor or a monitoring host)",
      parseAgentAddress,
    )
    .action(async (flags: { json?: boolean; agent?: `0x${string}` }, command: Command) => {
      const { checkAgentReadiness } = await import('../../agent/index.js');
      const { toJson } = await import('../output.js');
      // Every check reads; only the agent's address is needed, so --agent spares the key.
      const session = await openAgentSession(command.optsWithGlobals<GlobalOptions>(), {
        signer: flags.agent ? 'none' : 'agent',
      });
      try {
        const report = await checkAgentReadiness({
          clients: session.clients,
          agent: flags.agent ?? session.account.address,
          stateDir: session.stateDir,
        });
        console.log(flags.json ? toJson(report) : formatReadiness(report));
        if (!report.ok) throw new AgentNotReadyError(report);
      } finally {
        await session.close();
      }
    });
}
