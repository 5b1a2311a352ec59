import {
  type Address,
  concat,
  encodeAbiParameters,
  type Hex,
  keccak256,
  numberToHex,
  parseEther,
  stringToHex,
  toHex,
} from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseConfig, txManagerSettings } from '../../config/index.js';
import { createClients, type ProvenantClients } from '../clients.js';
import { type Devnet, findFreePort, startDevnet } from '../devnet.js';
import { RpcUnavailableError } from '../errors.js';
import { ContractRevertError } from '../revert.js';
import { devnetAccount } from '../signer.js';
import {
  createMemoryTxStore,
  createTxManager,
  TransactionRejectedError,
  TransactionReplacedError,
  type TxEvent,
  TxRevertedError,
} from './index.js';

const SINK: Address = '0x000000000000000000000000000000000000dEaD';
const key = (label: string): Hex => keccak256(stringToHex(label));

/** Init code that deploys `runtime` as is (CODECOPY + RETURN; runtime shorter than 256 bytes). */
function deployCode(runtime: Hex): Hex {
  const length = (runtime.length - 2) / 2;
  const len = numberToHex(length, { size: 1 }).slice(2);
  return `0x60${len}600c60003960${len}6000f3${runtime.slice(2)}`;
}

/** Runtime that always reverts with exactly `data` (stored word by word, then REVERT). */
function revertWith(data: Hex): Hex {
  const bytes = (data.length - 2) / 2;
  let code = '';
  for (let offset = 0; offset < bytes; offset += 32) {
    const word = `0x${data.slice(2 + offset * 2, 2 + (offset + 32) * 2).padEnd(64, '0')}`;
    code += `7f${word.slice(2)}60${numberToHex(offset, { size: 1 }).slice(2)}52`;
  }
  return `0x${code}60${numberToHex(bytes, { size: 1 }).slice(2)}6000fd`;
}

let devnet: Devnet;
let clients: ProvenantClients;

async function deploy(runtime: Hex): Promise<Address> {
  const hash = await clients.walletClient.sendTransaction({ data: deployCode(runtime) });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  return receipt.contractAddress as Address;
}

function manager(index: number, options: Partial<Parameters<typeof createTxManager>[0]> = {}) {
  return createTxManager({
    clients,
    account: devnetAccount(index),
    store: createMemoryTxStore(),
    pollIntervalMs: 20,
    ...options,
  });
}

beforeAll(async () => {
  devnet = await startDevnet();
  clients = await createClients({ rpcUrls: [devnet.rpcUrl], account: devnetAccount(0), devnet: true });
});
afterAll(async () => {
  await devnet?.stop();
});

