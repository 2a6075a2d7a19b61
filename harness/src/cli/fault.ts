/**
 * `npm run fault -- <action> [target] [--seconds N]`: asks the running `npm run up` to break
 * something, waits, and prints what it observed (JSON). Examples:
 *   npm run fault -- kill-instance api-2
 *   npm run fault -- rolling-restart
 *   npm run fault -- kill-redis-primary
 *   npm run fault -- pause-redis-primary --seconds 3
 *   npm run fault -- stop-sentinels
 *   npm run fault -- pause-instance api-1 --seconds 5
 *   npm run fault -- kill-phase1
 */
import { parseArgs } from 'node:util';
import { readUpState } from '../control.ts';
import { describeError } from '../errors.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { seconds: { type: 'string' } } });
const [action, target] = positionals;
try {
  const state = readUpState();
  if (!action || !state.actions.includes(action)) {
    console.error(`usage: npm run fault -- <${state.actions.join('|')}> [target] [--seconds N]\ninstances: ${state.instances.join(', ')}`);
    process.exit(2);
  }
  const response = await fetch(`${state.controlUrl}/faults/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target, seconds: values.seconds === undefined ? undefined : Number(values.seconds) }),
  });
  const body = await response.text();
  console.log(JSON.stringify(JSON.parse(body), null, 2));
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`fault: ${describeError(error)}`);
  process.exit(1);
}
