// Why: `provenant agent check` lists everything that would stop or stall `agent run` on this chain and state
// dir, each with its fix, before the agent is started (it reads; it never sends).
import type { Command } from 'commander';
import type { ReadinessCheck, ReadinessReport } from '../../agent/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';
import { openAgentSession } from './agent.js';

const MARK: Record<ReadinessCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '–' };

/** The report as `agent check` prints it: one line per check, the fix under each warning and failure. */
export function formatReadiness(r: ReadinessReport): string {
  const lines = r.checks.flatMap((c) => [
    `${MARK[c.status]} ${c.name}: ${c.detail}`,
    ...(c.fix && c.status !== 'ok' ? [`    fix: ${c.fix}`] : []),
  ]);
  const failed = r.checks.filter((c) => c.status === 'fail').length;
  const warned = r.checks.filter((c) => c.status === 'warn').length;
  lines.push(
    failed > 0
      ? `✗ agent ${r.agent} cannot run on chain ${r.chainId}: ${failed} problem(s) to fix${warned ? `, ${warned} warning(s)` : ''}`
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

export function registerAgentCheck(agent: Command): void {
  agent
    .command('check')
    .description(
      'Before `agent run`: the deployment, the guard role of the agent key, gas, pauses, policies, models, the oracle, collateral and the journal; each problem with its fix (reads only).',
    )
    .option('--json', 'print { ok, agent, chainId, checks } as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const { checkAgentReadiness } = await import('../../agent/index.js');
      const { toJson } = await import('../output.js');
      const session = await openAgentSession(command.optsWithGlobals<GlobalOptions>(), { signer: 'agent' });
      try {
        const report = await checkAgentReadiness({
          clients: session.clients,
          agent: session.account.address,
          stateDir: session.stateDir,
        });
        console.log(flags.json ? toJson(report) : formatReadiness(report));
        if (!report.ok) throw new AgentNotReadyError(report);
      } finally {
        await session.close();
      }
    });
}
