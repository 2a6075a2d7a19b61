/**
 * Dredd hooks shared by both phases. Dredd compiles one transaction per documented response, 4xx
 * and 503 included; these hooks build, for each, the request that really produces that response,
 * and chain the stateful flows (session cookie and CSRF token, access and refresh tokens) from the
 * transactions that create them to the ones that use them.
 *
 * Dredd runs hooks in its own process as CommonJS. A hook with two parameters gets a `done`
 * callback (an async one-parameter hook would not be awaited). The runner passes:
 *   CONTRACT_TARGET      the base URL Dredd tests (hooks make side requests to it)
 *   MAINTENANCE_FILE     the file whose existence puts the phase in maintenance mode (503)
 */
const hooks = require('hooks');
const { readFileSync, writeFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('yaml');

const target = process.env.CONTRACT_TARGET;
const maintenanceFile = process.env.MAINTENANCE_FILE;
if (!target || !maintenanceFile) throw new Error('hooks.cjs needs CONTRACT_TARGET and MAINTENANCE_FILE');

/** State carried from one transaction to the next. */
const chain = {
  sessionCookie: null, // `sid=...` of bob's signed-in session, from the 201 of POST /api/stateful/sessions
  csrfToken: null,
  accessToken: null, // from POST /api/auth/tokens
  refreshToken: null,
  rotatedRefreshToken: null, // the token a successful refresh replaced: presenting it again is reuse
  endedSessionCookie: null, // a session the 204 of DELETE /sessions/current ended
};

const WRONG_CSRF = 'not-the-session-csrf-token';
const UNKNOWN_SID = 'sid=this-session-was-never-created';
/** Larger than the 16 KiB body limit both phases use. */
const OVERSIZED_JSON = JSON.stringify({ padding: 'x'.repeat(20 * 1024) });

// ---------------------------------------------------------------------------------------------
// Small helpers

function keyOf(transaction) {
  const [path, , status] = transaction.name.split(' > ');
  return `${transaction.request.method} ${path} ${status}`;
}

function setHeader(transaction, name, value) {
  for (const existing of Object.keys(transaction.request.headers)) {
    if (existing.toLowerCase() === name.toLowerCase()) delete transaction.request.headers[existing];
  }
  if (value !== undefined) transaction.request.headers[name] = value;
}

function setJsonBody(transaction, value) {
  transaction.request.body = typeof value === 'string' ? value : JSON.stringify(value);
  setHeader(transaction, 'Content-Type', 'application/json');
}

async function call(method, path, { body, headers = {} } = {}) {
  const response = await fetch(new URL(path, target), {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

function sidCookieFrom(setCookie) {
  const match = /(?:^|,\s*)(sid=[^;]*)/.exec(setCookie || '');
  return match ? match[1] : null;
}

async function newGuestSession() {
  const response = await call('POST', '/api/stateful/sessions');
  if (response.status !== 201) throw new Error(`could not start a guest session: HTTP ${response.status} ${response.text}`);
  return { cookie: sidCookieFrom(response.headers.get('set-cookie')), csrfToken: response.json().csrfToken };
}

async function waitFor(description, predicate, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Turns an async hook body into Dredd's callback style, failing the transaction on error. */
function withDone(fn) {
  return (transaction, done) => {
    fn(transaction).then(
      () => done(),
      (error) => {
        transaction.fail = `hook failed: ${error.message}`;
        done();
      },
    );
  };
}

// ---------------------------------------------------------------------------------------------
// Maintenance mode: how every 503 is produced for real. The marker file makes the phase refuse
// traffic; readiness turning 503 (then 200 again) shows the switch took effect.

async function enterMaintenance() {
  writeFileSync(maintenanceFile, 'contract test\n');
  await waitFor('the phase reports maintenance', async () => (await call('GET', '/health/ready')).status === 503);
}

async function leaveMaintenance() {
  rmSync(maintenanceFile, { force: true });
  await waitFor('the phase is ready again', async () => (await call('GET', '/health/ready')).status === 200);
}

// ---------------------------------------------------------------------------------------------
// Rate limits: exhaust the operation's budget with real requests until it answers 429 and the
// window has at least a second left, so the transaction itself lands inside it; afterwards wait
// for the window to end so that later transactions are not limited.

async function exhaustRateLimit(method, path) {
  for (let attempt = 0; attempt < 1000; attempt += 1) {
    const response = await call(method, path, { body: {} });
    if (response.status === 429) {
      const reset = Number(response.headers.get('ratelimit-reset') || response.headers.get('retry-after'));
      if (reset >= 1) return;
      await sleep(1100); // the window is about to close: let it, and start again in a fresh one
    }
  }
  throw new Error(`${method} ${path} never answered 429`);
}

async function waitForRateLimitReset(transaction) {
  const seconds = Number(transaction.real && transaction.real.headers['retry-after']) || 1;
  await sleep(seconds * 1000 + 100);
}

// ---------------------------------------------------------------------------------------------
// The request for each (method, path, status). Statuses whose example request already produces
// them (most 200s) need no entry.

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
  'POST /api/stateful/sessions 413': oversized,
  'POST /api/stateful/sessions 415': textBody,

  'GET /api/stateful/sessions/current 200': withChainedSession,
  'GET /api/stateful/sessions/current 401': noSession,
  'DELETE /api/stateful/sessions/current 401': (t) => cookie(t, UNKNOWN_SID),
  'DELETE /api/stateful/sessions/current 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },

  'GET /api/stateful/counter 200': withChainedSession,
  'GET /api/stateful/counter 401': noSession,
  'POST /api/stateful/counter/increment 200': withChainedSession,
  'POST /api/stateful/counter/increment 401': noSession,
  'POST /api/stateful/counter/increment 403': (t) => { withChainedSession(t); csrf(t, WRONG_CSRF); },

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
  'DELETE /api/stateful/cart/items/{productId} 404': (t) => { withChainedSession(t); t.request.uri = '/api/stateful/cart/items/zz-999'; t.fullPath = t.request.uri; },
};

/** Steps that need side requests before the transaction. */
const beforeAsync = {
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

hooks.beforeEach((transaction, done) => {
  const key = keyOf(transaction);
  const status = transaction.expected.statusCode;
  withDone(async (t) => {
    if (status === '503') {
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

// ---------------------------------------------------------------------------------------------
// After: undo maintenance and rate limits, carry state forward, and check what a schema cannot.

const after = {
  'POST /api/auth/tokens 200': async (t) => {
    const body = JSON.parse(t.real.body);
    chain.accessToken = body.accessToken;
    chain.refreshToken = body.refreshToken;
  },
  'POST /api/auth/tokens/refresh 200': async (t) => {
    const body = JSON.parse(t.real.body);
    chain.rotatedRefreshToken = chain.refreshToken;
    chain.refreshToken = body.refreshToken;
    chain.accessToken = body.accessToken;
  },
  'POST /api/auth/tokens/refresh 401': async (t) => {
    // Reuse revokes the family: the token issued by the refresh above must now be refused too.
    if (JSON.parse(t.real.body).code !== 'REFRESH_TOKEN_REUSED') t.fail = 'reusing a rotated refresh token must answer REFRESH_TOKEN_REUSED';
    const descendant = await call('POST', '/api/auth/tokens/refresh', { body: { refreshToken: chain.refreshToken } });
    if (descendant.status !== 401) t.fail = `after reuse, the family's newest refresh token still works (HTTP ${descendant.status})`;
  },
  'POST /api/stateful/sessions 201': async (t) => {
    chain.sessionCookie = sidCookieFrom(t.real.headers['set-cookie']);
    chain.csrfToken = JSON.parse(t.real.body).csrfToken;
    if (!chain.sessionCookie) t.fail = 'the 201 set no sid cookie';
    else if (!/HttpOnly/i.test(t.real.headers['set-cookie']) || !/SameSite=Lax/i.test(t.real.headers['set-cookie'])) t.fail = 'the sid cookie must be HttpOnly and SameSite=Lax';
  },
  'DELETE /api/stateful/sessions/current 204': async (t) => {
    const reuse = await call('GET', '/api/stateful/sessions/current', { headers: { cookie: chain.endedSessionCookie } });
    if (reuse.status !== 401) t.fail = `the ended session's cookie still works (HTTP ${reuse.status})`;
  },
  'POST /api/stateful/counter/increment 200': async (t) => {
    const read = await call('GET', '/api/stateful/counter', { headers: { cookie: chain.sessionCookie } });
    if (read.json().value !== JSON.parse(t.real.body).value) t.fail = 'the counter read back differs from the value the increment returned';
  },
  'GET /metrics 200': async (t) => {
    if (!/^# TYPE http_requests_total counter$/m.test(t.real.body)) t.fail = 'the metrics lack http_requests_total';
  },
};

// ---------------------------------------------------------------------------------------------
// Response schemas. Dredd's OpenAPI 3 adapter gives gavel only the example body, so gavel would
// check that the example's keys are present and nothing else (an optional field in the example
// would even be demanded). Instead each transaction gets the contract's own schema for that
// response, as JSON Schema: types, enums, required fields and nullability are then all checked.

const contract = parse(readFileSync(join(__dirname, '..', 'openapi.yaml'), 'utf8'));

function resolve(node) {
  let current = node;
  while (current && typeof current.$ref === 'string') {
    current = current.$ref.slice(2).split('/').reduce((at, part) => at[part.replace(/~1/g, '/').replace(/~0/g, '~')], contract);
  }
  return current;
}

/** OpenAPI 3.0 schema → JSON Schema draft 7: refs inlined, `nullable` as a null type, docs dropped. */
function toJsonSchema(node) {
  const schema = resolve(node);
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key === 'nullable' || key === 'description') continue;
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub)]));
    else if (key === 'items' || key === 'allOf' || key === 'oneOf' || key === 'anyOf') out[key] = toJsonSchema(value);
    else out[key] = value;
  }
  if (schema.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}

function responseSchema(transaction) {
  const [path, , status, mediaType] = transaction.name.split(' > ');
  const operation = contract.paths[path] && contract.paths[path][transaction.request.method.toLowerCase()];
  const response = operation && resolve(operation.responses[status]);
  const media = response && response.content && response.content[mediaType];
  return media && media.schema ? { $schema: 'http://json-schema.org/draft-07/schema#', ...toJsonSchema(media.schema) } : null;
}

hooks.beforeEachValidation((transaction) => {
  const schema = responseSchema(transaction);
  if (schema && schema.type === 'object') transaction.expected.bodySchema = schema;

  // Gavel compares Content-Type as a whole string, so `application/json; charset=utf-8` would not
  // match `application/json`. The charset parameter is legal (and UTF-8 is JSON's only encoding),
  // so only that parameter is dropped before comparing; any other difference still fails.
  const real = transaction.real && transaction.real.headers;
  if (real && typeof real['content-type'] === 'string') real['content-type'] = real['content-type'].replace(/;\s*charset=utf-8$/i, '');
  // /metrics is a text format whose content changes with every scrape; the after hook checks it.
  if (keyOf(transaction) === 'GET /metrics 200') delete transaction.expected.body;
});

hooks.afterEach((transaction, done) => {
  const key = keyOf(transaction);
  const status = transaction.expected.statusCode;
  withDone(async (t) => {
    if (status === '503') await leaveMaintenance();
    if (status === '429') await waitForRateLimitReset(t);
    const step = after[key];
    if (step && t.real) await step(t);
  })(transaction, done);
});

hooks.afterAll((transactions, done) => {
  rmSync(maintenanceFile, { force: true });
  done();
});
