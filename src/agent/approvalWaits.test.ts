import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Hex, keccak256 } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, test } from 'vitest';
import { createAgent } from './agent.js';
import { approvalWaits, heldBy } from './approvalWaits.js';
import { agentStatus } from './cli-support.js';
import { type Journal, openJournal } from './journal/index.js';
import { parseAgentOptions } from './options.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-approval-waits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VAULT = '0x00000000000000000000000000000000000000Aa';
const DATA: Hex = '0x40c10f19';

let n = 0;
/** A real journal holding one synth-mint intent that asked for approval (as the agent records it). */
function requested(): { journal: Journal; key: Hex; id: string } {
  const journal = openJournal(join(dir, `j${n++}.sqlite`));
  const key = keccak256(`0x${(n + 1).toString(16).padStart(2, '0')}`);
  journal.intents.record({ key, kind: 'synth-mint', payload: { to: VAULT, data: DATA } });
  const approval = journal.approvals.request({
    intentKey: key,
    calldataHash: keccak256(DATA),
    payload: { summary: 'mint 1500 sWTI', to: VAULT, data: DATA, sizeUsd: 90_000 },
  });
  journal.intents.setStatus(key, 'awaiting-approval', `approval ${approval.id}`);
  return { journal, key, id: approval.id };
}

describe('approvalWaits', () => {
  test('default: a pending request holds back its kind on its contract, nothing else', () => {
    const { journal, key, id } = requested();
    const waits = approvalWaits(journal);
    expect(waits).toEqual([
      {
        approvalId: id,
        intentKey: key,
        kind: 'synth-mint',
        to: VAULT.toLowerCase(),
        status: 'pending',
        reason: `synth-mint on ${VAULT.toLowerCase()} waits for approval ${id}: pending (\`provenant agent approve ${id}\`, or \`--reject <reason>\` to decide anew)`,
      },
    ]);
    expect(heldBy(waits, 'synth-mint', VAULT)?.approvalId).toBe(id);
    expect(heldBy(waits, 'synth-repay', VAULT)).toBeUndefined();
    expect(heldBy(waits, 'synth-mint', '0x00000000000000000000000000000000000000bb')).toBeUndefined();
    expect(agentStatus(journal).waiting).toEqual(waits);
    journal.close();
  });

  test('behavior: approved, then used and sent, the wait lasts until the intent settles', () => {
    const { journal, key, id } = requested();
    journal.approvals.approve(id, 'test');
    expect(approvalWaits(journal).map((w) => w.status)).toEqual(['approved']);
    journal.approvals.consume(id, keccak256(DATA));
    journal.intents.setStatus(key, 'sent');
    expect(approvalWaits(journal).map((w) => w.status)).toEqual(['sent']);
    journal.intents.setStatus(key, 'confirmed');
    expect(approvalWaits(journal)).toEqual([]);
    journal.close();
  });

  test('behavior: a rejected request, or an intent refused on-chain, waits for nothing', () => {
    const a = requested();
    a.journal.approvals.reject(a.id, 'test', 'not now');
    expect(approvalWaits(a.journal)).toEqual([]);
    a.journal.close();
    const b = requested();
    b.journal.approvals.approve(b.id, 'test');
    b.journal.approvals.consume(b.id, keccak256(DATA));
    b.journal.intents.setStatus(b.key, 'refused', 'Refused by policy …');
    expect(approvalWaits(b.journal)).toEqual([]);
    b.journal.close();
  });

  test('behavior: an approval used just before a crash, its intent never sent, is failed at recovery (no wait left)', async () => {
    const { journal, key, id } = requested();
    journal.approvals.approve(id, 'test');
    // A journal from before the approval's use and the intent's `sent` were one transaction: crash between.
    journal.approvals.consume(id, keccak256(DATA));
    expect(approvalWaits(journal).map((w) => w.status)).toEqual(['sent']);
    const agent = createAgent({
      clients: {} as never,
      account: privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d'),
      addresses: {} as never,
      journal,
      tx: { recover: async () => ({ outcomes: [] }) } as never,
      options: parseAgentOptions({ approvalThresholdUsd: 1_000 }),
      feedRules: { maxAgeSeconds: 1e9, maxDeviationBps: 1e6 },
      forecaster: { model: {} as never, id: '0x00', reference: { X: [[0]], errors: [0] } },
      content: {} as never,
      strategies: [],
      decimals: 8,
    });
    await agent.recover();
    expect(journal.intents.get(key)?.status).toBe('failed');
    expect(approvalWaits(journal)).toEqual([]);
    expect(journal.verify().ok).toBe(true);
    journal.close();
  });
});
