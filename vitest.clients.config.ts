import { defineConfig } from 'vitest/config';

// Real clients (Claude Code, the Codex CLI, the Vercel AI SDK) through the real proxy: run with
// `npm run test:clients`; the global setup installs test/clients on first use.
export default defineConfig({
  test: {
    include: ['test/clients/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['test/clients/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: process.env.CI_JSON_REPORT
      ? ['default', ['json', { outputFile: process.env.CI_JSON_REPORT }]]
      : ['default'],
  },
});
