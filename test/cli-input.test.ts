/**
 * Bad input to the CLI is named and explained: wrong flag values, broken files, contract refusals and
 * file-system errors end in a sentence that says what was given and what to do, never in
 * "Unexpected error … probably a bug". Runs `main()` in-process (no chain needed for these paths).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { encodeFunctionData, getAddress } from 'viem';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { ContractRevertError, syntheticVaultAbi } from '../src/chain/index.js';
import { checkDemoRange } from '../src/cli/commands/demo.js';
import { listSaved } from '../src/cli/commands/gov.js';
import { checkBacktestForecasts, checkBacktestRange } from '../src/cli/commands/model.js';
import { parseLimitValue } from '../src/cli/commands/policy.js';
import { parseAddress as parseAddressViem, parseAmount } from '../src/cli/commands/synth.js';
import { buildProgram, main } from '../src/cli/main.js';
import { formatError } from '../src/cli/output.js';
import {
  formatFixed,
  InvalidAddressError,
  InvalidNumberError,
  intInRange,
  isoDate,
  nonNegativeInt,
  parseAddress,
  parseFixedPoint,
  positiveInt,
  positiveSeconds,
  UINT256_MAX,
} from '../src/cli/parse.js';
import {
  calledFunction,
  deploymentLabels,
  ExplainedRefusalError,
  explainCliError,
  tokenOfCall,
} from '../src/cli/refusal.js';
import { createSetupProgress, formatDuration, formatSetupProgress } from '../src/cli/setupProgress.js';
import { loadDataset } from '../src/data/index.js';
import { POLICY_ACTIONS } from '../src/policy/index.js';
import { thrown } from './thrown.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-cli-input-'));
});

/** Runs `provenant <args>` through main() and returns the exit code and everything written to stderr/stdout. */
async function run(...args: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.map(String).join(' '));
  });
  const l = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out.push(a.map(String).join(' '));
  });
  const w = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    err.push(String(chunk));
    return true;
  });
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    out.push(String(chunk));
    return true;
  });
  try {
    const code = await main(['node', 'provenant', '--state-dir', join(dir, 'state'), ...args]);
    return { code, err: err.join('\n'), out: out.join('\n') };
  } finally {
    e.mockRestore();
    l.mockRestore();
    w.mockRestore();
    o.mockRestore();
  }
}

const NOT_A_BUG = /probably a bug|Unexpected error/;

describe('option parsers (src/cli/parse.ts)', () => {
  test('positiveInt', () => {
    expect(positiveInt('3')).toBe(3);
    expect(positiveInt('1_000')).toBe(1000);
    for (const bad of ['abc', '0', '-1', '1.5', '', '1e3'])
      expect(() => positiveInt(bad), bad).toThrow(InvalidArgumentError);
  });
  test('nonNegativeInt', () => {
    expect(nonNegativeInt('0')).toBe(0);
    expect(() => nonNegativeInt('-2')).toThrow(/whole number/);
    expect(() => nonNegativeInt('99999999999999999999')).toThrow(/below/);
  });
  test('positiveSeconds', () => {
    expect(positiveSeconds('0.5')).toBe(0.5);
    expect(positiveSeconds('5')).toBe(5);
    for (const bad of ['abc', '0', '-1', 'NaN', 'Infinity'])
      expect(() => positiveSeconds(bad), bad).toThrow(InvalidArgumentError);
  });
  test('intInRange', () => {
    const bps = intInRange(0, 10_000, 'bps');
    expect(bps('50')).toBe(50);
    expect(() => bps('10001')).toThrow('Expected a whole number from 0 to 10000 bps.');
  });
  test('isoDate', () => {
    expect(isoDate('2020-04-20')).toBe('2020-04-20');
    expect(() => isoDate('2020-02-30')).toThrow('2020-02-30 is not a calendar date.');
    expect(() => isoDate('20/04/2020')).toThrow(/YYYY-MM-DD/);
  });
});

