import { defineConfig } from 'vitest/config';

const PACKAGES = ['contract', 'core', 'phase1-mock', 'phase2-production', 'harness', 'benchmarks', 'runner'];

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    globalSetup: ['harness/test/global-setup.ts'],
    // With LAB_COVERAGE_DIR set (npm test), the processes tests start measure their own coverage.
    setupFiles: ['scripts/coverage/worker-setup.ts'],
    // One file at a time: the fault tests and the benchmark smoke run measure timing-sensitive
    // behaviour on real processes, and must not share this machine's two cores with each other.
    fileParallelism: false,
    // Integration tests start real processes; give them room but keep a hung test from hanging CI.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // What vitest measures in its own workers, written for scripts/coverage/report.ts, which
    // merges in what the processes the tests started measured, prints each package's figure and
    // holds it to its floor (npm test runs both through scripts/coverage/run.ts).
    coverage: {
      provider: 'v8',
      include: PACKAGES.map((name) => `${name}/src/**/*.ts`),
      // The lab console's page runs in Chromium, not Node: the browser test in
      // harness/test/up.test.ts is what exercises it.
      exclude: ['harness/src/lab/page/**'],
      reporter: ['json'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
    },
  },
});
