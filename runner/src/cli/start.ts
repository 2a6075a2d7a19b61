/**
 * `npm start [-- --profile smoke|quick|full] [-- --out DIR]`, the main job: install what it runs,
 * check the contract on every phase, run the restart lesson, run the benchmarks (the quick profile
 * unless told) against both phases, write the report into docs/reports/ (or DIR), print a summary,
 * and stop everything it started. `--profile smoke --out DIR` is the whole job in a few minutes,
 * without touching the committed report: what `npm test` runs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SCENARIOS, printSummary } from 'benchmarks';
import { Cleanup, RUN_PROGRAMS, describeError, installBeforeMeasuring, measuringOver, parseCommandLine, usageError } from 'harness';
import { benchmarkAndReport, profileNamed } from '../benchmark-run.ts';
import { checkContract, contractExitCode, printContractTable } from '../contract-run.ts';
import { printRestartLessons, runRestartLessons } from '../restart-lesson.ts';
import { formatDuration, jobProgress } from '../job-progress.ts';
import { repoRoot } from '../paths.ts';

const USAGE = 'usage: npm start [-- --profile smoke|quick|full] [-- --out DIR]';
const { values } = parseCommandLine('start', USAGE, { options: { profile: { type: 'string', default: 'quick' }, out: { type: 'string' } } });
const profile = profileNamed(values.profile);
if (typeof profile === 'string') usageError('start', profile, USAGE);

/** What each part took on a two-core machine (the benchmarks: the profile's whole run). */
const BENCHMARK_SECONDS = { smoke: 150, quick: 900, full: 5100 } as const;
const parts = [
  { title: 'the system programs the job runs, found or installed', expectedSeconds: 5 },
  { title: 'the contract, checked by Dredd on each phase', expectedSeconds: 70 },
  { title: 'what survives a restart', expectedSeconds: 25 },
  { title: `the benchmarks, ${profile.name} profile`, expectedSeconds: BENCHMARK_SECONDS[profile.name] },
];

// Dredd's line per transaction goes to a log (the screen shows failures and the summary).
const logDir = join(repoRoot, '.lab', 'logs', `start-${new Date().toISOString().replace(/[:.]/g, '-')}`);
mkdirSync(logDir, { recursive: true });

const cleanup = new Cleanup();
Cleanup.stopEverythingOnExit();
const progress = jobProgress(parts);
let exitCode = 1;
try {
  progress.begin(0);
  const missing = installBeforeMeasuring(RUN_PROGRAMS);
  console.log(missing.length === 0 ? `all ${RUN_PROGRAMS.length} found` : `installed ${missing.join(', ')}`);
  progress.begin(1);
  const summaries = await checkContract(cleanup, { logDir });
  progress.begin(2);
  const lessons = await runRestartLessons(cleanup);
  progress.begin(3);
  const { results, written } = await benchmarkAndReport(profile, SCENARIOS, values.out);

  console.log('\n================ Summary ================');
  printContractTable(summaries);
  printRestartLessons(lessons);
  printSummary(results);
  const failed = results.failedScenarios ?? [];
  console.log(`\nReport: ${written.join(', ')} (report.md, index.html, results.json); ${formatDuration(progress.elapsedSeconds())} in all. Dredd's transactions: ${logDir}`);
  exitCode = contractExitCode(summaries, 'start');
  if (failed.length > 0) {
    console.error(`\nstart: ${failed.length} scenario${failed.length === 1 ? '' : 's'} failed (${failed.map((f) => f.scenario).join(', ')}); the report has every other one`);
    exitCode = 1;
  }
} catch (error) {
  console.error(`start: ${describeError(error, { stack: true })}`);
} finally {
  measuringOver();
  // The command's cleanup, and any a scenario left unrun when it threw.
  await Cleanup.runAll();
}
process.exit(exitCode);