describe('verify --at-version (finding 1)', () => {
  test('verify has --at-version and no option shadowed by the global --version', () => {
    const verify = buildProgram().commands.find((c) => c.name() === 'verify')!;
    const flags = verify.options.map((o) => o.long);
    expect(flags).toContain('--at-version');
    expect(flags).not.toContain('--version');
  });
  test('behavior: the old spelling `verify <id> --version <n>` is refused, not answered with 0.1.0', async () => {
    const r = await run('verify', '1', '--version', '2');
    expect(r.code).toBe(1);
    expect(r.err).toContain('`verify --version` would print the program version');
    expect(r.err).toContain('--at-version <n>');
    expect(r.out).not.toContain('0.1.0');
    const plain = await run('--version');
    expect(plain.code).toBe(0);
    expect(plain.out).toContain('0.1.0');
  });
  test('behavior: a bad --at-version is refused before anything runs', async () => {
    const r = await run('verify', '2', '--at-version', 'two');
    expect(r.code).toBe(1);
    expect(r.err).toContain("option '--at-version <n>' argument 'two' is invalid");
    expect(r.out).not.toContain('0.1.0');
  });
});

describe('numeric flags (finding 4)', () => {
  test('behavior: demo --resume-after abc and --art-size 0 are refused by commander', async () => {
    const a = await run('demo', '--resume-after', 'abc');
    expect(a.code).toBe(1);
    expect(a.err).toContain("argument 'abc' is invalid. Expected a whole number");
    const b = await run('demo', '--art-size', '0');
    expect(b.err).toContain('Expected a whole number of at least 1.');
  });
  test('behavior: pool --slippage-bps out of range is refused', async () => {
    const r = await run('pool', 'swap', '1', '--in', 'usd', '--slippage-bps', '20000');
    expect(r.code).toBe(1);
    expect(r.err).toContain('Expected a whole number from 0 to 10000 bps.');
  });
});

describe('demo dates against the data (finding 5)', () => {
  const wti = loadDataset('wti-daily').series;
  const first = wti.points[0]!.date;
  const last = wti.points.at(-1)!.date;
  test('behavior: a start after the data names the coverage', async () => {
    const r = await run('demo', '--start', '2099-01-01', '--end', '2099-12-31');
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `--start 2099-01-01 is after the last WTI day in the data (WTI data covers ${first}…${last}).`,
    );
    expect(r.err).not.toMatch(NOT_A_BUG);
  });
  test('start after end, end before the data, and a valid range', () => {
    expect(() => checkDemoRange('2020-02-01', '2020-01-01', wti)).toThrow(
      '--start 2020-02-01 is after --end 2020-01-01',
    );
    expect(() => checkDemoRange('1900-01-01', '1900-02-01', wti)).toThrow(
      '--end 1900-02-01 is before the first WTI day',
    );
    expect(() => checkDemoRange('2019-12-02', '2020-12-31', wti)).not.toThrow();
  });
  test('a start too early to train the forecaster on the days before it', () => {
    // 1980-01-01 is before the data; a start a few weeks into the data leaves too few days.
    expect(() => checkDemoRange('1980-01-01', '2020-12-31', wti)).toThrow(
      '--start 1980-01-01 leaves 0 WTI days before it to train the forecaster on; it needs at least 72',
    );
    const seventySecond = wti.points[72]!.date;
    expect(() => checkDemoRange(wti.points[40]!.date, '2020-12-31', wti)).toThrow(/leaves 40 WTI days/);
    expect(() => checkDemoRange(seventySecond, '2020-12-31', wti)).not.toThrow();
  });
  test('behavior: an impossible date is refused by the parser', async () => {
    const r = await run('demo', '--start', '2020-02-30');
    expect(r.err).toContain('2020-02-30 is not a calendar date.');
  });
});

