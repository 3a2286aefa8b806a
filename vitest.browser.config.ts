import { defineConfig } from 'vitest/config';

// The dashboard in a real browser (Debian's chromium driven by playwright-core): `npm run test:browser`.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One browser at a time: the machine is small and each test file launches its own.
    fileParallelism: false,
    reporters: process.env.CI_JSON_REPORT
      ? ['default', ['json', { outputFile: process.env.CI_JSON_REPORT }]]
      : ['default'],
  },
});
