import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseTokenId } from '../src/cli/commands/verify.js';
import { thrown } from './thrown.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-verify-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `provenant verify …` as a process on an empty state dir: these refusals come before any chain is opened. */
const verify = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/provenant.js', '--state-dir', join(dir, 'state'), 'verify', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('verify refuses flags it would ignore (review 6)', () => {
  test.each([
    [['--synth', '--manifest', 'bafy'], '--manifest cannot be combined with --synth.'],
    [['--synth', '--at-version', '1'], '--at-version cannot be combined with --synth.'],
    [['5', '--all', '--synth'], '--synth takes an intent id or --all, not both.'],
    [['5', '--all', '--at-version', '1'], '--at-version and --all cannot be combined.'],
  ])('verify %j', (args, message) => {
    const r = verify(...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/probably a bug|Unexpected error/);
  });

  test('token ids: negative and too large are named as such', () => {
    expect(thrown(() => parseTokenId('-1')).message).toContain(
      "Token id '-1' is negative: token ids are 0 or more.",
    );
    expect(thrown(() => parseTokenId(`${2n ** 256n}`)).message).toContain('is larger than a uint256');
    expect(thrown(() => parseTokenId('abc')).message).toContain("Token id 'abc' is not a number.");
    expect(thrown(() => parseTokenId('')).message).toContain('is not a number');
    expect(parseTokenId('0x10')).toBe(16n);
  });
});
