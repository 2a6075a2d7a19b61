/** Idempotency-Key retries through Express and the Map store. */
import request from 'supertest';
import { describeIdempotentRetries } from 'core/test-suites';
import { startSession, testApp } from '../helpers.ts';

describeIdempotentRetries('phase 1 (Express, sessions in a Map)', () => {
  let now = Date.now();
  const { app, sessions } = testApp({}, { now: () => now });
  return Promise.resolve({
    sessions,
    advance: (ms: number) => { now += ms; },
    startSession: async () => {
      const client = await startSession(app);
      return { ...client, id: client.cookie.slice('sid='.length) };
    },
    send: async (method, path, { headers, body }) => {
      const pending = (method === 'POST' ? request(app).post(path) : request(app).delete(path)).set(headers);
      const response = body === undefined ? await pending : await pending.send(body as object);
      return { status: response.status, headers: response.headers, body: response.body as unknown };
    },
  });
});
