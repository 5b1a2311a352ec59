import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'provenant-demo-cli-'));
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
