import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { type ProvenantClients, RpcUnavailableError } from '../chain/index.js';
import type { Agent } from './agent.js';
import { runAgentLoop } from './cli-support.js';
import { openJournal } from './journal/index.js';

const SECRET_URL = 'https://user:hunter2@mainnet.example.io/v3/SECRETAPIKEY123';

describe('runAgentLoop', () => {
  test('error: an unreachable endpoint is journaled with the URL redacted', async () => {
    const journal = openJournal(join(mkdtempSync(join(tmpdir(), 'provenant-loop-')), 'journal.sqlite'));
    // The agent's recovery is the first thing that talks to the node: here the node is gone.
    const agent = {
      recover: async () => {
        throw new RpcUnavailableError([SECRET_URL], new Error(`fetch failed. URL: ${SECRET_URL}`));
      },
    } as unknown as Agent;
    const clients = { rpcUrls: [SECRET_URL] } as unknown as ProvenantClients;
    const error = await runAgentLoop({
      agent,
      journal,
      clients,
      wtiFeed: '0x0000000000000000000000000000000000000001',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcUnavailableError);
    const notes = journal.entries({ kind: 'note' });
    expect(notes.map((n) => n.payload)).toEqual([
      {
        rpcUnavailable: true,
        urls: ['https://…@mainnet.example.io/…'],
        message: 'No JSON-RPC endpoint answered (https://…@mainnet.example.io/…).',
      },
    ]);
    const everything = JSON.stringify(journal.db.prepare('SELECT * FROM entries').all());
    expect(everything).not.toMatch(/hunter2|SECRETAPIKEY123/);
    expect(JSON.stringify(journal.state.get('agent.lastRun'))).not.toMatch(/hunter2|SECRETAPIKEY123/);
    journal.close();
  });
});
