/**
 * The restart lesson refuses to teach from a phase that would not start a session: it says what
 * the phase answered instead of reporting a lesson about nothing. (The lesson itself runs on both
 * real phases in `npm start`, runner/test/start.test.ts.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLesson } from '../src/restart-lesson.ts';

let server: Server;
let url = '';

beforeAll(async () => {
  // Signs in, but has no room for a session: 503, as a phase whose store is down answers.
  server = createServer((req, res) => {
    req.resume();
    const busy = req.url === '/api/stateful/sessions';
    res.writeHead(busy ? 503 : 200, { 'content-type': busy ? 'application/problem+json' : 'application/json' })
      .end(JSON.stringify(busy ? { status: 503, code: 'DEPENDENCY_UNAVAILABLE' } : { accessToken: 'a' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }));

describe('the restart lesson', () => {
  it('says what a phase answered when it would not start a session, and restarts nothing', async () => {
    let restarted = false;
    const target = { url, restart: () => { restarted = true; return Promise.resolve(url); }, stop: () => Promise.resolve() };
    await expect(runLesson('stand-in', target)).rejects.toThrow('stand-in: a new session answered 503');
    expect(restarted).toBe(false);
  });
});
