import { defineConfig } from 'vitest/config'

// The packaging suite (test/package/): `npm pack` (whose prepack builds dist/ from scratch), the
// tarball installed into a temporary prefix and run through `npx --package=<tarball>`, the
// installed `kubemock` started and driven by kubectl. CI runs it after the compatibility suite
// (`npm run test:package`); a minute to a minute and a half.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
  },
})
