import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isLoopback } from '../src/cli/commands/devnet.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-cli-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('provenant demo refuses what it would ignore (review 6, defect 11)', () => {
  test('--rpc-url: refused before anything starts (it used to run the embedded devnet anyway)', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/provenant.js', '--state-dir', join(dir, 'state'), 'demo', '--rpc-url', 'http://127.0.0.1:9'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('`provenant demo` runs on its embedded devnet; --rpc-url is not used by it.');
    expect(r.stderr).toContain('provenant agent run --rpc-url');
    expect(r.stderr).not.toMatch(/probably a bug|Unexpected error/);
    expect(r.stdout).not.toContain('setup:');
  });
});

describe('content push --api-url (review 6 polish)', () => {
  test('a value that is not an http(s) URL is refused and never echoed (it may be a token)', () => {
    const r = spawnSync(
      process.execPath,
      [
        'bin/provenant.js',
        '--state-dir',
        join(dir, 'state'),
        'content',
        'push',
        '--api-url',
        'sk-live-0123456789abcdef',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--api-url '<not a URL>' is not an http(s) URL.");
    expect(r.stderr).not.toContain('sk-live-0123456789abcdef');
  });
});

describe('provenant devnet warns when it does not bind to loopback (review 6 polish)', () => {
  test('isLoopback: 127.0.0.0/8, ::1 and localhost only', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com'])
      expect(isLoopback(host)).toBe(false);
  });
});

describe('conflicting or idle flags are refused before a chain is opened (review 6 polish)', () => {
  test.each([
    [['pool', 'remove', '5', '--all'], 'Give a number of shares (5) or --all, not both.'],
    [['model', 'shares', '0x01', '--amount', '5'], '--amount is used only with --transfer <to>.'],
    [['art', 'render', '--size', '100000'], 'Expected at most 4096 pixels (what a manifest allows).'],
    [['demo', '--art-size', '4097'], 'Expected at most 4096 pixels (what a manifest allows).'],
  ])('provenant %j', (args, message) => {
    const r = spawnSync(process.execPath, ['bin/provenant.js', '--state-dir', join(dir, 'state'), ...args], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stderr).toContain(message);
    expect(r.status).toBe(1);
  });
});

describe('agent run on a state dir with no deployment (review 6 polish)', () => {
  test('is refused without creating a journal there', async () => {
    const { startDevnet } = await import('../src/chain/index.js');
    const { existsSync } = await import('node:fs');
    const devnet = await startDevnet();
    try {
      const state = join(dir, 'empty-agent');
      const r = spawnSync(
        process.execPath,
        ['bin/provenant.js', '--rpc-url', devnet.rpcUrl, '--state-dir', state, 'agent', 'run', '--once'],
        {
          encoding: 'utf8',
          timeout: 60_000,
          env: {
            ...process.env,
            PROVENANT_PRIVATE_KEY: `0x${'59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'}`,
          },
        },
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the deployment manifest');
      expect(existsSync(join(state, 'journal.sqlite'))).toBe(false);
    } finally {
      await devnet.stop();
    }
  });
});
