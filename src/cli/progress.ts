/**
 * One live line for long work: rewritten in place on a terminal, printed every few updates otherwise
 * (CI logs). Notes (a refusal, a halt) are printed on their own line above it and kept.
 */
export function createProgressLine(options: { every?: number } = {}) {
  const tty = Boolean(process.stderr.isTTY);
  const every = options.every ?? 25;
  let count = 0;
  let last = '';
  const clear = () => {
    if (tty && last) process.stderr.write('\r\x1b[2K');
  };
  return {
    update(line: string, note?: string) {
      count++;
      if (note) {
        clear();
        process.stderr.write(`  ${note}\n`);
      }
      last = line;
      if (tty) process.stderr.write(`\r\x1b[2K${line}`);
      else if (count % every === 0 || note) process.stderr.write(`${line}\n`);
    },
    note(text: string) {
      clear();
      process.stderr.write(`${text}\n`);
      if (tty && last) process.stderr.write(last);
    },
    done() {
      if (tty && last) process.stderr.write('\n');
      else if (last) process.stderr.write(`${last}\n`);
    },
  };
}
