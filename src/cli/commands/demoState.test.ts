import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DevnetStateInUseError } from '../../chain/index.js';
import {
  contractsFingerprint,
  DemoStateNotMovableError,
  moveDemoStateAside,
  prepareDemoStateDir,
} from './demoState.js';

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

describe('demo --fresh moves the previous state aside, never deletes it (review 6)', () => {
  /** A demo state dir with a journal, a devnet state and the devnet's deployment manifest. */
  const demoState = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'provenant-demo-fresh-')), 'state');
    mkdirSync(join(dir, 'deployments'), { recursive: true });
    writeFileSync(join(dir, 'journal.sqlite'), 'journal');
    writeFileSync(join(dir, 'devnet-state.json'), '{"chain":1}');
    writeFileSync(join(dir, 'deployments', '31337.json'), '{}');
    return dir;
  };
  const lockOf = (dir: string, lock: Record<string, unknown>) =>
    writeFileSync(
      join(dir, 'devnet-state.json.lock'),
      JSON.stringify({ version: 1, statePath: join(dir, 'devnet-state.json'), startedAt: 'now', ...lock }),
    );

  test('default: everything is moved to <dir>.before-fresh-<time>, and the dir is free for a new demo', () => {
    const dir = demoState();
    const aside = moveDemoStateAside(dir, at);
    expect(aside).toBe(`${dir}.before-fresh-2026-11-26T06-00-00-000Z`);
    expect(readFileSync(join(aside!, 'journal.sqlite'), 'utf8')).toBe('journal');
    expect(readFileSync(join(aside!, 'deployments', '31337.json'), 'utf8')).toBe('{}');
    expect(existsSync(dir)).toBe(false);
    expect(moveDemoStateAside(dir, at)).toBeUndefined();
  });

  test('behavior: a state dir given with a trailing slash is moved beside it, not into itself', () => {
    const dir = demoState();
    expect(moveDemoStateAside(`${dir}/`, at)).toBe(`${dir}.before-fresh-2026-11-26T06-00-00-000Z`);
    expect(existsSync(dir)).toBe(false);
  });

  test('refused: another live process holds the devnet lock (its anvil would keep writing)', () => {
    const dir = demoState();
    lockOf(dir, { ownerPid: process.ppid, ownerLockedAtMs: Date.now(), anvilPid: null });
    expect(() => moveDemoStateAside(dir, at)).toThrow(DevnetStateInUseError);
    expect(readFileSync(join(dir, 'journal.sqlite'), 'utf8')).toBe('journal');
  });

  test('refused: an orphaned anvil (owner gone) still writes the state file', () => {
    const dir = demoState();
    // The owner pid is not a running process; the "anvil" is: this test's parent.
    lockOf(dir, {
      ownerPid: 2 ** 22 + 12_345,
      ownerLockedAtMs: Date.now(),
      anvilPid: process.ppid,
      anvilStartedAtMs: Date.now(),
    });
    const error = (() => {
      try {
        moveDemoStateAside(dir, at);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DemoStateNotMovableError);
    expect((error as Error).message).toContain(`An anvil (pid ${process.ppid}) left running`);
    expect(existsSync(join(dir, 'journal.sqlite'))).toBe(true);
  });

  test("refused: the dir holds a deployment of another chain (e.g. mainnet); a dead owner's lock is no obstacle", () => {
    const dir = demoState();
    writeFileSync(join(dir, 'deployments', '1.json'), '{"mainnet":true}');
    expect(() => moveDemoStateAside(dir, at)).toThrow(/holds deployments of other chains \(chain 1\)/);
    expect(readFileSync(join(dir, 'deployments', '1.json'), 'utf8')).toBe('{"mainnet":true}');
    const clean = demoState();
    lockOf(clean, { ownerPid: 2 ** 22 + 12_345, ownerLockedAtMs: Date.now(), anvilPid: null });
    expect(moveDemoStateAside(clean, at)).toBe(`${clean}.before-fresh-2026-11-26T06-00-00-000Z`);
  });

  test('prepareDemoStateDir (state made by other contract code) applies the same refusals', () => {
    const dir = demoState();
    lockOf(dir, { ownerPid: process.ppid, ownerLockedAtMs: Date.now(), anvilPid: null });
    expect(() => prepareDemoStateDir(dir, at)).toThrow(DevnetStateInUseError);
    expect(existsSync(join(dir, 'journal.sqlite'))).toBe(true);
  });
});
