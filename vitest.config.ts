import { defineConfig } from 'vitest/config';

// Test files run in parallel workers; each takes its own database, so they never
// share state. Browser tests live in test/e2e and run with `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    pool: 'forks',
    // Bounds, not assertions: a 2-core CI machine running three files at once starts
    // servers (and embedded databases) slowly.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: true,
    maxWorkers: 3,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
