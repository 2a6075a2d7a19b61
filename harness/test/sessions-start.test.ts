/**
 * startSessions, which the fault tests use to make their sessions: a 503 (a store still settling)
 * is waited out, anything else is refused at once, and so is a 503 past the deadline. The server is
 * a stand-in that answers as told: what is under test is the client's handling of the answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessions } from '../src/load.ts';

let server: Server;
let url = '';
/** The statuses the next session starts get, in order; 201 once they run out. */
let script: number[] = [];
let made = 0;

beforeAll(async () => {
  server = createServer((_request, response) => {
    const status = script.shift() ?? 201;
    if (status !== 201) {
      response.writeHead(status, { 'content-type': 'application/problem+json' }).end('{}');
      return;
    }
    made += 1;
    response.writeHead(201, { 'content-type': 'application/json', 'set-cookie': `sid=s${made}; Path=/; HttpOnly` }).end(JSON.stringify({ csrfToken: `c${made}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => { server.close(() => { resolve(); }); }));

describe('startSessions', () => {
  it('waits out 503s and returns as many sessions as asked', async () => {
    script = [503, 503];
    made = 0;
    expect(await startSessions(url, 2)).toEqual([{ cookie: 'sid=s1', csrf: 'c1' }, { cookie: 'sid=s2', csrf: 'c2' }]);
    expect(script).toEqual([]);
  });

  it('refuses any other status at once, and a 503 that outlasts the deadline', async () => {
    script = [429];
    await expect(startSessions(url, 1)).rejects.toThrow('could not start a session: 429');
    script = [503, 503, 503, 503, 503];
    await expect(startSessions(url, 1, 0)).rejects.toThrow('could not start a session: 503');
  });
});
