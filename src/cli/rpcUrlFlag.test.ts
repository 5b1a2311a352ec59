/**
 * F10: `checkRpcUrlFlag` (src/cli/context.ts) shows a `--rpc-url` value that does not parse as a URL
 * verbatim in the error, and `formatError`'s `redactUrlsIn` only rewrites `scheme://…` text. A private
 * key pasted into the wrong flag, or an endpoint typed without its scheme (`mainnet.infura.io/v3/<key>`),
 * is printed in full to stderr (CI logs). `redactUrl` itself documents the opposite rule: a string that
 * does not parse as a URL "is not shown at all: it may be a secret pasted in the wrong place".
 */
import { describe, expect, test } from 'vitest';
import { checkRpcUrlFlag } from './context.js';
import { formatError } from './output.js';

const KEY = `0x${'5a'.repeat(32)}`;
const API_KEY = '9aa3d95b3bc440fa88ea12eaa4456161';

function printed(value: string): string {
  try {
    checkRpcUrlFlag(value);
  } catch (error) {
    return formatError(error, true);
  }
  throw new Error(`checkRpcUrlFlag accepted ${value}`);
}

describe('--rpc-url errors never echo the value (review finding F10)', () => {
  test('sound: a URL with a key in the path is redacted', () => {
    expect(printed(`ftp://mainnet.infura.io/v3/${API_KEY}`)).not.toContain(API_KEY);
  });

  test('a private key pasted into --rpc-url is not printed', () => {
    // Current code: "--rpc-url '0x5a5a…5a' is not an http(s)/ws(s) URL."
    expect(printed(KEY)).not.toContain(KEY.slice(2));
  });

  test('an endpoint without its scheme does not print its API key', () => {
    expect(printed(`mainnet.infura.io/v3/${API_KEY}`)).not.toContain(API_KEY);
  });
});
