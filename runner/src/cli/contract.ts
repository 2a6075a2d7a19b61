/** `npm run contract`: Dredd against every phase; exits non-zero unless every transaction passed. */
import { Cleanup } from 'harness';
import { allPassed, checkContract, printContractTable } from '../contract-run.ts';

const cleanup = new Cleanup();
cleanup.onSignals();
let ok = false;
try {
  const summaries = await checkContract(cleanup);
  printContractTable(summaries);
  ok = allPassed(summaries);
  const passed = summaries.reduce((n, s) => n + s.passing, 0);
  const failed = summaries.reduce((n, s) => n + s.failing + s.errors + s.skipped, 0);
  console.log(`\ncontract: ${passed} passed, ${failed} failed`);
  if (!ok) console.error('\ncontract: some transactions did not pass (0 failing, 0 errors and 0 skipped are required)');
} catch (error) {
  console.error(`contract: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  await cleanup.run();
}
process.exit(ok ? 0 : 1);