describe('createTxManager', () => {
  test('default: send resolves with a successful receipt', async () => {
    const tx = manager(30);
    const result = await tx.send({ key: key('default'), label: 'transfer', to: SINK, data: '0x', value: 1n });
    expect(result.status).toBe('success');
    expect(result.receipt.status).toBe('success');
    expect(result.receipt.from.toLowerCase()).toBe(devnetAccount(30).address.toLowerCase());
  });

  test('behavior: a repeated key sends nothing new', async () => {
    const tx = manager(31);
    const intent = { key: key('once'), label: 'once', to: SINK, data: '0xabcd' as Hex };
    const [a, b] = await Promise.all([tx.send(intent), tx.send(intent)]);
    const c = await tx.send(intent);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).toBe(a.hash);
    const count = await clients.publicClient.getTransactionCount({ address: devnetAccount(31).address });
    expect(count).toBe(1);
  });

  test('behavior: pipelined sends take consecutive nonces and all land', async () => {
    const tx = manager(32);
    const intents = Array.from({ length: 12 }, (_, i) => ({
      key: key(`pipe-${i}`),
      label: `pipe ${i}`,
      to: SINK,
      data: toHex(i, { size: 32 }),
      gas: 30_000n,
    }));
    const settled = await tx.sendMany(intents);
    expect(settled.every((s) => s.ok)).toBe(true);
    const nonces = settled.map((s) => (s.ok ? s.result.nonce : -1));
    expect(nonces).toEqual(Array.from({ length: 12 }, (_, i) => i));
    for (const [i, s] of settled.entries()) {
      if (!s.ok) continue;
      const t = await clients.publicClient.getTransaction({ hash: s.result.hash });
      expect(t.nonce).toBe(i);
      expect(t.input).toBe(toHex(i, { size: 32 }));
    }
  });

  test('behavior: a reverted receipt throws TxRevertedError with the re-simulated reason', async () => {
    const reverts = await deploy('0x60006000fd');
    const reason = concat(['0x08c379a0', encodeAbiParameters([{ type: 'string' }], ['cap exceeded'])]);
    const refuses = await deploy(revertWith(reason));
    const tx = manager(33);
    const empty = await tx
      .send({ key: key('revert-empty'), label: 'empty revert', to: reverts, data: '0x', gas: 50_000n })
      .catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(TxRevertedError);
    expect((empty as TxRevertedError).receipt?.status).toBe('reverted');
    const withReason = await tx
      .send({ key: key('revert-reason'), label: 'mint 1200', to: refuses, data: '0x', gas: 50_000n })
      .catch((e: unknown) => e);
    expect(withReason).toBeInstanceOf(TxRevertedError);
    expect((withReason as TxRevertedError).reason).toContain('cap exceeded');
    expect((withReason as Error).message).toContain('Transaction mint 1200');
    // Replaying the key reports the stored revert, without sending.
    const again = await tx
      .send({ key: key('revert-reason'), label: 'mint 1200', to: refuses, data: '0x', gas: 50_000n })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(TxRevertedError);
    expect(await clients.publicClient.getTransactionCount({ address: devnetAccount(33).address })).toBe(2);
  });

  test('behavior: a revert found by gas estimation is thrown before a nonce is taken', async () => {
    const reason = concat(['0x08c379a0', encodeAbiParameters([{ type: 'string' }], ['too big'])]);
    const refuses = await deploy(revertWith(reason));
    const store = createMemoryTxStore();
    const tx = manager(34, { store });
    const error = await tx
      .send({ key: key('estimate'), label: 'estimate', to: refuses, data: '0x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractRevertError);
    expect(store.get(key('estimate'))).toBeUndefined();
    const ok = await tx.send({ key: key('after-estimate'), label: 'next', to: SINK, data: '0x' });
    expect(ok.nonce).toBe(0);
  });

  test('behavior: a refused transaction gives its nonce back', async () => {
    const tx = manager(35);
    const error = await tx
      .send({
        key: key('too-rich'),
        label: 'too rich',
        to: SINK,
        data: '0x',
        value: parseEther('100000000'),
        gas: 21_000n,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionRejectedError);
    // The refusal says what the account holds and what the transaction needs (review 6).
    expect((error as Error).message).toMatch(
      /insufficient funds: account 0x[0-9a-fA-F]{40} holds [\d.]+ ETH, the transaction needs up to 100000000\.\d+ ETH \(gas 21000 × max fee \d+ wei \+ value 100000000000000000000000000 wei\)/,
    );
    const ok = await tx.send({
      key: key('after-refusal'),
      label: 'next',
      to: SINK,
      data: '0x',
      gas: 21_000n,
    });
    expect(ok.nonce).toBe(0);
  });

  test('behavior: a stuck transaction is replaced with fees bumped by at least 12.5 %', async () => {
    const test = clients.testClient;
    if (!test) throw new Error('devnet test client missing');
    await test.setAutomine(false);
    try {
      const events: TxEvent[] = [];
      const store = createMemoryTxStore();
      // The stuck threshold comes from the config (chain.receiptTimeoutSeconds), as the CLI passes it:
      // with the default 60 s nothing would be bumped before the test times out.
      const settings = txManagerSettings(parseConfig({ chain: { receiptTimeoutSeconds: 0.3 } }).chain);
      expect(settings).toEqual({ stuckAfterMs: 300 });
      const tx = manager(36, { store, ...settings, onEvent: (e) => events.push(e) });
      const pending = tx.send({ key: key('stuck'), label: 'stuck', to: SINK, data: '0x', gas: 21_000n });
      while (!events.some((e) => e.type === 'bumped')) await new Promise((r) => setTimeout(r, 50));
      await test.mine({ blocks: 1 });
      const result = await pending;
      const broadcasts = events.filter((e) => e.type === 'broadcast');
      expect(broadcasts.length).toBeGreaterThanOrEqual(2);
      const first = await clients.publicClient.getTransaction({ hash: result.hash });
      expect(result.hash).not.toBe((broadcasts[0] as { hash: Hex }).hash);
      const bumped = events.find((e) => e.type === 'bumped') as Extract<TxEvent, { type: 'bumped' }>;
      expect(first.maxFeePerGas).toBe(bumped.maxFeePerGas);
      expect(first.nonce).toBe(0);
      expect(await clients.publicClient.getTransactionCount({ address: devnetAccount(36).address })).toBe(1);
      const record = await store.get(key('stuck'));
      const [a0, a1] = record?.attempts ?? [];
      if (!a0 || !a1) throw new Error('expected two attempts');
      expect(a1.maxFeePerGas * 1000n).toBeGreaterThanOrEqual(a0.maxFeePerGas * 1125n);
      expect(a1.maxPriorityFeePerGas * 1000n).toBeGreaterThanOrEqual(a0.maxPriorityFeePerGas * 1125n);
      expect(record?.minedHash).toBe(a1.hash);
      expect(record?.status).toBe('mined');
    } finally {
      await test.setAutomine(true);
    }
  });

  test('behavior: a dropped transaction is rebroadcast from its stored raw bytes', async () => {
    const test = clients.testClient;
    if (!test) throw new Error('devnet test client missing');
    await test.setAutomine(false);
    try {
      const events: TxEvent[] = [];
      const tx = manager(37, { dropCheckMs: 100, onEvent: (e) => events.push(e) });
      const pending = tx.send({ key: key('dropped'), label: 'dropped', to: SINK, data: '0x', gas: 21_000n });
      while (!events.some((e) => e.type === 'broadcast')) await new Promise((r) => setTimeout(r, 20));
      const hash = (events.find((e) => e.type === 'broadcast') as { hash: Hex }).hash;
      await test.dropTransaction({ hash });
      while (!events.some((e) => e.type === 'rebroadcast')) await new Promise((r) => setTimeout(r, 20));
      await test.mine({ blocks: 1 });
      const result = await pending;
      expect(result.hash).toBe(hash);
    } finally {
      await test.setAutomine(true);
    }
  });

  test('behavior: recover() rebroadcasts the stored raw transaction that the node lost', async () => {
    const test = clients.testClient;
    if (!test) throw new Error('devnet test client missing');
    await test.setAutomine(false);
    try {
      const store = createMemoryTxStore();
      const events: TxEvent[] = [];
      const before = manager(44, { store, onEvent: (e) => events.push(e), receiptTimeoutMs: 500 });
      const lost = before
        .send({ key: key('lost'), label: 'lost', to: SINK, data: '0x', gas: 21_000n })
        .catch((e: unknown) => e);
      while (!events.some((e) => e.type === 'broadcast')) await new Promise((r) => setTimeout(r, 20));
      const hash = (events.find((e) => e.type === 'broadcast') as { hash: Hex }).hash;
      await test.dropTransaction({ hash });
      expect(((await lost) as Error).name).toBe('TransactionPendingError');
      // A new process over the same store: the record is 'broadcast' but the node no longer has it.
      const after = manager(44, { store });
      const recovering = after.recover();
      while (
        (await clients.publicClient.request({ method: 'eth_getTransactionByHash', params: [hash] })) === null
      )
        await new Promise((r) => setTimeout(r, 20));
      await test.mine({ blocks: 1 });
      const report = await recovering;
      expect(report.outcomes).toEqual([expect.objectContaining({ status: 'mined', hash, nonce: 0 })]);
      expect(await clients.publicClient.getTransactionCount({ address: devnetAccount(44).address })).toBe(1);
    } finally {
      await test.setAutomine(true);
    }
  });

  test('behavior: a nonce consumed by someone else is reported as replaced', async () => {
    const test = clients.testClient;
    if (!test) throw new Error('devnet test client missing');
    await test.setAutomine(false);
    try {
      const account = devnetAccount(38);
      const events: TxEvent[] = [];
      const tx = manager(38, { onEvent: (e) => events.push(e) });
      const pending = tx
        .send({ key: key('replaced'), label: 'replaced', to: SINK, data: '0x', gas: 21_000n })
        .catch((e: unknown) => e);
      while (!events.some((e) => e.type === 'broadcast')) await new Promise((r) => setTimeout(r, 20));
      // Another process with the same key sends a different transaction at the same nonce, paying more.
      const fees = await clients.publicClient.estimateFeesPerGas();
      const raw = await account.signTransaction({
        chainId: clients.chain.id,
        nonce: 0,
        to: account.address,
        value: 0n,
        gas: 21_000n,
        maxFeePerGas: fees.maxFeePerGas * 3n,
        maxPriorityFeePerGas: fees.maxPriorityFeePerGas * 3n,
      });
      await clients.publicClient.request({ method: 'eth_sendRawTransaction', params: [raw] });
      await test.mine({ blocks: 1 });
      const error = await pending;
      expect(error).toBeInstanceOf(TransactionReplacedError);
      expect((error as TransactionReplacedError).nonce).toBe(0);
    } finally {
      await test.setAutomine(true);
    }
  });

  test('behavior: fails over when the first RPC URL is dead', async () => {
    const dead = `http://127.0.0.1:${await findFreePort()}`;
    const both = await createClients({
      rpcUrls: [dead, devnet.rpcUrl],
      account: devnetAccount(39),
      timeoutMs: 1_000,
    });
    const tx = createTxManager({
      clients: both,
      account: devnetAccount(39),
      store: createMemoryTxStore(),
      pollIntervalMs: 20,
    });
    const result = await tx.send({ key: key('failover'), label: 'failover', to: SINK, data: '0x' });
    expect(result.receipt.status).toBe('success');
  });

  test('error: no RPC URL answers → RpcUnavailableError after retries', async () => {
    const own = await startDevnet();
    const dead = `http://127.0.0.1:${await findFreePort()}`;
    const both = await createClients({
      rpcUrls: [own.rpcUrl, dead],
      account: devnetAccount(1),
      timeoutMs: 500,
    });
    await own.stop();
    const retries: TxEvent[] = [];
    const tx = createTxManager({
      clients: both,
      account: devnetAccount(1),
      store: createMemoryTxStore(),
      retry: { retries: 2, baseDelayMs: 20 },
      onEvent: (e) => retries.push(e),
    });
    const error = await tx
      .send({ key: key('no-rpc'), label: 'no rpc', to: SINK, data: '0x', gas: 21_000n })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcUnavailableError);
    expect((error as RpcUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toContain(own.rpcUrl);
    expect(retries.filter((e) => e.type === 'retry')).toHaveLength(2);
  });
});
