import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { notVerifiedError, parseIntentId, parseTokenId, verifyJson } from '../src/cli/commands/verify.js';
import { formatSynthReport } from '../src/cli/commands/verify.synth.js';
import { formatVerifyReport, type VerifyReport } from '../src/provenance/index.js';
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

describe('verify names bad input before it starts a chain (review 7)', () => {
  // The state dir has no devnet: without the early checks each of these said "No devnet state".
  test.each([
    [['abc'], "Token id 'abc' is not a number."],
    [['--manifest', 'bafkreinotacid'], "--manifest 'bafkreinotacid' is not a CID."],
    [['--synth', 'nothex'], "Intent id 'nothex' is not a 32-byte hex value."],
  ])('verify %j', (args, message) => {
    const r = verify(...args);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/No devnet state|probably a bug/);
  });

  test('intent ids: 32 bytes of hex, any case', () => {
    const id = `0x${'Ab'.repeat(32)}`;
    expect(parseIntentId(id)).toBe(id.toLowerCase());
    expect(thrown(() => parseIntentId('0x1234')).message).toContain('is not a 32-byte hex value');
  });
});

describe('verify explains a version that is not verified (review 7)', () => {
  const report = (checks: VerifyReport['checks'], notChecked: string[]): VerifyReport => ({
    tokenId: '7',
    version: 0,
    ok: false,
    notChecked,
    checks,
  });

  test('a check that could not run points at <stateDir>/models, where model files live (not the content store)', () => {
    const error = notVerifiedError([
      report(
        [{ name: 'zk-forecast-scale', status: 'skip', detail: 'forecaster file unavailable' }],
        ['zk-forecast-scale'],
      ),
    ]);
    expect(error.message).toContain('1 of 1 version(s) NOT verified (not checked: zk-forecast-scale).');
    expect(error.message).toContain('a model file that is not in <stateDir>/models');
    expect(error.message).not.toContain('content store');
  });

  test('failed and unchecked versions are both named', () => {
    const error = notVerifiedError([
      report([{ name: 'image-bytes', status: 'fail', expected: '1 byte' }], []),
      report([{ name: 'model-id', status: 'skip' }], ['model-id']),
    ]);
    expect(error.message).toContain(
      '2 of 2 version(s) NOT verified (failed: image-bytes; not checked: model-id).',
    );
  });
});

describe('verify --json', () => {
  test('one object: the verdict the exit code carries, and the reports whole', () => {
    const passed = { tokenId: '7', version: 0, ok: true, notChecked: [], checks: [] };
    const failed = { ...passed, version: 1, ok: false };
    expect(verifyJson([passed, failed])).toEqual({ ok: false, reports: [passed, failed] });
    expect(verifyJson([passed])).toEqual({ ok: true, reports: [passed] });
    // Nothing to verify (no token minted yet, no synth decision): exit 0, and ok says so.
    expect(verifyJson([])).toEqual({ ok: true, reports: [] });
  });
});

describe('verify --synth prints what each check compared (review 7)', () => {
  test('✓ with the value found, ✗ with the expected and the found value, as `verify` of an artwork', () => {
    const text = formatSynthReport({
      intentId: `0x${'11'.repeat(32)}`,
      manifestCid: 'bafkreifmssdolzxv4ola77tnzsxvtff3klkthqos732jlawbihiiri6lce',
      action: 'mint',
      amount: '1500000000000000000000',
      date: '2020-01-02',
      proofKind: 'groth16',
      ok: false,
      checks: [
        { name: 'zk-proof', status: 'pass', expected: 'valid', actual: 'valid' },
        { name: 'vault-event', status: 'fail', expected: '1500', actual: '1400', detail: 'tx 0xab' },
        { name: 'zk-calldata', status: 'pass', actual: 'x'.repeat(200) },
      ],
    });
    expect(text.split('\n')).toEqual([
      `NOT VERIFIED synth mint 1500 sWTI 2020-01-02 (groth16) intent 0x${'11'.repeat(32)} manifest bafkreifmssdolzxv4ola77tnzsxvtff3klkthqos732jlawbihiiri6lce`,
      '  ✓ zk-proof  valid',
      '  ✗ vault-event  expected 1500  found 1400  (tx 0xab)',
      `  ✓ zk-calldata  ${'x'.repeat(159)}… (--json prints it whole)`,
    ]);
  });
});

describe('formatVerifyReport (review 7)', () => {
  test('a failed check whose read failed still says what was found, then why', () => {
    const text = formatVerifyReport({
      tokenId: '7',
      version: 0,
      ok: false,
      notChecked: [],
      checks: [
        {
          name: 'image-bytes',
          status: 'fail',
          expected: '9796 bytes, keccak256 0x1b98',
          detail: 'stored image: Stored content does not match its CID',
        },
      ],
    });
    expect(text.split('\n')[1]).toBe(
      '✗ image-bytes  expected 9796 bytes, keccak256 0x1b98  found nothing readable  (stored image: Stored content does not match its CID)',
    );
  });
});
