/**
 * `npm start [-- --profile smoke|quick|full] [-- --out DIR]`, the main job: check the contract on
 * every phase, run the restart lesson, run the benchmarks (the quick profile unless told) against
 * both phases, write the report into docs/reports/ (or DIR), print a summary, and stop everything
 * it started. `--profile smoke --out DIR` is the whole job in a few minutes, without touching the
 * committed report: what `npm test` runs.
 */
import { parseArgs } from 'node:util';
import { SCENARIOS, printSummary } from 'benchmarks';
import { Cleanup, describeError } from 'harness';
import { benchmarkAndReport, profileNamed } from '../benchmark-run.ts';
import { checkContract, contractExitCode, printContractTable } from '../contract-run.ts';
import { printRestartLessons, runRestartLessons } from '../restart-lesson.ts';

const { values } = parseArgs({ options: { profile: { type: 'string', default: 'quick' }, out: { type: 'string' } } });
const profile = profileNamed(values.profile);
if (typeof profile === 'string') {
  console.error(`start: ${profile}`);
  process.exit(2);
}

const cleanup = new Cleanup();
cleanup.onSignals();
let exitCode = 1;
try {
  const started = performance.now();
  console.log('== 1/3 the contract, checked by Dredd on each phase');
  const summaries = await checkContract(cleanup);
  console.log('\n== 2/3 what survives a restart');
  const lessons = await runRestartLessons(cleanup);
  console.log(`\n== 3/3 the benchmarks, ${profile.name} profile`);
  const { results, written } = await benchmarkAndReport(profile, SCENARIOS, values.out);

  console.log('\n================ Summary ================');
  printContractTable(summaries);
  printRestartLessons(lessons);
  printSummary(results);
  console.log(`\nReport: ${written.join(', ')} (report.md, index.html, results.json); ${Math.round((performance.now() - started) / 1000)} s in all.`);
  exitCode = contractExitCode(summaries, 'start');
} catch (error) {
  console.error(`start: ${describeError(error, { stack: true })}`);
} finally {
  await cleanup.run();
}
process.exit(exitCode);
