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

describe('agentStatus: the drift monitor after the last decision', () => {
  test('behavior: gives the newest recorded statistics with the λ then in force; none recorded is null; an older journal has no λ', () => {
    const journal = openJournal(join(mkdtempSync(join(tmpdir(), 'provenant-status-')), 'journal.sqlite'));
    try {
      expect(agentStatus(journal).drift).toBeNull();
      journal.setEpoch(1);
      journal.append({
        kind: 'decision',
        payload: { date: '2020-03-09', drift: { pageHinkley: 12.5, lambda: 27.97, psi: 0.1, halt: false } },
      });
      journal.setEpoch(2);
      journal.append({
        kind: 'decision',
        payload: { date: '2020-03-10', note: 'held outlier: no drift recorded' },
      });
      expect(agentStatus(journal).drift).toEqual({
        date: '2020-03-09',
        pageHinkley: 12.5,
        lambda: 27.97,
        psi: 0.1,
        psiThreshold: 0.25,
      });
      journal.setEpoch(3);
      journal.append({
        kind: 'decision',
        payload: { date: '2020-03-11', drift: { pageHinkley: 3, psi: 0.2 } },
      });
      expect(agentStatus(journal).drift).toMatchObject({ date: '2020-03-11', lambda: null });
    } finally {
      journal.close();
    }
  });
});
