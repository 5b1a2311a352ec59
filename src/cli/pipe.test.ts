import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { exitQuietlyOnClosedPipe } from './main.js';

afterEach(() => vi.restoreAllMocks());

describe('output into a reader that stops early (`provenant agent status | head -3`)', () => {
  test('EPIPE on stdout ends the command quietly with exit 0; any other stream error still surfaces', () => {
    const stream = new EventEmitter() as unknown as NodeJS.WriteStream;
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    exitQuietlyOnClosedPipe(stream);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exit).toHaveBeenCalledWith(0);
    expect(() => stream.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow(
      'write EIO',
    );
    expect(exit).toHaveBeenCalledTimes(1);
  });
});
