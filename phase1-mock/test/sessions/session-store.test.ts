/** Core's session-store behaviour suite, against phase 1's Map. */
import { afterEach } from 'vitest';
import { describeSessionStore } from 'core/test-suites';
import { MemorySessionStore } from '../../src/sessions/session-store.ts';

const made: MemorySessionStore[] = [];
afterEach(async () => { for (const store of made.splice(0)) await store.close(); });

describeSessionStore('MemorySessionStore (a Map)', (ttlSeconds) => {
  const store = new MemorySessionStore({ ttlSeconds, sweepIntervalSeconds: 1 });
  const other = new MemorySessionStore({ ttlSeconds, sweepIntervalSeconds: 1 });
  made.push(store, other);
  // Each test has its own Maps: nothing to empty.
  return Promise.resolve({ store, other, reset: () => Promise.resolve() });
});
