import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { thrown } from '../../test/thrown.js';
import {
  ConfigNotFoundError,
  ConfigParseError,
  feedRulesOf,
  InvalidConfigError,
  ipfsGatewayUrl,
  ipfsSettings,
  loadConfig,
  nearest,
  parseConfig,
  redactUrl,
  redactUrlsIn,
  txManagerSettings,
} from './index.js';

// A throwaway key used only by this test; it never holds funds anywhere.
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

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

describe('ipfs gateway config', () => {
  test('default: a gateway-only section is valid, pushes nothing, and names the gateway', () => {
    const config = parseConfig({ ipfs: { gatewayUrl: 'https://trustless-gateway.link' } });
    expect(config.ipfs).toEqual({
      gatewayUrl: 'https://trustless-gateway.link',
      pin: true,
      timeoutMs: 30_000,
    });
    expect(ipfsSettings(config.ipfs, {})).toBeUndefined();
    expect(ipfsGatewayUrl(config.ipfs)).toBe('https://trustless-gateway.link');
    expect(ipfsGatewayUrl(config.ipfs, 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(ipfsGatewayUrl(undefined)).toBeUndefined();
  });

  test('behavior: push and gateway together keep the push settings', () => {
    const config = parseConfig({
      ipfs: { apiUrl: 'http://127.0.0.1:5001', gatewayUrl: 'http://127.0.0.1:8080' },
    });
    expect(ipfsSettings(config.ipfs, {})).toEqual({
      apiUrl: 'http://127.0.0.1:5001',
      pin: true,
      timeoutMs: 30_000,
    });
    expect(ipfsGatewayUrl(config.ipfs)).toBe('http://127.0.0.1:8080');
  });

  test('error: a section with neither URL, and a gateway that is not http(s) (shown redacted)', () => {
    const empty = thrown(() => parseConfig({ ipfs: { pin: false } }));
    expect(empty).toBeInstanceOf(InvalidConfigError);
    expect((empty as InvalidConfigError).issues.map((i) => i.field)).toEqual(['ipfs.apiUrl']);
    expect(empty.message).toContain('gatewayUrl');
    const bad = thrown(() => parseConfig({ ipfs: { gatewayUrl: 'ftp://user:s3cret@gw.example.org/k' } }));
    expect((bad as InvalidConfigError).issues.map((i) => i.field)).toEqual(['ipfs.gatewayUrl']);
    expect(bad.message).not.toContain('s3cret');
  });
});

describe('secrets in the config are never echoed', () => {
  test('error: a private key pasted into chain.privateKeyEnv is refused without showing it', () => {
    const error = thrown(() => parseConfig({ chain: { privateKeyEnv: KEY } }));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error.message).not.toContain(KEY.slice(2, 20));
    expect(error.message).not.toContain(KEY.slice(-16));
    expect((error as InvalidConfigError).issues).toEqual([
      {
        field: 'chain.privateKeyEnv',
        given: 'a value that is not shown',
        expected:
          'the NAME of an environment variable (letters, digits, _), e.g. PROVENANT_PRIVATE_KEY; the value given looks like a key or secret and is not shown: put the secret in that variable, never in the file',
      },
    ]);
  });

  test('error: a password pasted into chain.keystorePasswordEnv is refused without showing it', () => {
    const error = thrown(() =>
      parseConfig({ chain: { keystore: 'k.json', keystorePasswordEnv: 'hunter2 pass!' } }),
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('chain.keystorePasswordEnv: got a value that is not shown');
    expect(error.message).toContain('e.g. PROVENANT_KEYSTORE_PASSWORD');
  });

  test('behavior: variable names are accepted', () => {
    const config = parseConfig({ chain: { privateKeyEnv: 'MY_KEY_1', keystorePasswordEnv: '_PW' } });
    expect(config.chain.privateKeyEnv).toBe('MY_KEY_1');
    expect(config.chain.keystorePasswordEnv).toBe('_PW');
  });

  test('behavior: an invalid URL in the file is shown redacted', () => {
    const error = thrown(() =>
      parseConfig({ chain: { rpcUrls: ['ftp://user:hunter2@rpc.example.org/v3/SECRETAPIKEY123'] } }),
    );
    expect(error.message).toContain('chain.rpcUrls.0: got "ftp://…@rpc.example.org/…"');
    expect(error.message).not.toMatch(/hunter2|SECRETAPIKEY123/);
  });
});

describe('redactUrl', () => {
  test('default: scheme and host[:port] kept, user info, path and query replaced', () => {
    expect(redactUrl('http://user:hunter2@127.0.0.1:9/v3/SECRETAPIKEY123')).toBe('http://…@127.0.0.1:9/…');
    expect(redactUrl('https://eth.example.org/?apikey=abc')).toBe('https://eth.example.org/…');
    expect(redactUrl('wss://eth.example.org/ws#k')).toBe('wss://eth.example.org/…');
    expect(redactUrl('http://127.0.0.1:8545')).toBe('http://127.0.0.1:8545');
    expect(redactUrl('not a url 0xabc')).toBe('<not a URL>');
  });

  test('behavior: URLs inside a library message are redacted, the rest kept', () => {
    expect(
      redactUrlsIn(
        'HTTP request failed.\n\nURL: https://mainnet.example.io/v3/SECRETAPIKEY123.\nStatus: 401',
      ),
    ).toBe('HTTP request failed.\n\nURL: https://mainnet.example.io/….\nStatus: 401');
  });
});

describe('config fields take effect', () => {
  test('default: the defaults equal the values the agent and the tx manager used before', () => {
    const config = parseConfig({});
    expect(txManagerSettings(config.chain)).toEqual({ stuckAfterMs: 60_000 });
    expect(feedRulesOf(config.oracle)).toEqual({ maxAgeSeconds: 4 * 86_400, maxDeviationBps: 2_500 });
  });

  test('behavior: chain.receiptTimeoutSeconds becomes the stuck threshold', () => {
    expect(txManagerSettings(parseConfig({ chain: { receiptTimeoutSeconds: 0.3 } }).chain)).toEqual({
      stuckAfterMs: 300,
    });
  });

  test('error: oracle.decimals is no longer a field (the suite fixes feed decimals at 8)', () => {
    expect(thrown(() => parseConfig({ oracle: { decimals: 8 } })).message).toContain(
      "unknown field 'decimals'",
    );
  });
});

describe('config root', () => {
  test('error: a root that is not an object says so (no phantom fields)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-'));
    for (const text of ['[1,2]', 'null', '3']) {
      writeFileSync(join(dir, 'provenant.config.json'), text);
      const error = thrown(() => loadConfig({ cwd: dir, overrides: { stateDir: 's' } }));
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).issues).toEqual([
        {
          field: '(root)',
          given: text,
          expected: 'a JSON object, e.g. { "chain": { "rpcUrls": ["http://127.0.0.1:8545"] } }',
        },
      ]);
    }
    expect(thrown(() => parseConfig([1, 2])).message).toContain('expected a JSON object');
  });
});

