import { describe, expect, test } from 'vitest';
import { demoResumeCommand, stoppedMessage } from './demoSummary.js';

describe('demoResumeCommand (the Ctrl-C line of `provenant demo`)', () => {
  test('default: plain `npm start` resumes with `npm start`', () => {
    expect(demoResumeCommand(['demo'], { npm_lifecycle_event: 'start' })).toBe('npm start');
  });

  test('behavior: the flags given are repeated, --fresh is not', () => {
    const args = [
      'demo',
      '--state-dir',
      '/tmp/run 2',
      '--start',
      '2020-01-02',
      '--end',
      '2020-03-31',
      '--fresh',
    ];
    expect(demoResumeCommand(args, { npm_lifecycle_event: 'start' })).toBe(
      "npm start -- --state-dir '/tmp/run 2' --start 2020-01-02 --end 2020-03-31",
    );
    expect(demoResumeCommand(['--state-dir', 'x', 'demo', '--fresh', '--art-size', '64'], {})).toBe(
      'provenant --state-dir x demo --art-size 64',
    );
  });

  test('behavior: --rpc-url (unused by the demo, may carry a key) is left out, in both spellings', () => {
    const args = [
      '--rpc-url',
      'https://h/v3/SECRET',
      'demo',
      '--rpc-url=https://h/v3/SECRET',
      '--end',
      '2020-02-03',
    ];
    const command = demoResumeCommand(args, {});
    expect(command).toBe('provenant demo --end 2020-02-03');
    expect(command).not.toContain('SECRET');
  });

  test('behavior: an argument with a quote is quoted for the shell', () => {
    expect(demoResumeCommand(['demo', '--report', "it's"], {})).toBe(`provenant demo --report 'it'\\''s'`);
  });

  test('the stopped line names the command', () => {
    expect(stoppedMessage(3, 'npm start -- --state-dir s')).toBe(
      '\nStopped cleanly after 3 epoch(s) this run; chain state and journal are saved. Run `npm start -- --state-dir s` to resume.',
    );
  });
});
