/** Core's sign-in-attempts suites against phase 1: core's Map store, and the limit through Express. */
import request from 'supertest';
import { describeSignInAttempts, describeUserSignInLimit } from 'core/test-suites';
import { MemorySignInAttempts } from 'core';
import { testApp } from '../helpers.ts';

describeSignInAttempts('MemorySignInAttempts (a Map)', (max, windowSeconds) => Promise.resolve(new MemorySignInAttempts(max, windowSeconds)));

describeUserSignInLimit('phase 1', () => {
  // Phase 1 trusts no proxy, so every test client has one address: the per-address limit is off
  // here, so that only the per-username limit decides.
  const { app } = testApp({ AUTH_USER_ATTEMPTS_MAX: '3', AUTH_RATE_LIMIT_MAX: '0' });
  return Promise.resolve(async (operation, _client, username, password) => {
    const res = await request(app).post(operation === 'issueTokens' ? '/api/auth/tokens' : '/api/stateful/sessions').send({ username, password });
    return { status: res.status, code: (res.body as { code?: string }).code, retryAfter: res.headers['retry-after'] };
  });
});
