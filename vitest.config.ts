import { defineConfig } from 'vitest/config';

/**
 * Coverage of each package's src by the tests, measured in the test processes. What runs only in
 * processes the tests start (each phase's server.ts, the CLIs, the runner's Dredd and benchmark
 * orchestration) is exercised by those tests but not counted here. Each floor sits a little under
 * what the suite reaches now, so a change that drops a package's coverage fails `npm test`; the
 * aim is 90 % of lines and branches in every package.
 */
const FLOORS: Record<string, { lines: number; branches: number }> = {
  contract: { lines: 98, branches: 85 },
  core: { lines: 96, branches: 87 },
  'phase1-mock': { lines: 81, branches: 76 },
  'phase2-production': { lines: 70, branches: 62 },
  harness: { lines: 73, branches: 55 },
  benchmarks: { lines: 83, branches: 59 },
  runner: { lines: 21, branches: 26 },
};
const PACKAGES = Object.keys(FLOORS);

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
    coverage: {
      provider: 'v8',
      include: PACKAGES.map((name) => `${name}/src/**/*.ts`),
      reporter: ['text', 'json-summary'],
      reportsDirectory: 'coverage',
      reportOnFailure: true,
      thresholds: Object.fromEntries(PACKAGES.map((name) => [`${name}/src/**/*.ts`, FLOORS[name]])),
    },
  },
});
