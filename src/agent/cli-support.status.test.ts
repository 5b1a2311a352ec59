import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { agentStatus } from './cli-support.js';
import { openJournal } from './journal/index.js';

describe('agentStatus: where in the market a halt came', () => {
  test('behavior: a halted agent names the epoch it halted in and that epoch market day (since is wall-clock time)', () => {
    const journal = openJournal(join(mkdtempSync(join(tmpdir(), 'provenant-status-')), 'journal.sqlite'));
    try {
      expect(agentStatus(journal).haltedAt).toBeNull();
      journal.setEpoch(149);
      journal.append({ kind: 'decision', payload: { date: '2020-04-28', price: 12.34 } });
      journal.setEpoch(150);
      journal.append({ kind: 'decision', payload: { date: '2020-04-29', price: 15.06 } });
      journal.state.halt('drift: error drift', { statistic: 21.77 });
      const status = agentStatus(journal);
      expect(status).toMatchObject({ halted: true, haltedAt: { epoch: 150, date: '2020-04-29' } });
      journal.state.resume('operator');
      expect(agentStatus(journal).haltedAt).toBeNull();
    } finally {
      journal.close();
    }
  });

  test('behavior: a halt in an epoch that recorded no market day gives its epoch and no date', () => {
    const journal = openJournal(join(mkdtempSync(join(tmpdir(), 'provenant-status-')), 'journal.sqlite'));
    try {
      journal.setEpoch(7);
      journal.state.halt('operator: maintenance');
      expect(agentStatus(journal).haltedAt).toEqual({ epoch: 7, date: null });
    } finally {
      journal.close();
    }
  });
});
