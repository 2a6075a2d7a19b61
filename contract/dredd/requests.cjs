/**
 * The request for each (method, path, status): Dredd compiles one transaction per documented
 * response, and its example request produces only the 200s; these build the request that really
 * produces each other status, and chain the stateful flows from the transactions that start them.
 */
const { chain, setHeader, setJsonBody, call, newGuestSession } = require('./lib.cjs');
const { exhaustRateLimit } = require('./rate-limits.cjs');

const WRONG_CSRF = 'not-the-session-csrf-token';
const UNKNOWN_SID = 'sid=this-session-was-never-created';
/** Larger than the 16 KiB body limit both phases use. */
const OVERSIZED_JSON = JSON.stringify({ padding: 'x'.repeat(20 * 1024) });

/** A key no other transaction uses: a keyed request is then a first request, never a replay. */
let keysIssued = 0;
const freshKey = (label) => `"dredd-${label}-${process.pid}-${(keysIssued += 1)}"`;
/** Dredd sends the contract's one example key with every keyed request; each gets its own instead. */
function ownIdempotencyKey(t) {
  const sent = Object.keys(t.request.headers).some((name) => name.toLowerCase() === 'idempotency-key');
  if (sent) setHeader(t, 'Idempotency-Key', freshKey('transaction'));
  // Dredd takes every documented response header as required; Idempotent-Replayed comes only on a
  // replay, which checks.cjs produces and checks after the transaction.
  for (const name of Object.keys(t.expected.headers ?? {})) {
    if (name.toLowerCase() === 'idempotent-replayed') delete t.expected.headers[name];
  }
}

const cookie = (t, value) => setHeader(t, 'Cookie', value);
const csrf = (t, value) => setHeader(t, 'X-CSRF-Token', value);
const withChainedSession = (t) => {
  if (!chain.sessionCookie) throw new Error('no session cookie was chained from POST /api/stateful/sessions 201');
  cookie(t, chain.sessionCookie);
  csrf(t, chain.csrfToken);
};
const noSession = (t) => cookie(t, undefined);
const textBody = (t) => {
  t.request.body = 'value=41';
  setHeader(t, 'Content-Type', 'text/plain');
};
const oversized = (t) => setJsonBody(t, OVERSIZED_JSON);

const before = {
  'GET /api/products 400': (t) => { t.request.uri = '/api/products?limit=0&offset=-1'; t.fullPath = t.request.uri; },
  'GET /api/products/{productId} 400': (t) => { t.request.uri = "/api/products/kb-001'%20OR%20'1'='1"; t.fullPath = t.request.uri; },
  'GET /api/products/{productId} 404': (t) => { t.request.uri = '/api/products/zz-999'; t.fullPath = t.request.uri; },

  'POST /api/stateless/counter 400': (t) => setJsonBody(t, { value: '41' }),
  'POST /api/stateless/counter 413': oversized,
  'POST /api/stateless/counter 415': textBody,

  'POST /api/stateless/cart/quote 400': (t) => setJsonBody(t, { items: [{ productId: 'kb-001', quantity: -1 }] }),
  'POST /api/stateless/cart/quote 413': oversized,
  'POST /api/stateless/cart/quote 415': textBody,
  'POST /api/stateless/cart/quote 422': (t) => setJsonBody(t, { items: [{ productId: 'zz-999', quantity: 1 }] }),

  'POST /api/auth/tokens 400': (t) => setJsonBody(t, { username: 'alice' }),
  'POST /api/auth/tokens 401': (t) => setJsonBody(t, { username: 'alice', password: 'not-her-password' }),
  'POST /api/auth/tokens 413': oversized,
  'POST /api/auth/tokens 415': textBody,

  'POST /api/auth/tokens/refresh 200': (t) => {
    if (!chain.refreshToken) throw new Error('no refresh token was chained from POST /api/auth/tokens 200');
    setJsonBody(t, { refreshToken: chain.refreshToken });
  },
  'POST /api/auth/tokens/refresh 400': (t) => setJsonBody(t, { refreshToken: 42 }),
  'POST /api/auth/tokens/refresh 401': (t) => {
    if (!chain.rotatedRefreshToken) throw new Error('no rotated refresh token was chained from POST /api/auth/tokens/refresh 200');
    setJsonBody(t, { refreshToken: chain.rotatedRefreshToken });
  },
  'POST /api/auth/tokens/refresh 413': oversized,
  'POST /api/auth/tokens/refresh 415': textBody,

  'GET /api/stateless/me 200': (t) => {
    if (!chain.accessToken) throw new Error('no access token was chained from POST /api/auth/tokens 200');
    setHeader(t, 'Authorization', `Bearer ${chain.accessToken}`);
  },
  'GET /api/stateless/me 401': (t) => setHeader(t, 'Authorization', 'Bearer not.a.token'),

  'POST /api/stateful/sessions 400': (t) => setJsonBody(t, { username: 'bob', password: 12345 }),
  'POST /api/stateful/sessions 401': (t) => setJsonBody(t, { username: 'bob', password: 'not-his-password' }),
  'POST /api/stateful/sessions 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },
  'POST /api/stateful/sessions 413': oversized,
  'POST /api/stateful/sessions 415': textBody,

  'GET /api/stateful/sessions/current 200': withChainedSession,
  'GET /api/stateful/sessions/current 401': noSession,
  'DELETE /api/stateful/sessions/current 401': (t) => cookie(t, UNKNOWN_SID),
  'DELETE /api/stateful/sessions/current 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },

  'GET /api/stateful/counter 200': withChainedSession,
  'GET /api/stateful/counter 401': noSession,
  'POST /api/stateful/counter/increment 200': withChainedSession,
  // The only input of this operation is its headers: an Idempotency-Key off the contract's pattern.
  'POST /api/stateful/counter/increment 400': (t) => { withChainedSession(t); setHeader(t, 'Idempotency-Key', 'has space'); },
  'POST /api/stateful/counter/increment 401': noSession,
  'POST /api/stateful/counter/increment 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },
  // It reads no body, but one sent anyway still has to be received: past the limit it is refused.
  'POST /api/stateful/counter/increment 413': (t) => { withChainedSession(t); oversized(t); },

  'GET /api/stateful/cart 200': withChainedSession,
  'GET /api/stateful/cart 401': (t) => cookie(t, UNKNOWN_SID),
  'POST /api/stateful/cart/items 200': withChainedSession,
  'POST /api/stateful/cart/items 400': (t) => { withChainedSession(t); setJsonBody(t, { productId: 'kb-001', quantity: 0 }); },
  'POST /api/stateful/cart/items 401': noSession,
  'POST /api/stateful/cart/items 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },
  'POST /api/stateful/cart/items 413': (t) => { withChainedSession(t); oversized(t); },
  'POST /api/stateful/cart/items 415': (t) => { withChainedSession(t); textBody(t); },
  'POST /api/stateful/cart/items 422': (t) => { withChainedSession(t); setJsonBody(t, { productId: 'zz-999', quantity: 1 }); },

  'DELETE /api/stateful/cart/items/{productId} 400': (t) => { withChainedSession(t); t.request.uri = '/api/stateful/cart/items/..%2F..%2Fetc%2Fpasswd'; t.fullPath = t.request.uri; },
  'DELETE /api/stateful/cart/items/{productId} 401': noSession,
  'DELETE /api/stateful/cart/items/{productId} 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },
  'DELETE /api/stateful/cart/items/{productId} 413': (t) => { withChainedSession(t); oversized(t); t.request.uri = '/api/stateful/cart/items/kb-001'; t.fullPath = t.request.uri; },
  'DELETE /api/stateful/cart/items/{productId} 404': (t) => { withChainedSession(t); t.request.uri = '/api/stateful/cart/items/zz-999'; t.fullPath = t.request.uri; },
};

