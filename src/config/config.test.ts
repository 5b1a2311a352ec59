import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  ConfigNotFoundError,
  ConfigParseError,
  InvalidConfigError,
  ipfsSettings,
  loadConfig,
  parseConfig,
} from './index.js';

describe('loadConfig', () => {
  test('default: no file gives the documented defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-'));
    const config = loadConfig({ cwd: dir });
    expect(config.source).toBe('(defaults)');
    expect(config.chain.rpcUrls).toEqual([]);
    expect(config.devnet).toEqual({
      port: 0,
      host: '127.0.0.1',
      chainId: 31337,
      stateFile: 'devnet-state.json',
      stateIntervalSeconds: 5,
    });
    expect(config.oracle.reporters).toBe(5);
    expect(config.stateDirPath).toBe(join(dir, '.provenant'));
  });

  test('behavior: command-line overrides win over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-'));
    writeFileSync(
      join(dir, 'provenant.config.json'),
      JSON.stringify({ chain: { rpcUrls: ['http://127.0.0.1:1'] }, oracle: { quorum: 2 } }),
    );
    const config = loadConfig({ cwd: dir, overrides: { chain: { rpcUrls: ['http://127.0.0.1:2'] } } });
    expect(config.chain.rpcUrls).toEqual(['http://127.0.0.1:2']);
    expect(config.oracle.quorum).toBe(2);
  });

  test('error: a malformed file names each field, the value given and the form expected', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-'));
    const path = join(dir, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({
        chain: { rpcUrls: ['ftp://example.org'], receiptTimeoutSeconds: -1 },
        devnet: { port: 'eighty' },
        colour: 'blue',
      }),
    );
    let caught: unknown;
    try {
      loadConfig({ cwd: dir, path: 'bad.json' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigError);
    expect((caught as Error).message.replace(dir, '<dir>')).toMatchInlineSnapshot(`
      "Invalid config file <dir>/bad.json: 4 problems.

      - chain.rpcUrls.0: got "ftp://example.org", expected an http(s) or ws(s) URL
      - chain.receiptTimeoutSeconds: got -1, expected > 0
      - devnet.port: got "eighty", expected a number
      - (root): got unknown field 'colour', expected only the documented fields (see docs/config.md)

      Fix the fields above (or delete them to use the defaults) and run the command again.

      Docs: docs/config.md"
    `);
  });

  test('error: a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-'));
    writeFileSync(join(dir, 'provenant.config.json'), '{ chain: ');
    expect(() => loadConfig({ cwd: dir })).toThrow(ConfigParseError);
  });

  test('error: an explicit path that does not exist', () => {
    expect(() => loadConfig({ cwd: tmpdir(), path: 'missing-provenant.json' })).toThrow(ConfigNotFoundError);
  });

  test('behavior: parseConfig accepts a complete valid config unchanged', () => {
    const config = parseConfig({
      stateDir: 's',
      chain: { rpcUrls: ['https://rpc.example.org'], chainId: 1 },
    });
    expect(config.chain.chainId).toBe(1);
    expect(config.chain.privateKeyEnv).toBe('PROVENANT_PRIVATE_KEY');
  });
});

describe('ipfs config', () => {
  test('default: no ipfs section, nothing is pushed', () => {
    const config = parseConfig({});
    expect(config.ipfs).toBeUndefined();
    expect(ipfsSettings(config.ipfs, {})).toBeUndefined();
  });

  test('behavior: a section gets its defaults and the secret comes from the named variable', () => {
    const config = parseConfig({ ipfs: { apiUrl: 'http://127.0.0.1:5001', authorizationEnv: 'PIN_TOKEN' } });
    expect(config.ipfs).toEqual({
      apiUrl: 'http://127.0.0.1:5001',
      pin: true,
      authorizationEnv: 'PIN_TOKEN',
      timeoutMs: 30_000,
    });
    expect(ipfsSettings(config.ipfs, { PIN_TOKEN: 'Bearer s3cret' })).toEqual({
      apiUrl: 'http://127.0.0.1:5001',
      pin: true,
      timeoutMs: 30_000,
      authorization: 'Bearer s3cret',
    });
  });

  test('behavior: a named but unset variable is reported, not thrown (a push is never required)', () => {
    const config = parseConfig({
      ipfs: { apiUrl: 'https://pin.example.org', pin: false, authorizationEnv: 'PIN_TOKEN' },
    });
    expect(ipfsSettings(config.ipfs, {})).toEqual({
      apiUrl: 'https://pin.example.org',
      pin: false,
      timeoutMs: 30_000,
      missingAuthorizationEnv: 'PIN_TOKEN',
    });
  });

  test('error: a bad section names each field', () => {
    let caught: unknown;
    try {
      parseConfig({ ipfs: { apiUrl: 'ws://127.0.0.1:5001', authorizationEnv: 'Bearer abc', token: 'x' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigError);
    expect((caught as InvalidConfigError).issues.map((i) => i.field).sort()).toEqual([
      'ipfs',
      'ipfs.apiUrl',
      'ipfs.authorizationEnv',
    ]);
    // The value of an authorization never belongs in the file: there is no field for it.
    expect((caught as Error).message).toContain("unknown field 'token'");
  });
});
