import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { ChainIdMismatchError, createClients, devnetAccount, RpcUnavailableError } from './index.js';

// Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
const SECRET_URL = 'http://user:hunter2@127.0.0.1:9/v3/SECRETAPIKEY123';

/** Every message in the error and its cause chain (what `--verbose` prints). */
function chainText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++)
    parts.push(`${(e as Error).name}: ${(e as Error).message}`, String((e as Error).stack));
  return parts.join('\n');
}

describe('RPC URLs are redacted', () => {
  test('error: no endpoint answered names the host, never the credentials or the API key', async () => {
    let caught: unknown;
    try {
      await createClients({ rpcUrls: [SECRET_URL], account: devnetAccount(0), timeoutMs: 2_000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RpcUnavailableError);
    const error = caught as RpcUnavailableError;
    expect(error.shortMessage).toBe('No JSON-RPC endpoint answered (http://…@127.0.0.1:9/…).');
    expect(error.redactedUrls).toEqual(['http://…@127.0.0.1:9/…']);
    const text = chainText(error);
    expect(text).not.toMatch(/hunter2|SECRETAPIKEY123|user:/);
    // The cause is kept (redacted) for --verbose.
    expect(error.cause).toBeInstanceOf(Error);
  });

  test('behavior: a chain id mismatch shows the endpoint redacted', () => {
    const error = new ChainIdMismatchError(1, 5, 'https://mainnet.example.io/v3/SECRETAPIKEY123');
    expect(error.shortMessage).toBe(
      'The node at https://mainnet.example.io/… is chain 5, but the config expects chain 1.',
    );
  });
});

describe('an endpoint that answers HTTP 4xx is named as the wrong URL, not a dead node (review 6)', () => {
  test('behavior: HTTP 404 says the host serves no JSON-RPC at that path', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      let caught: unknown;
      try {
        await createClients({
          rpcUrls: [`http://127.0.0.1:${port}/wrong`],
          account: devnetAccount(0),
          timeoutMs: 2_000,
        });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RpcUnavailableError);
      expect((caught as RpcUnavailableError).details).toContain(
        'The endpoint answered HTTP 404: the host is reachable but serves no JSON-RPC at that URL',
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
