import { defineConfig } from 'vitest/config';

// Browser tests: real Chromium (playwright-core) against a real in-process server.
// Each file starts its own server and browser; files run one after another because a
// Chromium per CPU is the expensive part, not the server.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/helpers/build-web.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
