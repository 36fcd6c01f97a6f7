import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores on CI: integration tests start emulators and spawn libimobiledevice tools.
    maxWorkers: 2,
    env: { _TESTING: '1' },
  },
});
