/**
 * Test fixture (not a test): sends intents through the SQLite-backed transaction manager and kills
 * itself with SIGKILL at the crash point given. Usage: node --import tsx crashChild.fixture.ts '<json>'
 * with { rpcUrl, journalPath, accountIndex, crashAt, intents: [{ key, label, to, data }] }.
 */
import type { Address, Hex } from 'viem';
import { type CrashPoint, createClients, createTxManager, devnetAccount } from '../../chain/index.js';
import { openJournal } from './index.js';

type Input = {
  rpcUrl: string;
  journalPath: string;
  accountIndex: number;
  crashAt: CrashPoint;
  intents: { key: Hex; label: string; to: Address; data: Hex }[];
};

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const account = devnetAccount(input.accountIndex);
const journal = openJournal(input.journalPath);
const clients = await createClients({ rpcUrls: [input.rpcUrl], account, devnet: true });
const tx = createTxManager({
  clients,
  account,
  store: journal.txStore(),
  pollIntervalMs: 20,
  crashAt: input.crashAt,
  crashMode: 'kill',
});
await tx.sendMany(input.intents.map((intent) => ({ ...intent, gas: 30_000n })));
// Only reached if the crash point was never hit.
process.stdout.write('finished without crashing\n');
journal.close();
