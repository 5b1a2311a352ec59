import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from 'viem';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { loadDataset } from '../../data/index.js';
import { buildProgram } from '../main.js';
import { BacktestRangeError, checkTrainEnd } from './model.js';

const dir = mkdtempSync(join(tmpdir(), 'provenant-model-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  });
  try {
    await buildProgram().parseAsync(['node', 'provenant', '--state-dir', join(dir, 'state'), ...args]);
    return lines.join('\n');
  } finally {
    log.mockRestore();
  }
}

describe('provenant model train', () => {
  test('writes the canonical model file whose keccak256 is the id it prints, the same id every run', async () => {
    const out = join(dir, 'forecaster.json');
    const printed = await cli(['model', 'train', '--train-end', '2019-11-29', '--out', out]);
    const id = /^Model (0x[0-9a-f]{64}): forecaster-wti-ridge version 2019-11-29 /.exec(printed)?.[1];
    expect(id, printed).toBeDefined();
    expect(keccak256(readFileSync(out))).toBe(id);
    expect(keccak256(readFileSync(join(dir, 'state', 'models', `${id}.json`)))).toBe(id);
    expect(printed).toContain('trained on 2520 days of WTI up to 2019-11-29');
    expect(printed).toContain(`provenant model register ${out} --holder`);
    const again = await cli(['model', 'train', '--train-end', '2019-11-29']);
    expect(again).toContain(`Model ${id}:`);
  });

  test('a --train-end after the data, or with too few days before it, is refused naming the range', () => {
    const wti = loadDataset('wti-daily').series.points;
    const last = wti.at(-1)!.date;
    expect(() => checkTrainEnd('2099-01-01', wti)).toThrow(BacktestRangeError);
    expect(() => checkTrainEnd('2099-01-01', wti)).toThrow(
      new RegExp(
        `after the last WTI day shipped \\(${last}\\): the model would be named for days it never saw`,
      ),
    );
    expect(() => checkTrainEnd('1987-06-01', wti)).toThrow(
      /leaves \d+ WTI days to train on, fewer than 1000/,
    );
    expect(() => checkTrainEnd(last, wti)).not.toThrow();
  });
});