describe('malformed files are named (finding 3)', () => {
  test('zk verify: not JSON, and JSON of the wrong shape', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, 'not json at all');
    const a = await run('zk', 'verify', bad);
    expect(a.code).toBe(1);
    expect(a.err).toContain(`The proof file is not valid JSON`);
    expect(a.err).toContain(bad);
    expect(a.err).toContain('provenant zk prove');
    expect(a.err).not.toMatch(NOT_A_BUG);
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '{}');
    const b = await run('zk', 'verify', empty);
    expect(b.err).toContain('The proof file does not have the expected shape (format:');
    expect(b.err).toContain(empty);
    expect(b.err).not.toMatch(NOT_A_BUG);
  });
  test('zk verify: a missing file', async () => {
    const r = await run('zk', 'verify', join(dir, 'nope.json'));
    expect(r.err).toContain(`The proof file does not exist: ${join(dir, 'nope.json')}`);
  });
  test('model register: a missing model file is named before any chain is opened', async () => {
    const r = await run('model', 'register', join(dir, 'nope.json'));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`The model file does not exist: ${join(dir, 'nope.json')}`);
    expect(r.err).not.toMatch(NOT_A_BUG);
  });
  test('audit verify: random bytes instead of a journal name the file and the repair', async () => {
    const state = join(dir, 'state');
    mkdirSync(state, { recursive: true });
    const bytes = Buffer.alloc(8192);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) % 251; // fixed, not a SQLite header
    writeFileSync(join(state, 'journal.sqlite'), bytes);
    const r = await run('audit', 'verify');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`The journal cannot be read as a SQLite database`);
    expect(r.err).toContain(join(state, 'journal.sqlite'));
    expect(r.err).toContain('Restore the journal from a backup');
    expect(r.err).not.toMatch(NOT_A_BUG);
  });
  test('gov status: one broken proposal file is skipped with a warning naming it', () => {
    const proposals = join(dir, 'state', 'proposals');
    mkdirSync(proposals, { recursive: true });
    const good = {
      id: '123',
      chainId: 31337,
      governor: `0x${'11'.repeat(20)}`,
      description: 'raise the cap',
      calls: [{ target: `0x${'22'.repeat(20)}`, value: '0', data: '0x1234', label: 'setLimit' }],
      proposer: `0x${'33'.repeat(20)}`,
      createdAt: '2026-01-01T00:00:00Z',
    };
    writeFileSync(join(proposals, '123.json'), JSON.stringify(good));
    writeFileSync(join(proposals, '456.json'), '{"id": "456", "calls": [');
    writeFileSync(join(proposals, '789.json'), JSON.stringify({ ...good, id: '789', governor: 'nope' }));
    const warnings: string[] = [];
    const saved = listSaved(join(dir, 'state'), (m) => warnings.push(m));
    expect(saved.map((p) => p.id)).toEqual(['123']);
    expect(warnings).toHaveLength(2);
    expect(warnings.join('\n')).toContain(join(proposals, '456.json'));
    expect(warnings.join('\n')).toContain(`governor: expected a 0x address`);
    expect(warnings.join('\n')).toContain('Restore it from a backup, or move it out of');
  });
  test('a file-system error (ENOTDIR under --state-dir) names the path and the way out', () => {
    let error: unknown;
    try {
      mkdirSync('/dev/null/x', { recursive: true });
    } catch (e) {
      error = e;
    }
    const text = formatError(error, false);
    expect(text).toContain('The path /dev/null/x has a part that is a file, not a folder');
    expect(text).toContain('choose another --state-dir');
    expect(text).not.toMatch(NOT_A_BUG);
  });
});

