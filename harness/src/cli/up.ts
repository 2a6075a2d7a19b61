/** `npm run up`: every phase up and left running, URLs printed; Ctrl-C stops all of it. */
import { Cleanup } from '../cleanup.ts';
import { startPhase1 } from '../phases.ts';

const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const phase1 = await startPhase1(cleanup, {}, { echo: process.argv.includes('--logs') });
  console.log(`phase1: ${phase1.url}`);
  console.log('Press Ctrl-C to stop.');
  await new Promise(() => { /* until a signal arrives */ });
} catch (error) {
  console.error(`up: ${error instanceof Error ? error.message : String(error)}`);
  await cleanup.run();
  process.exit(1);
}
