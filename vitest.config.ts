import { defineConfig } from 'vitest/config';

const PACKAGES = ['contract', 'core', 'phase1-mock', 'phase2-production', 'harness', 'benchmarks', 'runner'];
const SYSTEM_TESTS = ['harness/test/ha.test.ts', 'harness/test/up.test.ts', 'runner/test/start.test.ts', 'runner/test/stop-midway.test.ts'];

/**
 * A third lane, one file at a time: the tests that spend most of their time waiting (the cutover's
 * alert fires after 30 s of errors; its steps are held; phase 2's process waits out its drain).
 * CPU-heavy tests stay in the other lanes: on two cores, a third busy lane slows all three.
 */
const WAITING_TESTS = [
  'harness/test/cluster.test.ts',
  'harness/test/cutover.test.ts',
  'benchmarks/test/cutover-scenario.test.ts',
  'phase2-production/test/process.test.ts',
  // Processes started and waited for: the phases' own start and stop, nginx's split of the users.
  'harness/test/phases.test.ts',
  'harness/test/cutover-routing.test.ts',
  // The failover matrix's Redis rows three times over: mostly the Sentinels' down-after and failover.
  'benchmarks/test/failover-repeated.test.ts',
];

export default defineConfig({
  // Vite's warnings about packages it transforms (the workflow parser's missing sourcemaps) say
  // nothing about this project's code; its errors still show.
  logLevel: 'error',
  test: {
    globalSetup: ['harness/test/global-setup.ts'],
    // With LAB_COVERAGE_DIR set (npm test), the processes tests start measure their own coverage.
    setupFiles: ['scripts/coverage/worker-setup.ts'],
    projects: [
      // The whole-system tests, one file at a time: each runs a full topology (several instances,
      // Redis with Sentinels, PostgreSQL, nginx, a lab) and breaks it on purpose, and two of them
      // at once would leave each other's failovers too little of this machine's two cores.
      { extends: true, test: { name: 'system', include: SYSTEM_TESTS, fileParallelism: false } },
      { extends: true, test: { name: 'waiting', include: WAITING_TESTS, fileParallelism: false } },
      // The rest, beside them: units, stand-ins, and single processes on their own ports and dirs.
      { extends: true, test: { name: 'parts', include: ['*/test/**/*.test.ts'], exclude: [...SYSTEM_TESTS, ...WAITING_TESTS], maxWorkers: 1 } },
    ],
    // Integration tests start real processes. On a busy two-core machine (both lanes at once) a test
    // that takes 18 s alone can take three times that; the bound is there to stop a hung test, not
    // to time a slow one.
    // GitHub's workflow parser imports its JSON schema without an import attribute, which only a
    // bundler accepts: vite transforms it (runner/test/ci-workflow.test.ts).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    testTimeout: 120_000,
    hookTimeout: 180_000,
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
