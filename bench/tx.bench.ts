/**
 * Transaction throughput on the embedded devnet: the transaction manager pipelining several
 * transactions in flight versus the one-at-a-time baseline (send, wait for the receipt, next), both
 * with the durable SQLite journal store; plus plain viem `sendTransaction` + `waitForTransactionReceipt`
 * for reference. Run: npx tsx bench/tx.bench.ts [count=200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, type Hex, keccak256, toHex } from 'viem';
import { openJournal } from '../src/agent/journal/index.js';
import { createClients, devnetAccount, startDevnet } from '../src/chain/index.js';
import { createTxManager, type TxIntent } from '../src/chain/tx/index.js';

const count = Number(process.argv[2] ?? 200);
const SINK: Address = '0x000000000000000000000000000000000000bEEF';
const dir = mkdtempSync(join(tmpdir(), 'provenant-bench-'));
const devnet = await startDevnet();

const intents = (tag: string): TxIntent[] =>
  Array.from({ length: count }, (_, i) => {
    const key = keccak256(toHex(`${tag}-${i}`));
    return { key, label: `${tag} ${i}`, to: SINK, data: key as Hex, gas: 30_000n };
  });

async function run(
  name: string,
  accountIndex: number,
  body: (tx: ReturnType<typeof createTxManager>) => Promise<void>,
) {
  const account = devnetAccount(accountIndex);
  const clients = await createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
  const journal = openJournal(join(dir, `${name}.sqlite`));
  const tx = createTxManager({ clients, account, store: journal.txStore(), pollIntervalMs: 20 });
  // Warm up (nonce sync, fee cache, JIT) outside the timing.
  await tx.send({
    key: keccak256(toHex(`${name}-warmup`)),
    label: 'warmup',
    to: SINK,
    data: '0x',
    gas: 30_000n,
  });
  const started = performance.now();
  await body(tx);
  const seconds = (performance.now() - started) / 1000;
  const mined = await clients.publicClient.getTransactionCount({ address: account.address });
  if (mined !== count + 1)
    throw new Error(`${name}: expected ${count + 1} transactions mined, found ${mined}`);
  if (!journal.verify().ok) throw new Error(`${name}: journal does not verify`);
  journal.close();
  return count / seconds;
}

try {
  const baseline = await run('baseline', 50, async (tx) => {
    for (const intent of intents('baseline')) await tx.send(intent);
  });
  const pipelined = await run('pipelined', 51, async (tx) => {
    const settled = await tx.sendMany(intents('pipelined'));
    const failed = settled.filter((s) => !s.ok);
    if (failed.length) throw new Error(`${failed.length} pipelined sends failed`);
  });

  const groups = await run('groups10', 48, async (tx) => {
    const all = intents('groups10');
    for (let i = 0; i < all.length; i += 10) {
      const settled = await tx.sendMany(all.slice(i, i + 10));
      if (settled.some((s) => !s.ok)) throw new Error('a grouped send failed');
    }
  });

  // Reference: viem's wallet client one at a time (no durable store, nonce from the node each time).
  const account = devnetAccount(49);
  const clients = await createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
  const started = performance.now();
  for (const intent of intents('viem')) {
    const hash = await clients.walletClient.sendTransaction({
      to: intent.to,
      data: intent.data,
      gas: intent.gas,
    });
    await clients.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  }
  const viem = count / ((performance.now() - started) / 1000);

  const fmt = (x: number) => x.toFixed(1).padStart(8);
  console.log(
    `transactions per run: ${count} plain calls (30k gas) on anvil automine, node ${process.version}`,
  );
  console.log(`viem send + wait (reference)      ${fmt(viem)} tx/s`);
  console.log(`tx manager, one at a time         ${fmt(baseline)} tx/s`);
  console.log(`tx manager, pipelined (sendMany)  ${fmt(pipelined)} tx/s`);
  console.log(`tx manager, groups of 10          ${fmt(groups)} tx/s`);
  console.log(`pipelined / one at a time         ${fmt(pipelined / baseline)} x   (target >= 3x)`);
  console.log(`groups of 10 / one at a time      ${fmt(groups / baseline)} x`);
  console.log(`pipelined / viem reference        ${fmt(pipelined / viem)} x`);
} finally {
  await devnet.stop();
  rmSync(dir, { recursive: true, force: true });
}
