import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { contractsFingerprint, prepareDemoStateDir } from './demoState.js';

const at = new Date('2026-11-26T06:00:00.000Z');
const marker = (dir: string) => JSON.parse(readFileSync(join(dir, 'demo-code.json'), 'utf8')).fingerprint;

describe('prepareDemoStateDir: a resumed demo runs on the code that made it', () => {
  test('a new or matching state dir is kept and marked with the contracts fingerprint', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'provenant-demo-state-')), 'state');
    expect(prepareDemoStateDir(dir, at)).toBeUndefined();
    expect(marker(dir)).toBe(contractsFingerprint());
    writeFileSync(join(dir, 'journal.sqlite'), 'journal');
    expect(prepareDemoStateDir(dir, at)).toBeUndefined();
    expect(readFileSync(join(dir, 'journal.sqlite'), 'utf8')).toBe('journal');
  });

  test('state made by other (or unrecorded) contract code is moved aside, not deleted', () => {
    const root = mkdtempSync(join(tmpdir(), 'provenant-demo-state-'));
    const dir = join(root, 'state');
    mkdirSync(dir);
    writeFileSync(join(dir, 'devnet-state.json'), '{"old":true}');
    const moved = prepareDemoStateDir(dir, at);
    expect(moved).toBe(`${dir}.previous-2026-11-26T06-00-00-000Z`);
    expect(readFileSync(join(moved!, 'devnet-state.json'), 'utf8')).toBe('{"old":true}');
    expect(existsSync(join(dir, 'devnet-state.json'))).toBe(false);
    expect(marker(dir)).toBe(contractsFingerprint());

    writeFileSync(join(dir, 'journal.sqlite'), 'x');
    writeFileSync(join(dir, 'demo-code.json'), JSON.stringify({ fingerprint: '0xother' }));
    const later = new Date('2026-11-26T07:00:00.000Z');
    expect(prepareDemoStateDir(dir, later)).toBe(`${dir}.previous-2026-11-26T07-00-00-000Z`);
  });

  test('the fingerprint is deterministic and 32 bytes', () => {
    expect(contractsFingerprint()).toBe(contractsFingerprint());
    expect(contractsFingerprint()).toMatch(/^0x[0-9a-f]{64}$/);
  });
});
