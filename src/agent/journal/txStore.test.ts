import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, type Hex, keccak256, stringToHex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CrashInjectedError,
  type CrashPoint,
  createClients,
  createTxManager,
  type Devnet,
  devnetAccount,
  type ProvenantClients,
  startDevnet,
  TxRevertedError,
} from '../../chain/index.js';
import { openJournal } from './index.js';

const SINK: Address = '0x000000000000000000000000000000000000bEEF';
const key = (label: string): Hex => keccak256(stringToHex(label));
const tempJournal = () => join(mkdtempSync(join(tmpdir(), 'provenant-txstore-')), 'journal.sqlite');

let devnet: Devnet;
let clients: ProvenantClients;

beforeAll(async () => {
  devnet = await startDevnet();
  clients = await createClients({ rpcUrls: [devnet.rpcUrl], account: devnetAccount(0), devnet: true });
});
afterAll(async () => {
  await devnet?.stop();
});

/** Every transaction `from` sent on-chain, from block 1 to the head. */
async function sentBy(from: Address) {
  const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  const found: { hash: Hex; nonce: number; input: Hex }[] = [];
  for (let n = 1n; n <= head; n++) {
    const block = await clients.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const t of block.transactions)
      if (t.from.toLowerCase() === from.toLowerCase())
        found.push({ hash: t.hash, nonce: t.nonce, input: t.input });
  }
  return found;
}

function manager(path: string, index: number, extra: Partial<Parameters<typeof createTxManager>[0]> = {}) {
  const journal = openJournal(path);
  const tx = createTxManager({
    clients,
    account: devnetAccount(index),
    store: journal.txStore(),
    pollIntervalMs: 20,
    ...extra,
  });
  return { journal, tx };
}

describe('SQLite TxStore', () => {
  test('behavior: a nonce reservation survives a restart', async () => {
    const path = tempJournal();
    const zero = manager(path, 40);
    await zero.tx.send({ key: key('n0'), label: 'n0', to: SINK, data: '0x', gas: 21_000n });
    zero.journal.close();
    const first = manager(path, 40, { crashAt: 'after-reserve', crashMode: 'throw' });
    const crashed = await first.tx
      .send({ key: key('n1'), label: 'n1', to: SINK, data: '0x01', gas: 30_000n })
      .catch((e: unknown) => e);
    expect(crashed).toBeInstanceOf(CrashInjectedError);
    first.journal.close();
    // n1 holds nonce 1 on disk, nothing was signed; the chain only knows nonce 0.
    expect(
      await clients.publicClient.getTransactionCount({
        address: devnetAccount(40).address,
        blockTag: 'pending',
      }),
    ).toBe(1);

    const second = manager(path, 40);
    const store = second.journal.txStore();
    expect(await store.nextNonce(clients.chain.id, devnetAccount(40).address)).toBe(2);
    const n2 = await second.tx.send({ key: key('n2'), label: 'n2', to: SINK, data: '0x02', gas: 30_000n });
    expect(n2.nonce).toBe(2);
    // n1 was reserved before the restart and went out with its own nonce before n2.
    expect((await store.get(key('n1')))?.status).toBe('broadcast');
    const report = await second.tx.recover();
    expect(report.outcomes.map((o) => [o.nonce, o.status])).toEqual([[1, 'mined']]);
    const sent = await sentBy(devnetAccount(40).address);
    expect(sent.map((t) => [t.nonce, t.input])).toEqual([
      [0, '0x'],
      [1, '0x01'],
      [2, '0x02'],
    ]);
    expect(second.journal.verify().ok).toBe(true);
    second.journal.close();
  });

  test('behavior: a reverted transaction throws and is journaled as reverted', async () => {
    const deployHash = await clients.walletClient.sendTransaction({
      data: '0x6005600c60003960056000f360006000fd',
    });
    const reverter = (await clients.publicClient.waitForTransactionReceipt({ hash: deployHash }))
      .contractAddress as Address;
    const { journal, tx } = manager(tempJournal(), 41);
    const error = await tx
      .send({ key: key('rev'), label: 'reverting call', to: reverter, data: '0x', gas: 40_000n })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TxRevertedError);
    const receipts = journal.entries({ kind: 'receipt', key: key('rev') });
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.payload).toMatchObject({ status: 'reverted', hash: (error as TxRevertedError).hash });
    expect(
      journal.entries({ key: key('rev') }).map((e) => [e.kind, (e.payload as { event?: string }).event]),
    ).toEqual([
      ['tx', 'reserved'],
      ['tx', 'signed'],
      ['tx', 'broadcast'],
      ['receipt', undefined],
    ]);
    expect((await journal.txStore().get(key('rev')))?.status).toBe('reverted');
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });

  for (const [index, crashAt] of [
    [42, 'after-sign'],
    [43, 'after-broadcast'],
  ] as const) {
    test(`behavior: SIGKILL ${crashAt.replace('-', ' ')}, restart and recover: exactly one transaction per intent`, async () => {
      const path = tempJournal();
      const intents = [0, 1, 2].map((i) => ({
        key: key(`${crashAt}-${i}`),
        label: `intent ${i}`,
        to: SINK,
        data: key(`${crashAt}-${i}`),
      }));
      const signal = await runChild({
        rpcUrl: devnet.rpcUrl,
        journalPath: path,
        accountIndex: index,
        crashAt,
        intents,
      });
      expect(signal).toBe('SIGKILL');

      const { journal, tx } = manager(path, index);
      // The three intents went out as one batch: all reserved and signed before the crash, none
      // recorded as broadcast (after-broadcast dies right after the node accepted the batch).
      for (const intent of intents) expect((await journal.txStore().get(intent.key))?.status).toBe('signed');
      const onChainBefore = await sentBy(devnetAccount(index).address);
      expect(onChainBefore).toHaveLength(crashAt === 'after-sign' ? 0 : 3);
      const report = await tx.recover();
      expect(report.outcomes.map((o) => [o.nonce, o.status])).toEqual([
        [0, 'mined'],
        [1, 'mined'],
        [2, 'mined'],
      ]);
      // The agent then re-runs its intents: the finished one replays, the others go out once.
      const settled = await tx.sendMany(intents.map((i) => ({ ...i, gas: 30_000n })));
      expect(settled.every((s) => s.ok)).toBe(true);

      const sent = await sentBy(devnetAccount(index).address);
      for (const intent of intents) expect(sent.filter((t) => t.input === intent.data)).toHaveLength(1);
      expect(sent.map((t) => t.nonce)).toEqual([0, 1, 2]);
      expect(journal.entries({ kind: 'receipt' })).toHaveLength(3);
      expect(journal.verify().ok).toBe(true);
      journal.close();
    });
  }
});

function runChild(input: {
  rpcUrl: string;
  journalPath: string;
  accountIndex: number;
  crashAt: CrashPoint;
  intents: { key: Hex; label: string; to: Address; data: Hex }[];
}): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'crashChild.fixture.ts'), JSON.stringify(input)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (signal === null) reject(new Error(`child exited with ${code}: ${output}`));
      else resolve(signal);
    });
  });
}
