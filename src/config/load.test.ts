import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { thrown } from '../../test/thrown.js';
import { ConfigIsDirectoryError, loadConfig } from './load.js';

describe('loadConfig: a folder where the config file should be', () => {
  test('behavior: --config naming a folder says it is a directory and asks for the FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-dir-'));
    const error = thrown(() => loadConfig({ cwd: dir, path: dir }));
    expect(error).toBeInstanceOf(ConfigIsDirectoryError);
    expect((error as Error).message).toContain(`The config path ${dir} is a directory, not a file.`);
    expect((error as Error).message).toContain(
      `Pass the config FILE with --config, e.g. --config ${join(dir, 'provenant.config.json')}.`,
    );
  });
  test('behavior: a folder named provenant.config.json in the working folder is named too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-config-dir-'));
    mkdirSync(join(dir, 'provenant.config.json'));
    const error = thrown(() => loadConfig({ cwd: dir }));
    expect(error).toBeInstanceOf(ConfigIsDirectoryError);
    expect((error as Error).message).toContain('is a directory, not a file');
    expect((error as Error).message).toContain('Move the folder');
  });
});
