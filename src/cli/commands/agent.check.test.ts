import { describe, expect, test } from 'vitest';
import type { ReadinessCheck, ReadinessReport } from '../../agent/index.js';
import { formatReadiness } from './agent.check.js';

// The verdict line of `agent check`: a halted agent is set up but does not run (`agent run` exits 1 at once).
const AGENT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const report = (...checks: ReadinessCheck[]): ReadinessReport => ({
  ok: checks.every((c) => c.status !== 'fail'),
  agent: AGENT,
  chainId: 31337,
  checks,
});
const journal: ReadinessCheck = { name: 'journal', status: 'ok', detail: '505 entries, hash chain intact' };
const paused: ReadinessCheck = {
  name: 'pause',
  status: 'warn',
  detail: 'the guard is paused globally',
  fix: 'Only governance unpauses',
};
const halt: ReadinessCheck = {
  name: 'halt',
  status: 'warn',
  detail: 'the agent is halted: drift',
  fix: 'A person checks the reason, then `provenant agent resume --by <name>`.',
};

describe('formatReadiness verdict', () => {
  test('default: no warning, the agent can run', () => {
    expect(formatReadiness(report(journal)).split('\n').at(-1)).toBe(
      `✓ agent ${AGENT} can run on chain 31337`,
    );
  });

  test('behavior: a halted agent is not called runnable: the verdict names the halt and `agent resume`', () => {
    const last = formatReadiness(report(journal, paused, halt))
      .split('\n')
      .at(-1);
    expect(last).toBe(
      `! agent ${AGENT} is set up on chain 31337 but halted: \`agent run\` stops at once (exit code 1) until a person runs \`provenant agent resume\` (2 warning(s) above)`,
    );
  });

  test('behavior: other warnings keep "can run", with their count', () => {
    expect(formatReadiness(report(journal, paused)).split('\n').at(-1)).toBe(
      `✓ agent ${AGENT} can run on chain 31337, with 1 warning(s) above`,
    );
  });
});
