/**
 * Core's sign-in-attempts suites against phase 1: core's Map store, and the limits through
 * Express, each test client from an address of its own on the loopback network (127.0.0.N).
 */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';
import { describeSignInAttempts, describeUserSignInLimit } from 'core/test-suites';
import { MemorySignInAttempts } from 'core';
import { testApp } from '../helpers.ts';

describeSignInAttempts('MemorySignInAttempts (a Map)', (max, windowSeconds) => Promise.resolve(new MemorySignInAttempts(max, windowSeconds)));

const closers: (() => void)[] = [];
afterAll(() => { for (const close of closers) close(); });

describeUserSignInLimit('phase 1', async () => {
  // Phase 1 trusts no proxy: the socket's peer is the client. The per-address limit is off here,
  // so that only the per-username limits decide.
  const { app } = testApp({ AUTH_USER_ATTEMPTS_MAX: '3', AUTH_RATE_LIMIT_MAX: '0' });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => server.close());
  const { port } = server.address() as AddressInfo;
  return (operation, client, username, password) => new Promise((resolve, reject) => {
    const body = JSON.stringify({ username, password });
    const path = operation === 'issueTokens' ? '/api/auth/tokens' : '/api/stateful/sessions';
    const sent = request({ host: '127.0.0.1', port, path, method: 'POST', localAddress: `127.0.0.${String(client)}`, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        resolve({ status, code: status >= 400 ? (JSON.parse(text) as { code?: string }).code : undefined, retryAfter: res.headers['retry-after'] });
      });
    });
    sent.on('error', reject);
    sent.end(body);
  });
});
