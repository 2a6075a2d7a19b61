/** What the hook modules share: the target, the state chained between transactions, HTTP helpers. */
const target = process.env.CONTRACT_TARGET;
if (!target) throw new Error('the Dredd hooks need CONTRACT_TARGET');

/** State carried from one transaction to the next. */
const chain = {
  sessionCookie: null, // `sid=...` of bob's signed-in session, from the 201 of POST /api/stateful/sessions
  csrfToken: null,
  accessToken: null, // from POST /api/auth/tokens
  refreshToken: null,
  rotatedRefreshToken: null, // the token a successful refresh replaced: presenting it again is reuse
  endedSessionCookie: null, // a session the 204 of DELETE /sessions/current ended
};

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

module.exports = { target, chain, keyOf, setHeader, setJsonBody, call, sidCookieFrom, newGuestSession, waitFor, sleep, withDone };
