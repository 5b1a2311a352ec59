import { describe, expect, test } from 'vitest';
import { InvalidFlagError } from '../config/index.js';
import { checkRpcUrlFlag, loadCliConfig } from './context.js';

describe('--rpc-url', () => {
  test('error: a bad flag is named as the flag, not blamed on a config file', () => {
    let caught: unknown;
    try {
      loadCliConfig({ rpcUrl: ['foo'] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidFlagError);
    expect((caught as Error).message).toMatchInlineSnapshot(`
      "--rpc-url '<not a URL>' is not an http(s)/ws(s) URL.

      Pass a JSON-RPC endpoint such as --rpc-url http://127.0.0.1:8545 (repeat the flag for failover endpoints), or leave --rpc-url out to run on the embedded devnet.

      Docs: docs/config.md"
    `);
  });

  test('error: a URL of another scheme is shown redacted', () => {
    expect(() => checkRpcUrlFlag('ftp://user:hunter2@rpc.example.org/KEY')).toThrow(
      "--rpc-url 'ftp://…@rpc.example.org/…' is not an http(s)/ws(s) URL.",
    );
  });

  test('default: http(s) and ws(s) URLs pass', () => {
    for (const url of [
      'http://127.0.0.1:8545',
      'https://rpc.example.org/v3/k',
      'ws://127.0.0.1:8546',
      'wss://x.org',
    ])
      expect(() => checkRpcUrlFlag(url)).not.toThrow();
  });
});
