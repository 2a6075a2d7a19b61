import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    globalSetup: ['harness/test/global-setup.ts'],
    // One file at a time: the fault tests and the benchmark smoke run measure timing-sensitive
    // behaviour on real processes, and must not share this machine's two cores with each other.
    fileParallelism: false,
    // Integration tests start real processes; give them room but keep a hung test from hanging CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
