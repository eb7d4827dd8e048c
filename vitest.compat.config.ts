import { defineConfig } from 'vitest/config'

// The compatibility suite (test/compat/): every kubectl minor against the built CLI. CI runs it
// after `npm test` (`npm run test:compat`); it needs scripts/install-test-clients.sh first.
export default defineConfig({
  test: {
    include: ['test/compat/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
