import { defineConfig } from 'vitest/config'

// The web view in real headless Chromium (test/browser/): `npm run test:browser` (CI runs it after
// test:compat). Needs dist/ (the script builds) and Debian's chromium (scripts/install-test-clients.sh).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One browser and one kubemock at a time: the scale test needs the machine to itself.
    maxWorkers: 1,
    fileParallelism: false,
  },
})
