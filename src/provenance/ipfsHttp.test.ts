import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { isRetryable } from '../errors/index.js';
import { addQuery, IpfsRejectedError, IpfsUnavailableError, pushToIpfs } from './index.js';

const HELLO = new TextEncoder().encode('hello world\n');
const HELLO_V1 = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A stand-in for a kubo RPC endpoint that records requests and answers as told. */
async function startNode(answer: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const requests: { url: string; body: string; authorization: string | undefined }[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body, authorization: req.headers.authorization });
      answer(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, requests };
}

describe('pushToIpfs', () => {
  test('default: posts to /api/v0/add with the CID settings and checks the returned CID', async () => {
    const node = await startNode((_req, _body, res) => {
      res.end(`${JSON.stringify({ Name: 'content', Hash: HELLO_V1, Size: '12' })}\n`);
    });
    expect(await pushToIpfs(HELLO, { apiUrl: `${node.url}/` })).toBe(HELLO_V1);
    expect(node.requests[0]!.url).toBe(`/api/v0/add?${addQuery('kubo-cidv1', true)}`);
    expect(node.requests[0]!.url).toContain('cid-version=1&raw-leaves=true&chunker=size-262144&pin=true');
    expect(node.requests[0]!.body).toContain('hello world\n');
  });

  test('behavior: sends the Authorization header only when given, and pin=false when asked', async () => {
    const node = await startNode((_req, _body, res) => res.end(JSON.stringify({ Hash: HELLO_V1 })));
    await pushToIpfs(HELLO, { apiUrl: node.url, authorization: 'Bearer t0ken', pin: false });
    await pushToIpfs(HELLO, { apiUrl: node.url });
    expect(node.requests.map((r) => r.authorization)).toEqual(['Bearer t0ken', undefined]);
    expect(node.requests[0]!.url).toContain('pin=false');
  });

  test('behavior: a dead endpoint is a retryable IpfsUnavailableError', async () => {
    const node = await startNode((_req, _body, res) => res.end());
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await pushToIpfs(HELLO, { apiUrl: node.url, timeoutMs: 2_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpfsUnavailableError);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toContain(node.url);
    expect((error as Error).message).toContain('retry later');
  });

  test('behavior: 5xx is retryable, 4xx and a different CID are not', async () => {
    let mode: 'down' | 'auth' | 'mismatch' = 'down';
    const node = await startNode((_req, _body, res) => {
      if (mode === 'down') {
        res.statusCode = 503;
        res.end('busy');
      } else if (mode === 'auth') {
        res.statusCode = 401;
        res.end('unauthorized');
      } else res.end(JSON.stringify({ Hash: 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o' }));
    });
    await expect(pushToIpfs(HELLO, { apiUrl: node.url })).rejects.toThrow(IpfsUnavailableError);
    mode = 'auth';
    const auth = await pushToIpfs(HELLO, { apiUrl: node.url }).catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(IpfsRejectedError);
    expect(isRetryable(auth)).toBe(false);
    mode = 'mismatch';
    await expect(pushToIpfs(HELLO, { apiUrl: node.url })).rejects.toThrow(/node computed QmT78/);
  });
});
