/**
 * Dredd hooks shared by both phases: the one hook file Dredd loads (it receives Dredd's `hooks`).
 * It only wires the jobs together, each in its own module beside it:
 *   requests.cjs     the request that produces each documented status, and the chained flows
 *   maintenance.cjs  every 503, produced for real with the maintenance file
 *   rate-limits.cjs  every 429, produced for real by exhausting the budget
 *   checks.cjs       state carried forward, and what a schema cannot check
 *   schemas.cjs      the contract's JSON Schema for each response, from the contract package
 *   skips.cjs        the transactions no outside request can produce, with why
 *   lib.cjs          the target, the chained state, HTTP helpers
 *
 * Dredd runs hooks in its own process as CommonJS. A hook with two parameters gets a `done`
 * callback (an async one-parameter hook would not be awaited). The runner passes:
 *   CONTRACT_TARGET      the base URL Dredd tests (hooks make side requests to it)
 *   MAINTENANCE_FILE     the file whose existence puts the phase in maintenance mode (503)
 *   CONTRACT_SCHEMAS     the JSON file of the contract's response schemas
 *   CONTRACT_ENTRY       `public` when the target is phase 2's nginx (see skips.cjs), else `direct`
 */
const hooks = require('hooks');
const { chain, keyOf, withDone } = require('./lib.cjs');
const { before, beforeAsync, withChainedSession, ownIdempotencyKey } = require('./requests.cjs');
const { enterMaintenance, leaveMaintenance, clearMaintenance } = require('./maintenance.cjs');
const { waitForRateLimitReset } = require('./rate-limits.cjs');
const { after } = require('./checks.cjs');
const { prepareValidation } = require('./schemas.cjs');
const { skipsFor } = require('./skips.cjs');

const skipped = skipsFor(process.env.CONTRACT_ENTRY);

hooks.beforeEach((transaction, done) => {
  const key = keyOf(transaction);
  if (skipped[key]) {
    transaction.skip = true;
    console.log(`skip: ${key}: ${skipped[key]}`);
    done();
    return;
  }
  withDone(async (t) => {
    ownIdempotencyKey(t);
    if (t.expected.statusCode === '503') {
      // The stateful operations check the session first; give them one so 503 is the answer.
      if (chain.sessionCookie && t.request.uri.startsWith('/api/stateful/') && !t.request.uri.endsWith('/sessions')) withChainedSession(t);
      await enterMaintenance();
      return;
    }
    const step = before[key];
    if (step) step(t);
    const asyncStep = beforeAsync[key];
    if (asyncStep) await asyncStep(t);
  })(transaction, done);
});

hooks.beforeEachValidation(prepareValidation);

hooks.afterEach((transaction, done) => {
  const key = keyOf(transaction);
  withDone(async (t) => {
    if (t.expected.statusCode === '503') await leaveMaintenance();
    if (t.expected.statusCode === '429') await waitForRateLimitReset(t);
    const step = after[key];
    if (step && t.real) await step(t);
  })(transaction, done);
});

hooks.afterAll((_transactions, done) => {
  clearMaintenance();
  done();
});
