/**
 * After a transaction: carry its state forward (tokens, the session cookie), and check what a
 * schema cannot (a reused refresh token revokes its family, an ended session stays ended, …).
 */
const { chain, call, sidCookieFrom } = require('./lib.cjs');

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
    const { value } = JSON.parse(t.real.body);
    const read = await call('GET', '/api/stateful/counter', { headers: { cookie: chain.sessionCookie } });
    if (read.json().value !== value) t.fail = 'the counter read back differs from the value the increment returned';
    // Resent with its Idempotency-Key, the increment must answer the same value and count nothing.
    const key = Object.entries(t.request.headers).find(([name]) => name.toLowerCase() === 'idempotency-key')?.[1];
    if (key === undefined) return;
    const resent = await call('POST', '/api/stateful/counter/increment', { headers: { cookie: chain.sessionCookie, 'x-csrf-token': chain.csrfToken, 'idempotency-key': key } });
    if (resent.status !== 200 || resent.json().value !== value || resent.headers.get('idempotent-replayed') !== 'true') t.fail = `a resent increment was not replayed: HTTP ${resent.status} ${resent.text}`;
    const after = await call('GET', '/api/stateful/counter', { headers: { cookie: chain.sessionCookie } });
    if (after.json().value !== value) t.fail = 'a resent increment counted twice';
  },
  'POST /api/stateful/counter/increment 422': async (t) => {
    if (JSON.parse(t.real.body).code !== 'IDEMPOTENCY_KEY_REUSED') t.fail = 'a key reused for another request must answer IDEMPOTENCY_KEY_REUSED';
  },
  'DELETE /api/stateful/cart/items/{productId} 422': async (t) => {
    if (JSON.parse(t.real.body).code !== 'IDEMPOTENCY_KEY_REUSED') t.fail = 'a key reused for another request must answer IDEMPOTENCY_KEY_REUSED';
  },
  'GET /metrics 200': async (t) => {
    if (!/^# TYPE http_requests_total counter$/m.test(t.real.body)) t.fail = 'the metrics lack http_requests_total';
  },
};

module.exports = { after };