describe('an unknown field names the documented one it is closest to (review 6)', () => {
  test('typos, a swapped pair and a case slip get a suggestion; an unrelated name does not', () => {
    const message = thrown(() =>
      parseConfig({
        chain: { rpcUrl: ['http://127.0.0.1:8545'] },
        devnet: { prot: 8545 },
        stateDri: 'x',
        colour: 'blue',
      }),
    ).message;
    expect(message).toContain("chain: got unknown field 'rpcUrl' (did you mean 'rpcUrls'?)");
    expect(message).toContain("devnet: got unknown field 'prot' (did you mean 'port'?)");
    expect(message).toContain(
      "(root): got unknown fields 'stateDri' (did you mean 'stateDir'?), 'colour', expected",
    );
  });
  test('nearest: at most 2 edits (fewer for short names), case-insensitive match first', () => {
    expect(nearest('STATEDIR', ['stateDir', 'chain'])).toBe('stateDir');
    expect(nearest('ab', ['port', 'host'])).toBeUndefined();
    expect(nearest('chian', ['chain', 'devnet'])).toBe('chain');
    expect(nearest('oracles', ['oracle', 'ipfs'])).toBe('oracle');
    expect(nearest('xyzzy', ['oracle', 'ipfs'])).toBeUndefined();
  });
});