describe('contract refusals through the error printer (finding 2)', () => {
  const TUSD = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
  const VAULT = '0xa513E6E4b8f2a923D98304ec87F64353C4D5C853';
  const labels = deploymentLabels([
    {
      contracts: {
        TestStablecoin: { address: TUSD },
        'SyntheticVault.sWTI': { address: VAULT },
      },
    },
  ]);
  /** A refusal as write.ts makes it: viem's ContractFunctionExecutionError (contract, function) as its cause. */
  const revert = (errorName: string, args: Record<string, unknown>, functionName: string) =>
    new ContractRevertError(errorName, args, undefined, {
      name: 'ContractFunctionExecutionError',
      contractAddress: VAULT,
      functionName,
    });

  test('synth open without tUSD: whole tUSD and how to get some', () => {
    const me = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
    const explained = explainCliError(
      revert('ERC20InsufficientBalance', { sender: me, balance: 0n, needed: 100_000_000n }, 'deposit'),
      labels,
    );
    expect(explained).toBeInstanceOf(ExplainedRefusalError);
    const text = formatError(explained, false);
    expect(text).toContain(`holds 0 tUSD but the call needs 100 tUSD`);
    expect(text).toContain(
      'TestStablecoin (tUSD), an open faucet: `provenant faucet <amount> [--to <address>]` mints tUSD in whole units',
    );
    expect(text).not.toContain('100000000');
  });

  test('policy tighten on a missing policy: names it and says governance creates it', () => {
    const explained = explainCliError(
      revert(
        'PolicyUnknown',
        { asset: VAULT, action: '0x0000000000000000000000000000000000000000000000000000000000000000' },
        'tightenLimit',
      ),
      labels,
    );
    expect(formatError(explained, false)).toContain(`no policy for sWTI vault (${VAULT})/`);
  });

  test('behavior: a raw sendPrepared call (CallExecutionError lines to:/data:) still finds the vault deposit', () => {
    const data = encodeFunctionData({
      abi: syntheticVaultAbi,
      functionName: 'deposit',
      args: [VAULT, 100_000_000n, `0x${'00'.repeat(32)}`],
    });
    const cause = {
      name: 'CallExecutionError',
      metaMessages: ['Raw Call Arguments:', `  to:    ${VAULT}`, `  data:  ${data}`],
    };
    expect(calledFunction(new ContractRevertError('X', {}, undefined, cause))).toEqual({
      address: VAULT.toLowerCase(),
      functionName: 'deposit',
    });
    const explained = explainCliError(
      new ContractRevertError(
        'ERC20InsufficientBalance',
        { sender: VAULT, balance: 1_500_000n, needed: 100_000_000n },
        undefined,
        cause,
      ),
      labels,
    );
    expect(formatError(explained, false)).toContain('holds 1.5 tUSD but the call needs 100 tUSD');
  });

  test('the token of a call: collateral for deposit, synth for repay, unknown otherwise', () => {
    expect(tokenOfCall({ address: VAULT.toLowerCase(), functionName: 'deposit' }, labels)).toEqual({
      symbol: 'tUSD',
      decimals: 6,
    });
    expect(tokenOfCall({ address: VAULT.toLowerCase(), functionName: 'repay' }, labels)).toEqual({
      symbol: 'sWTI',
      decimals: 18,
    });
    expect(tokenOfCall({ address: TUSD.toLowerCase(), functionName: 'transfer' }, labels)?.symbol).toBe(
      'tUSD',
    );
    expect(tokenOfCall({ address: VAULT.toLowerCase(), functionName: 'mint' }, labels)).toBeUndefined();
  });

  test('errors that are not refusals pass through unchanged', () => {
    const plain = new Error('boom');
    expect(explainCliError(plain, labels)).toBe(plain);
  });
});

