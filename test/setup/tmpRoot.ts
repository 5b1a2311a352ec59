// Why: tests make their state dirs with mkdtemp under os.tmpdir() and many do not remove them; over many runs
// they filled the disk (10,000+ dirs, 5.6 GB here). Every run now gets one temp root (TMPDIR, inherited by
// the forked workers and the processes tests spawn), removed when the run ends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tmpdir(), 'provenant-vitest-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(root, { recursive: true, force: true });
  };
}
