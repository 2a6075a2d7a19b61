/**
 * `npm run fault -- <action> [target] [--seconds N] [--json]`: asks the running `npm run up` to
 * break something, waits, and prints what it observed: in sentences, or as JSON with --json.
 * Examples:
 *   npm run fault -- kill-instance api-2
 *   npm run fault -- rolling-restart
 *   npm run fault -- kill-redis-primary
 *   npm run fault -- pause-redis-primary --seconds 3
 *   npm run fault -- stop-sentinels
 *   npm run fault -- pause-instance api-1 --seconds 5
 *   npm run fault -- kill-phase1
 */
import { readUpState } from '../control.ts';
import { describeError } from '../errors.ts';
import type { Observation } from '../observation.ts';
import { parseCommandLine, usageError } from './command-line.ts';

const USAGE = 'usage: npm run fault -- <action> [target] [--seconds N] [--json]';
const { positionals, values } = parseCommandLine('fault', USAGE, { allowPositionals: true, options: { seconds: { type: 'string' }, json: { type: 'boolean', default: false } } });
const [action, target] = positionals;
if (values.seconds !== undefined && !/^\d+(\.\d+)?$/.test(values.seconds)) usageError('fault', `--seconds is a number of seconds, not ${values.seconds}`, USAGE);

/** An observation as a person reads it: what was done, when it went down and came back, and the notes. */
function describeObservation(o: Observation): string {
  const times = [o.downAfterMs === null ? null : `down after ${o.downAfterMs} ms`, o.recoveredAfterMs === null ? 'not seen recovering' : `recovered after ${o.recoveredAfterMs} ms`].filter((t) => t !== null);
  return [`${o.action} ${o.target}: ${times.join(', ')}${o.pid === null ? '' : ` (pid ${o.pid})`}`, ...o.notes.map((note) => `  - ${note}`)].join('\n');
}

try {
  const state = readUpState();
  const usage = `usage: npm run fault -- <${state.actions.join('|')}> [target] [--seconds N] [--json]\ninstances: ${state.instances.join(', ')}`;
  if (!action) usageError('fault', 'which fault? Name an action', usage);
  if (!state.actions.includes(action)) usageError('fault', `unknown action ${action}`, usage);
  const response = await fetch(`${state.controlUrl}/faults/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target, seconds: values.seconds === undefined ? undefined : Number(values.seconds) }),
  });
  const body: unknown = JSON.parse(await response.text());
  if (values.json) console.log(JSON.stringify(body, null, 2));
  else if (response.ok) console.log(describeObservation(body as Observation));
  else {
    // The lab's refusal (problem+json): its title and its reason, as one sentence.
    const { title, detail } = body as { title?: string; detail?: string };
    console.error(`fault: ${action}${target === undefined ? '' : ` ${target}`} refused: ${detail ?? title ?? 'no reason given'}`);
  }
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`fault: ${describeError(error)}`);
  process.exit(1);
}
