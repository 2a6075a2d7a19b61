/**
 * `npm start`, the main job: check the contract on every phase, run the restart lesson, print a
 * summary, and stop everything it started.
 */
import { Cleanup } from '../cleanup.ts';
import { allPassed, checkContract, printContractTable } from '../contract-run.ts';
import { printRestartLessons, runRestartLessons } from '../restart-lesson.ts';

const cleanup = new Cleanup();
cleanup.onSignals();
let ok = false;
try {
  const summaries = await checkContract(cleanup);
  const lessons = await runRestartLessons(cleanup);
  console.log('\n================ Summary ================');
  printContractTable(summaries);
  printRestartLessons(lessons);
  ok = allPassed(summaries);
  if (!ok) console.error('\nstart: the contract check failed; see the Dredd output above');
} catch (error) {
  console.error(`start: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanup.run();
}
process.exit(ok ? 0 : 1);