/** A key first used on the chained session for another request: the transaction reuses it (422). */
async function reuseKeyFrom(t, method, path, body) {
  withChainedSession(t);
  const key = freshKey('reused');
  const first = await call(method, path, { body, headers: { cookie: chain.sessionCookie, 'x-csrf-token': chain.csrfToken, 'idempotency-key': key } });
  if (first.status !== 200) throw new Error(`the first request with the key failed: HTTP ${first.status}`);
  setHeader(t, 'Idempotency-Key', key);
}

/** Steps that need side requests before the transaction. */
const beforeAsync = {
  'POST /api/stateful/counter/increment 422': (t) => reuseKeyFrom(t, 'POST', '/api/stateful/cart/items', { productId: 'kb-001', quantity: 1 }),
  'DELETE /api/stateful/cart/items/{productId} 422': async (t) => {
    await reuseKeyFrom(t, 'POST', '/api/stateful/counter/increment');
    t.request.uri = '/api/stateful/cart/items/kb-001';
    t.fullPath = t.request.uri;
  },
  'DELETE /api/stateful/sessions/current 204': async (t) => {
    // End a session of its own, so the chained one lives on for the transactions after this.
    const { cookie: ended, csrfToken } = await newGuestSession();
    chain.endedSessionCookie = ended;
    cookie(t, ended);
    csrf(t, csrfToken);
  },
  'DELETE /api/stateful/cart/items/{productId} 200': async (t) => {
    withChainedSession(t);
    const added = await call('POST', '/api/stateful/cart/items', {
      body: { productId: 'kb-001', quantity: 1 },
      headers: { cookie: chain.sessionCookie, 'x-csrf-token': chain.csrfToken },
    });
    if (added.status !== 200) throw new Error(`could not put kb-001 in the cart: HTTP ${added.status}`);
    t.request.uri = '/api/stateful/cart/items/kb-001';
    t.fullPath = t.request.uri;
  },
  'POST /api/auth/tokens 429': () => exhaustRateLimit('POST', '/api/auth/tokens'),
  'POST /api/auth/tokens/refresh 429': () => exhaustRateLimit('POST', '/api/auth/tokens/refresh'),
  'POST /api/stateful/sessions 429': () => exhaustRateLimit('POST', '/api/stateful/sessions'),
};

module.exports = { before, beforeAsync, withChainedSession, ownIdempotencyKey };
