import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/compat/ is the kubectl version matrix: `npm run test:compat` (CI runs it after npm test);
    // test/package/ packs and installs the package: `npm run test:package` (after test:compat);
    // test/browser/ drives headless Chromium: `npm run test:browser` (after test:compat).
    exclude: ['test/compat/**', 'test/package/**', 'test/browser/**', '**/node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The store checks every version it serializes field by field against JSON.stringify: a
    // writer that mutates a stored object shows up as a failure instead of stale bytes.
    env: { KUBEMOCK_VERIFY_SERIALIZATION: '1' },
  },
})
