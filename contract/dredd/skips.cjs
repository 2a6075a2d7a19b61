/**
 * Transactions Dredd compiles from the contract that no request from outside the server can
 * produce on demand, or that a target does not serve on purpose, each with why and where the
 * behaviour is checked instead. The runner accepts exactly these skips and no other.
 */
const IN_FLIGHT =
  'a 409 needs the first request with the same Idempotency-Key still running when the duplicate arrives; ' +
  'from outside the server that is a race, not a fixed outcome. core/test/suites/idempotent-retries.ts ' +
  "leaves a real claim in each phase's own store and checks the 409 through each phase's HTTP stack";

const skipped = {
  'POST /api/stateful/counter/increment 409': IN_FLIGHT,
  'POST /api/stateful/cart/items 409': IN_FLIGHT,
  'DELETE /api/stateful/cart/items/{productId} 409': IN_FLIGHT,
};

const OPERATORS_ONLY =
  "the operators' endpoints are not served at phase 2's public entry (nginx answers 404 there: " +
  'harness/test/edge.test.ts); harness/test/conformance.test.ts checks them against the contract on an instance directly';

const PUBLIC_ENTRY_ONLY =
  "only phase 2's public entry answers it (the operators' endpoints are private there); a phase itself serves them, " +
  'and the same run through nginx (CONTRACT_ENTRY=public) checks this 404';

/** Skipped only when Dredd checks a phase itself (CONTRACT_ENTRY=direct). */
const skippedDirect = {
  'GET /health 404': PUBLIC_ENTRY_ONLY,
  'GET /metrics 404': PUBLIC_ENTRY_ONLY,
};

/** Skipped only when Dredd goes through phase 2's public entry (CONTRACT_ENTRY=public). */
const skippedAtPublicEntry = {
  'GET /health 200': OPERATORS_ONLY,
  'GET /health 503': OPERATORS_ONLY,
  'GET /metrics 200': OPERATORS_ONLY,
};

/** The skips for a run against a phase itself (`direct`) or through phase 2's nginx (`public`). */
function skipsFor(entry) {
  return entry === 'public' ? { ...skipped, ...skippedAtPublicEntry } : { ...skipped, ...skippedDirect };
}

module.exports = { skipsFor };
