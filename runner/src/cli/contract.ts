/** `npm run contract`: Dredd against every phase; exits non-zero unless every transaction passed. */
import { Cleanup, describeError } from 'harness';
import { checkContract, contractExitCode, printContractTable } from '../contract-run.ts';
import { declaredSkips } from '../dredd.ts';

const cleanup = new Cleanup();
Cleanup.stopEverythingOnExit();
let exitCode = 1;
try {
  const summaries = await checkContract(cleanup);
  printContractTable(summaries);
  const passed = summaries.reduce((n, s) => n + s.passing, 0);
  const skipped = summaries.reduce((n, s) => n + s.skipped, 0);
  const failed = summaries.reduce((n, s) => n + s.failing + s.errors, 0);
  console.log(`\ncontract: ${passed} passed, ${failed} failed, ${skipped} skipped (declared in contract/dredd/skips.cjs, each checked elsewhere):`);
  for (const summary of summaries) {
    for (const [transaction, reason] of Object.entries(declaredSkips(summary.entry))) console.log(`  - ${summary.phase}: ${transaction}: ${reason}`);
  }
  exitCode = contractExitCode(summaries, 'contract');
} catch (error) {
  console.error(`contract: ${describeError(error)}`);
} finally {
  await cleanup.run();
}
process.exit(exitCode);
