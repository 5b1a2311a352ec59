/**
 * Test fixture (not a test): anchors the journal head through the SQLite-backed transaction manager and
 * kills itself with SIGKILL at the crash point given (`before-send`: after the anchor intent is recorded,
 * before the tx manager reserves a nonce). Usage: node --import tsx anchorChild.fixture.ts '<json>' with
 * { rpcUrl, journalPath, accountIndex, contract, epoch, everyEpochs, crashAt }.
 */
import type { Address } from 'viem';
import { type CrashPoint, createClients, createTxManager, devnetAccount } from '../../chain/index.js';
import { anchorJournalHead, attestJournalHead, openJournal } from './index.js';

type Input = {
  rpcUrl: string;
  journalPath: string;
  accountIndex: number;
  contract: Address;
  epoch: number;
  everyEpochs: number;
  crashAt: CrashPoint | 'before-send';
};

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const account = devnetAccount(input.accountIndex);
const journal = openJournal(input.journalPath);
const clients = await createClients({ rpcUrls: [input.rpcUrl], account, devnet: true });
const manager = createTxManager({
  clients,
  account,
  store: journal.txStore(),
  pollIntervalMs: 20,
  ...(input.crashAt === 'before-send' ? {} : { crashAt: input.crashAt, crashMode: 'kill' as const }),
});
const tx =
  input.crashAt === 'before-send'
    ? {
        ...manager,
        send: async () => {
          process.kill(process.pid, 'SIGKILL');
          throw new Error('unreachable');
        },
      }
    : manager;
await attestJournalHead(journal, account);
await anchorJournalHead({
  journal,
  tx,
  publicClient: clients.publicClient,
  contract: input.contract,
  epoch: input.epoch,
  everyEpochs: input.everyEpochs,
});
// Only reached if the crash point was never hit.
process.stdout.write('finished without crashing\n');
journal.close();
