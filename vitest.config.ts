import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Chain tests start their own anvil on a free port; keep the suite within 2 cores.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    retry: 0,
    // One temp root per run (TMPDIR), removed at the end: test state dirs no longer pile up in /tmp.
    globalSetup: ['test/setup/tmpRoot.ts'],
  },
});
