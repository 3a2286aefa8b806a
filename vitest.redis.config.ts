import { defineConfig } from 'vitest/config';

/** The Redis suite: real `redis-server` processes on loopback (Debian package `redis-server`). */
export default defineConfig({
  test: {
    include: ['test/redis/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: process.env.CI_JSON_REPORT
      ? ['default', ['json', { outputFile: process.env.CI_JSON_REPORT }]]
      : ['default'],
  },
});