describe('zk setup progress line (finding 7)', () => {
  afterEach(() => vi.useRealTimers());
  test('formatDuration', () => {
    expect(formatDuration(7_400)).toBe('7s');
    expect(formatDuration(125_000)).toBe('2m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
  test('steps advance from the setup and snarkjs messages; counts give an ETA', () => {
    let t = 0;
    const p = createSetupProgress({ now: () => t });
    expect(p.line()).toBe('zk setup: starting, elapsed 0s');
    t = 3_000;
    expect(p.observe('compiling zk/build/x/circuit.circom with circom2 (O2)')).toBe(true);
    expect(p.line()).toBe('zk setup: step 1 of 7 (compile the circuit), elapsed 3s');
    t = 60_000;
    expect(p.observe('powers of tau 2^13: new accumulator, one contribution, prepare phase 2')).toBe(true);
    t = 70_000;
    expect(p.observe('First Contribution Hash: \n\t\tabcd')).toBe(true);
    t = 80_000;
    p.observe('Contribution Response Hash: \n\t\tef01');
    expect(p.state().step).toBe(4);
    t = 100_000;
    p.observe('tauG1: 256/1024');
    // 20 s for a quarter: 60 s to go.
    expect(p.line()).toBe(
      'zk setup: step 4 of 7 (powers of tau: prepare phase 2 (the slow step)), elapsed 1m40s, ETA 1m00s for this step',
    );
    // A message of an earlier step never moves it back.
    expect(p.observe('compiling again')).toBe(false);
    p.observe('Groth16 phase 2 for 4321 constraints (ptau devnet)');
    p.observe('Circuit hash: \n\t\t1234');
    p.observe('Contribution Hash: \n\t\t5678');
    expect(p.state()).toMatchObject({
      step: 7,
      total: 7,
      label: 'export the verification key',
      etaMs: undefined,
    });
  });
  test('with --ptau the powers-of-tau steps are not counted; committed keys end it', () => {
    const p = createSetupProgress({ withPtau: true, now: () => 0 });
    p.observe('using the committed r1cs/wasm in zk/ridge (circuit abcdef)');
    expect(p.line()).toBe('zk setup: step 1 of 4 (compile the circuit), elapsed 0s');
    p.observe('using the committed zkey zk/ridge/circuit.zkey (circuit abcdef)');
    expect(p.state().total).toBe(1);
  });
  test('formatSetupProgress', () => {
    expect(formatSetupProgress({ step: 2, total: 3, label: 'x', elapsedMs: 61_000, etaMs: undefined })).toBe(
      'zk setup: step 2 of 3 (x), elapsed 1m01s',
    );
  });
});

describe('a private key pasted into an amount or address is never echoed', () => {
  const key = `0x${'4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'}`;
  test('parseFixedPoint and parseAddress refuse it without showing any part of it', () => {
    // Exact, without 0x, upper-case 0X, a stray trailing character, one digit short.
    for (const given of [key, key.slice(2), `0X${key.slice(2)}`, `${key},`, key.slice(0, -1)]) {
      const amount = thrown(() => parseFixedPoint(given, { what: 'synth amount (<amount>)', decimals: 18 }));
      const address = thrown(() => parseAddress(given, '--owner', getAddress));
      for (const error of [amount, address]) {
        expect(error.message).toContain('not shown: it could be a private key');
        expect(`${error.message} ${(error as { details?: string }).details ?? ''}`).not.toMatch(
          /4c0883a691|3f362318/,
        );
      }
    }
  });
});

describe('amounts and limits are exact (s6 defect 1: no silent rounding)', () => {
  test('parseFixedPoint: whole units to raw, exactly', () => {
    const sWTI = { what: 'synth amount (<amount>)', decimals: 18, unit: 'sWTI' };
    expect(parseFixedPoint('1500', sWTI)).toBe(1500n * 10n ** 18n);
    expect(parseFixedPoint('0.25', sWTI)).toBe(25n * 10n ** 16n);
    expect(parseFixedPoint('.5', sWTI)).toBe(5n * 10n ** 17n);
    expect(parseFixedPoint('1_000', sWTI)).toBe(1000n * 10n ** 18n);
    expect(parseFixedPoint('1,000,000', sWTI)).toBe(10n ** 24n);
    expect(parseFixedPoint('1.123456789012345678', sWTI)).toBe(1_123456789012345678n);
    expect(parseFixedPoint(' 7 ', { what: 'x', decimals: 0 })).toBe(7n);
  });
  test('behavior: more decimals than the token has are refused with the value, the limit and examples', () => {
    const tUSD = { what: 'collateral amount (<amount>)', decimals: 6, unit: 'tUSD' };
    // viem's parseUnits('1.9999999', 6) is 2.000000: the withdrawal would have taken more than asked.
    expect(() => parseFixedPoint('1.9999999', tUSD)).toThrow(InvalidNumberError);
    expect(() => parseFixedPoint('1.9999999', tUSD)).toThrowErrorMatchingInlineSnapshot(`
      [InvalidNumberError: The collateral amount (<amount>) '1.9999999' has 7 decimals, but at most 6 are allowed for tUSD.

      It is refused rather than rounded. Give a value with at most 6 decimals, e.g. 1.999999 or 2.]
    `);
    expect(() => parseAmount('1.9999999', 6, 'collateral amount (<amount>)')).toThrow(
      "The collateral amount (<amount>) '1.9999999' has 7 decimals, but at most 6 are allowed.",
    );
    expect(() => parseAmount('1.1234567890123456789', 18, 'synth amount (<amount>)')).toThrow(
      'has 19 decimals, but at most 18 are allowed',
    );
    // A tiny amount below the smallest unit names the smallest positive value, not 0.
    expect(() => parseAmount('0.0000001', 6, 'collateral amount')).toThrow(/e\.g\. 0\.000001\.$/);
  });
  test('behavior: whole-number limits take no decimals (rateLimit 1.5 was 2, 0.4 was 0)', () => {
    const mint = POLICY_ACTIONS.SYNTH_MINT;
    expect(() => parseLimitValue(mint, 'rateLimit', '1.5', 'rateLimit value (<value>)')).toThrow(
      "The rateLimit value (<value>) '1.5' is not a whole number: it takes no decimals.",
    );
    expect(() => parseLimitValue(mint, 'rateLimit', '1.5')).toThrow('e.g. 1 or 2.');
    expect(() => parseLimitValue(mint, 'rateLimit', '0.4')).toThrow('e.g. 0 or 1.');
    expect(parseLimitValue(mint, 'rateLimit', '0')).toBe(0n);
    expect(parseLimitValue(mint, 'epochCap', '2000.5')).toBe(20005n * 10n ** 17n);
    expect(() => parseLimitValue(mint, 'epochCap', '1.0000000000000000001')).toThrow(
      'has 19 decimals, but at most 18 are allowed',
    );
  });
  test('not numbers, negatives, zero and a comma used as a decimal point', () => {
    const spec = { what: 'synth amount', decimals: 18 };
    for (const bad of ['abc', '', '.', '1e18', '0x10', '1.2.3', 'NaN', '1,5', '12,34.5'])
      expect(() => parseFixedPoint(bad, spec), bad).toThrow(/is not a number/);
    expect(() => parseFixedPoint('-1', spec)).toThrow("The synth amount must be more than 0; got '-1'.");
    expect(() => parseFixedPoint('0', spec)).toThrow("The synth amount must be more than 0; got '0'.");
    expect(() => parseFixedPoint('-1', { ...spec, allowZero: true })).toThrow('must be 0 or more');
  });
  test('formatFixed', () => {
    expect(formatFixed(1_500_000n, 6)).toBe('1.5');
    expect(formatFixed(1n, 6)).toBe('0.000001');
    expect(formatFixed(2n ** 16n - 1n, 0)).toBe('65535');
  });
});

describe('too-large numbers are bounded by their type (s6 defect 2)', () => {
  const big = '9'.repeat(77);
  test('amounts: at most a uint256, the maximum named', () => {
    expect(parseAmount(formatFixed(UINT256_MAX, 18), 18, 'synth amount')).toBe(UINT256_MAX);
    expect(() => parseAmount(big, 18, 'synth amount (<amount>)', 'sWTI')).toThrow(
      'is too large: the most it can be is 115792089237316195423570985008687907853269984665640564039457.584007913129639935 sWTI (uint256 with 18 decimals).',
    );
    expect(() => parseAmount(big, 18, 'synth amount')).toThrow(/'99999999999999999999…999999 \(77 digits\)'/);
  });
  test('limits: at most the field width of PolicyGuard._widths()', () => {
    const mint = POLICY_ACTIONS.SYNTH_MINT;
    expect(() => parseLimitValue(mint, 'epochCap', big)).toThrow(
      'the most it can be is 79228162514.264337593543950335 synth (uint96 with 18 decimals).',
    );
    expect(parseLimitValue(mint, 'epochCap', '79228162514.264337593543950335')).toBe(2n ** 96n - 1n);
    expect(() => parseLimitValue(mint, 'rateLimit', '65536')).toThrow(
      'the most it can be is 65535 (uint16).',
    );
    expect(parseLimitValue(mint, 'rateLimit', '65535')).toBe(65535n);
    expect(() => parseLimitValue(mint, 'subjectRateLimit', '256')).toThrow('255 (uint8)');
  });
  test('behavior: `synth mint <77 digits>` and `gov propose --set-limit … 9999…` are refused before any chain is opened', async () => {
    const a = await run('synth', 'mint', big);
    expect(a.code).toBe(1);
    expect(a.err).toContain('The synth amount (<amount>)');
    expect(a.err).toContain('(uint256 with 18 decimals)');
    expect(a.err).not.toMatch(NOT_A_BUG);
    const b = await run('gov', 'propose', '--set-limit', 'sWTI/SYNTH_MINT', 'epochCap', big);
    expect(b.code).toBe(1);
    expect(b.err).toContain(
      "The epochCap value (--set-limit) '99999999999999999999…999999 (77 digits)' is too large",
    );
    expect(b.err).toContain('79228162514.264337593543950335 synth (uint96 with 18 decimals)');
    expect(b.err).not.toMatch(NOT_A_BUG);
  });
  test('behavior: `synth mint` with 19 decimals and `policy tighten … rateLimit 1.5` are refused by the CLI', async () => {
    const a = await run('synth', 'mint', '1.1234567890123456789');
    expect(a.code).toBe(1);
    expect(a.err).toContain(
      "The synth amount (<amount>) '1.1234567890123456789' has 19 decimals, but at most 18 are allowed for sWTI.",
    );
    expect(a.err).toContain('e.g. 1.123456789012345678 or 1.123456789012345679');
    const b = await run('policy', 'tighten', 'sWTI/SYNTH_MINT', 'rateLimit', '1.5');
    expect(b.code).toBe(1);
    expect(b.err).toContain("The rateLimit value (<value>) '1.5' is not a whole number");
    const c = await run('synth', 'liquidate', `0x${'11'.repeat(20)}`, '--max-repay', '0.0000000000000000001');
    expect(c.err).toContain("The repay amount (--max-repay) '0.0000000000000000001' has 19 decimals");
  });
});

describe('backtest ranges (s6 defect 3)', () => {
  const dates = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'];
  const y = [0.01, -0.02, 0.03, Number.NaN];
  test('reversed, after the data, before the data; a range inside passes', () => {
    expect(() =>
      checkBacktestRange('wti-daily', { start: '2020-06-01', end: '2020-01-01' }, dates, y),
    ).toThrow('--start 2020-06-01 is after --end 2020-01-01 (wti-daily covers 2020-01-02…2020-01-06).');
    expect(() => checkBacktestRange('wti-daily', { start: '2030-01-01' }, dates, y)).toThrow(
      '--start 2030-01-01 is after the last day of wti-daily that can be forecast',
    );
    // The last row has no realised next return (NaN target): it cannot be forecast.
    expect(() => checkBacktestRange('wti-daily', { start: '2020-01-07' }, dates, y)).toThrow(
      /after the last day/,
    );
    expect(() => checkBacktestRange('wti-daily', { end: '1999-01-01' }, dates, y)).toThrow(
      '--end 1999-01-01 is before the first day of wti-daily',
    );
    expect(() =>
      checkBacktestRange('wti-daily', { start: '2020-01-03', end: '2020-01-06' }, dates, y),
    ).not.toThrow();
    expect(() => checkBacktestRange('wti-daily', {}, dates, y)).not.toThrow();
  });
  test('a backtest that made no forecast is refused, naming the first forecast date', () => {
    const options = { minTrain: 2 } as never;
    expect(() =>
      checkBacktestForecasts('wti-daily', { end: '2020-01-03' }, dates, { rows: [], options }),
    ).toThrow('The range 2020-01-02…2020-01-03 holds no forecast of wti-daily.');
    expect(() => checkBacktestForecasts('wti-daily', {}, dates, { rows: [], options })).toThrow(
      'forecasts start at 2020-01-06',
    );
    expect(() =>
      checkBacktestForecasts('wti-daily', {}, dates, { rows: [{}] as never, options }),
    ).not.toThrow();
  });
  test('behavior: `model backtest --start 2030-01-01` and a reversed range exit 1 with no table', async () => {
    const a = await run('model', 'backtest', '--start', '2030-01-01');
    expect(a.code).toBe(1);
    expect(a.err).toContain('--start 2030-01-01 is after the last day of wti-daily that can be forecast');
    expect(a.out).not.toContain('NaN');
    const b = await run('model', 'backtest', '--start', '2020-06-01', '--end', '2020-01-01');
    expect(b.code).toBe(1);
    expect(b.err).toContain('--start 2020-06-01 is after --end 2020-01-01');
    expect(b.out).not.toContain('NaN');
  });
});

describe('--config naming a folder (s6 defect 4)', () => {
  test('behavior: the path is named as a directory and the config FILE is asked for', async () => {
    const folder = join(dir, 'somedir');
    mkdirSync(folder);
    const r = await run('--config', folder, 'synth', 'show');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`The config path ${folder} is a directory, not a file.`);
    expect(r.err).toContain('Pass the config FILE with --config');
    expect(r.err).not.toMatch(NOT_A_BUG);
  });
});

describe('addresses: a bad EIP-55 checksum is named (s6 defect 5)', () => {
  const good = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
  const badChecksum = '0xf39fd6e51aad88F6F4ce6aB8827279cffFb92266'; // one letter's case changed
  test('parseAddress: checksummed, all-lowercase and all-uppercase are accepted; a bad checksum is named', () => {
    expect(parseAddress(good, 'owner', getAddress)).toBe(good);
    expect(parseAddress(good.toLowerCase(), 'owner', getAddress)).toBe(good);
    expect(parseAddress(`0x${good.slice(2).toUpperCase()}`, 'owner', getAddress)).toBe(good);
    expect(() => parseAddress(badChecksum, '--owner', getAddress)).toThrow(InvalidAddressError);
    expect(() => parseAddress(badChecksum, '--owner', getAddress)).toThrow(
      `--owner '${badChecksum}' has an EIP-55 checksum that does not match`,
    );
    expect(() => parseAddress(badChecksum, '--owner', getAddress)).toThrow(
      'All-lowercase hex (no checksum) is also accepted.',
    );
  });
  test('parseAddress: what is wrong with text that is not an address', () => {
    expect(() => parseAddress('alice', 'owner', getAddress)).toThrow(
      "owner 'alice' is not an address: it does not start with 0x.",
    );
    expect(() => parseAddress('0x1234', 'owner', getAddress)).toThrow('it has 4 hex digits, not 40.');
    expect(() => parseAddress(`0x${'g'.repeat(40)}`, 'owner', getAddress)).toThrow("'g' is not a hex digit.");
  });
  test('behavior: `synth show <bad checksum>` says so before any chain is opened', async () => {
    expect(() => parseAddressViem(badChecksum, 'owner')).toThrow('checksum that does not match');
    const r = await run('synth', 'show', badChecksum);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`owner '${badChecksum}' has an EIP-55 checksum that does not match`);
    expect(r.err).not.toContain('is not an address');
  });
});
