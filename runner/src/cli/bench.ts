/**
 * `npm run bench -- [--profile smoke|quick|full] [--scenario throughput|peers|arrival|capacity|failover|lab|cutover]… [--out DIR]`
 * Runs the scenarios, writes results.json and the report into docs/reports/<date>/ and
 * docs/reports/latest/ (or DIR), and prints the headlines.
 */
import { SCENARIOS, printSummary, type Scenario } from 'benchmarks';
import { Cleanup, RUN_PROGRAMS, describeError, installBeforeMeasuring, measuringOver, parseCommandLine, usageError } from 'harness';
import { benchmarkAndReport, profileNamed } from '../benchmark-run.ts';

const USAGE = `usage: npm run bench -- [--profile smoke|quick|full] [--scenario ${SCENARIOS.join('|')}]… [--out DIR]`;
const { values } = parseCommandLine('bench', USAGE, {
  options: {
    profile: { type: 'string', default: 'quick' },
    scenario: { type: 'string', multiple: true, default: [...SCENARIOS] },
    out: { type: 'string' },
  },
});
const profile = profileNamed(values.profile);
if (typeof profile === 'string') usageError('bench', profile, USAGE);
const chosen = values.scenario as Scenario[];
const unknown = chosen.filter((s) => !SCENARIOS.includes(s));
if (unknown.length > 0) usageError('bench', `unknown scenario ${unknown.join(', ')}; there are ${SCENARIOS.join(', ')}`, USAGE);
// The scenarios make and run cleanups of their own: a stop or a crash midway runs them all.
Cleanup.stopEverythingOnExit();
let exitCode = 0;
try {
  const missing = installBeforeMeasuring(RUN_PROGRAMS);
  console.log(`[bench] system programs: ${missing.length === 0 ? `all ${RUN_PROGRAMS.length} found` : `installed ${missing.join(', ')}`}`);
  const { results, written } = await benchmarkAndReport(profile, chosen, values.out);
  printSummary(results);
  console.log(`\n[bench] report: ${written.join(', ')}`);
  if ((results.failedScenarios ?? []).length > 0) exitCode = 1;
} catch (error) {
  console.error(`bench: ${describeError(error, { stack: true })}`);
  exitCode = 1;
} finally {
  measuringOver();
  // Any cleanup a scenario left unrun when it threw.
  await Cleanup.runAll();
}
process.exit(exitCode);
