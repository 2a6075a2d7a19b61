/** `npm run up`: both phases up and left running, URLs printed; Ctrl-C stops all of it. */
import { Cleanup } from '../cleanup.ts';
import { startPhase1 } from '../phases.ts';
import { startPhase2Infrastructure, startPhase2Instance } from '../phase2.ts';

const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const echo = process.argv.includes('--logs');
  const phase1 = await startPhase1(cleanup, {}, { echo });
  console.log(`phase1: ${phase1.url}`);
  const stack = await startPhase2Infrastructure(cleanup);
  const phase2 = await startPhase2Instance(cleanup, stack, 'api-1', echo ? { LOG_LEVEL: 'info' } : {});
  console.log(`phase2: ${phase2.url}`);
  console.log(`        redis ${stack.redis.url}, postgres ${stack.postgres.url}`);
  console.log('Press Ctrl-C to stop.');
  await new Promise(() => { /* until a signal arrives */ });
} catch (error) {
  console.error(`up: ${error instanceof Error ? error.message : String(error)}`);
  await cleanup.run();
  process.exit(1);
}
