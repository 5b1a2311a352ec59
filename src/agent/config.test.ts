import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { thrown } from '../../test/thrown.js';
import { feedRulesOf, InvalidConfigError, loadConfig, parseConfig } from '../config/index.js';
import { FeedRefusedError } from '../oracle/index.js';
import { checkObservation } from './market.js';
import { agentOptionsSchema } from './options.js';

/**
 * The config sections the agent reads, checked where the agent lives (the config module may not import
 * the agent: ARCHITECTURE.md's module rule).
 */

describe('oracle config takes effect in the agent', () => {
  test('behavior: oracle.maxAgeSeconds and maxDeviationBps become the agent feed limits', () => {
    const round = (roundId: bigint, answer: bigint, updatedAt: bigint) => ({
      roundId,
      answer,
      startedAt: updatedAt,
      updatedAt,
      answeredInRound: roundId,
    });
    // The newest round is 2 hours old and moved 10 % (1000 bps) from the previous one.
    const observation = {
      blockNumber: 1n,
      now: 1_000_000n + 7_200n,
      date: '1970-01-12',
      decimals: 8,
      feeds: { WTI: '0x0000000000000000000000000000000000000001' as const },
      wti: [round(1n, 70_00000000n, 1_000_000n - 86_400n), round(2n, 77_00000000n, 1_000_000n)],
    };
    expect(() => checkObservation(observation, feedRulesOf(parseConfig({}).oracle))).not.toThrow();
    const stale = thrown(() =>
      checkObservation(observation, feedRulesOf(parseConfig({ oracle: { maxAgeSeconds: 3_600 } }).oracle)),
    );
    expect(stale).toBeInstanceOf(FeedRefusedError);
    expect((stale as FeedRefusedError).rule).toBe('stale');
    const deviant = thrown(() =>
      checkObservation(observation, feedRulesOf(parseConfig({ oracle: { maxDeviationBps: 500 } }).oracle)),
    );
    expect(deviant).toBeInstanceOf(FeedRefusedError);
    expect((deviant as FeedRefusedError).rule).toBe('deviation');
  });
});

describe('agent section', () => {
  test('error: unknown keys and wrong types are named at load time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-'));
    writeFileSync(
      join(dir, 'provenant.config.json'),
      JSON.stringify({ agent: { epochSeconds: 'x', targetVol: 'high' } }),
    );
    const error = thrown(() => loadConfig({ cwd: dir, sections: { agent: agentOptionsSchema } }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues).toEqual([
      { field: 'agent.targetVol', given: '"high"', expected: 'a number' },
      {
        field: 'agent',
        given: "unknown field 'epochSeconds'",
        expected: 'only the agent options documented in docs/agent.md#options',
      },
    ]);
  });

  test('behavior: a valid section is kept as given (the agent applies its own defaults)', () => {
    const config = parseConfig({ agent: { zk: true, art: { size: 64 } } }, '(inline)', {
      agent: agentOptionsSchema,
    });
    expect(config.agent).toEqual({ zk: true, art: { size: 64 } });
  });

  test('behavior: the section is checked together with the rest (all problems at once)', () => {
    const error = thrown(() =>
      parseConfig({ devnet: { port: 'x' }, agent: { maxDrawdown: 2 } }, '(inline)', {
        agent: agentOptionsSchema,
      }),
    );
    expect((error as InvalidConfigError).issues.map((i) => i.field)).toEqual([
      'devnet.port',
      'agent.maxDrawdown',
    ]);
  });
});
