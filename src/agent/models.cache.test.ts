/**
 * F9: `trainAgentForecaster` (src/agent/models.ts) caches the forecaster at `<stateDir>/models/<id>.json`
 * with a plain `writeFileSync` guarded by `existsSync`: not temp+rename, and an existing file is never
 * checked. A process killed mid-write leaves a short file under the right name forever; `verify`
 * (`modelFileLoader` -> `loadModelById`, which also never checks the hash) then reports `model-id` /
 * `forecast-replay` failed for every honest version, and restarts never rewrite the file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from 'viem';
import { afterAll, describe, expect, test } from 'vitest';
import { loadModelById, trainAgentForecaster } from './index.js';

const stateDir = mkdtempSync(join(tmpdir(), 'audit5-f9-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

describe('forecaster cache survives a torn write (review finding F9)', () => {
  test('a truncated cached model file is replaced on the next start, and never served as the model', () => {
    const first = trainAgentForecaster({ kind: 'ridge', trainEnd: '2018-12-31', stateDir });
    const path = join(stateDir, 'models', `${first.id}.json`);
    expect(keccak256(readFileSync(path))).toBe(first.id);
    // A kill mid-writeFileSync: the name exists, half the bytes do.
    mkdirSync(join(stateDir, 'models'), { recursive: true });
    writeFileSync(path, first.bytes.slice(0, Math.floor(first.bytes.length / 2)));
    // The restarted agent trains the same forecaster again.
    const again = trainAgentForecaster({ kind: 'ridge', trainEnd: '2018-12-31', stateDir });
    expect(again.id).toBe(first.id);
    const served = loadModelById(stateDir, first.id);
    // Current code: the half file stays and is served to verify.
    expect(served && keccak256(served)).toBe(first.id);
  });
});
