import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    globalSetup: ['harness/test/global-setup.ts'],
    // Integration tests start real processes; give them room but keep a hung test from hanging CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
