import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keccak256, toBytes } from 'viem';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Stack } from '../src/agent/index.js';
import { DEVNET_ROLES, readMintedLogs, readMintNonce, readPosition } from '../src/chain/index.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack, publishWtiClose, wtiCloses } from './marketStack.js';

// `synth mint --intent` / `synth open --mint --intent` retried after they landed: the CLI reads the block
// number once, then the mint nonce at that block and the Minted logs up to it, so a retry behind a
// load-balanced RPC whose eth_blockNumber lags its eth_call by a block (a real failure mode) cannot miss the
// log yet read the moved nonce and mint the same --intent twice; and a retried `open --mint` deposits nothing.
let market: MarketStack;
let stack: Stack;
let server: Server;
let lagging = true;

beforeAll(async () => {
  market = await openMarketStack('cli-intent');
  ({ stack } = market);
  const closes = wtiCloses('2020-04-21', '2020-04-30');
  for (const c of closes.filter((c) => c.date <= '2020-04-28'))
    await publishWtiClose(stack, closes, c.date, 0);
  const upstream = stack.devnet.rpcUrl;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', async () => {
      const request = JSON.parse(body) as { method: string } | { method: string }[];
      const calls = Array.isArray(request) ? request : [request];
      // The lagging backend catches up once a transaction is sent (so the receipt wait ends).
      if (calls.some((c) => c.method === 'eth_sendRawTransaction')) lagging = false;
      const answer = await (
        await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      ).json();
      const fix = (a: { id: unknown; result?: string }, c: { method: string }) =>
        lagging && c.method === 'eth_blockNumber' && a.result
          ? { ...a, result: `0x${(BigInt(a.result) - 1n).toString(16)}` }
          : a;
      const out = Array.isArray(answer)
        ? answer.map((a, i) => fix(a, calls[i]!))
        : fix(answer as { id: unknown; result?: string }, calls[0]!);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
}, 180_000);

afterAll(async () => {
  server?.close();
  await market?.close();
});

test('synth mint --intent retried behind an RPC whose block number lags one block: not minted twice', async () => {
  const owner = stack.agentAccount.address;
  const intentId = keccak256(toBytes('provenant-cli:mint:lag-retry'));
  const cli = ['synth', 'mint', '20', '--intent', 'lag-retry'];
  const nonce = await readMintNonce(stack.agent, stack.addresses.vault, owner);
  await runCli(stack, cli, DEVNET_ROLES.agent); // lands in the latest block
  expect(await readMintNonce(stack.agent, stack.addresses.vault, owner)).toBe(nonce + 1n);
  const port = (server.address() as AddressInfo).port;
  const behindProxy = { ...stack, devnet: { ...stack.devnet, rpcUrl: `http://127.0.0.1:${port}` } } as Stack;
  // The retry: the same --intent, through the lagging endpoint.
  const retry = await runCli(behindProxy, cli, DEVNET_ROLES.agent).catch((e: Error) => e);
  expect(String(retry)).toMatch(/mint nonce|already landed/);
  const logs = await readMintedLogs(stack.agent, stack.addresses.vault, { owner, intentId });
  expect(logs.map((l) => l.hash)).toHaveLength(1);
});

test('synth open --mint --intent retried after it landed deposits nothing the second time', async () => {
  const owner = stack.agentAccount.address;
  const cli = ['synth', 'open', '100', '--mint', '20', '--intent', 'open-retry'];
  await runCli(stack, cli, DEVNET_ROLES.agent);
  const before = await readPosition(stack.agent, stack.addresses.vault, owner);
  const retry = await runCli(stack, cli, DEVNET_ROLES.agent).catch((e: Error) => e);
  expect(String(retry)).toMatch(/already landed/);
  const after = await readPosition(stack.agent, stack.addresses.vault, owner);
  expect(after.collateral).toBe(before.collateral);
});
