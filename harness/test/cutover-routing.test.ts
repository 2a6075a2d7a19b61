/**
 * The public entry during the cutover (docs/decisions/0011-cutover-by-lazy-handover.md): one nginx,
 * the same URL, users split between the phases by their session cookie. What is under test is
 * nginx's routing, so the phases behind it are stand-ins that say which one answered; the real
 * phases' handover of a session between them is another matter.
 */
import { createServer, type Server } from 'node:http';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cleanup } from '../src/cleanup.ts';
import { phaseShares, startNginx, type RunningNginx } from '../src/infra/nginx.ts';

const cleanup = new Cleanup();
const servers: Server[] = [];

async function standIn(name: string): Promise<number> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'x-served-by': name }).end('{}');
  });
  // Closes an idle connection after nginx would (its upstream keep-alive is 1 s).
  server.keepAliveTimeout = 65_000;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

let entry: RunningNginx;
let ca: Buffer;
/** A thousand users, each with its own session cookie. */
const users = Array.from({ length: 1000 }, () => `sid=${randomBytes(32).toString('base64url')}`);

beforeAll(async () => {
  const phase1 = await standIn('phase1');
  const phase2 = await standIn('phase2');
  entry = await startNginx(cleanup, [{ port: phase2 }], { bodyLimitBytes: 16_384, phase1: { port: phase1 } });
  ca = readFileSync(entry.caFile);
});
afterAll(async () => {
  await cleanup.run();
  for (const server of servers) server.close();
});

/**
 * Which phase answered, on a connection of its own: a reload leaves a kept-alive connection with
 * the old worker (and its old shares) until that worker closes it, and what is under test here is
 * where nginx sends a request under the shares it was last given.
 */
function servedBy(cookie?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${entry.url}/api/stateful/counter`, { agent: false, ca, headers: cookie === undefined ? {} : { cookie } }, (res) => {
      res.resume();
      res.on('end', () => { resolve(String(res.headers['x-served-by'])); });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The users phase 2 answers at the current shares, asked ten at a time. */
async function onPhase2(): Promise<Set<string>> {
  const moved = new Set<string>();
  for (let i = 0; i < users.length; i += 10) {
    const batch = users.slice(i, i + 10);
    const answers = await Promise.all(batch.map(async (cookie) => [cookie, await servedBy(cookie)] as const));
    for (const [cookie, by] of answers) {
      if (by !== 'phase1' && by !== 'phase2') throw new Error(`${cookie} was answered by ${by}`);
      if (by === 'phase2') moved.add(cookie);
    }
  }
  return moved;
}

describe('the public entry during the cutover', () => {
  it('starts with every user on phase 1', async () => {
    expect((await onPhase2()).size).toBe(0);
  });

  it('moves about the share asked to phase 2, each user to one phase whatever request it sends', async () => {
    await entry.setPhase2Share(10);
    const tenth = await onPhase2();
    // 1,000 users, p = 0.1: the count lies within 4 % to 16 % with room to spare (six standard deviations).
    expect(tenth.size).toBeGreaterThan(40);
    expect(tenth.size).toBeLessThan(160);
    const sample = [...tenth].slice(0, 20);
    for (const cookie of sample) expect(await servedBy(cookie)).toBe('phase2');
  });

  it('keeps every user a smaller share had moved when the share grows, and moves only the ones it adds', async () => {
    await entry.setPhase2Share(10);
    const tenth = await onPhase2();
    await entry.setPhase2Share(50);
    const half = await onPhase2();
    expect(half.size).toBeGreaterThan(400);
    expect(half.size).toBeLessThan(600);
    expect([...tenth].filter((cookie) => !half.has(cookie))).toEqual([]);
    await entry.setPhase2Share(100);
    expect((await onPhase2()).size).toBe(users.length);
  });

  it('spreads requests with no session by the same shares (by their request id)', async () => {
    await entry.setPhase2Share(50);
    const answers: string[] = [];
    for (let i = 0; i < 100; i += 1) answers.push(await servedBy());
    expect(new Set(answers)).toEqual(new Set(['phase1', 'phase2']));
  });

  it('takes a share only as a whole percentage from 0 to 100', async () => {
    expect(phaseShares(0)).toBe('* phase1;');
    expect(phaseShares(100)).toBe('* phase2;');
    expect(phaseShares(10)).toBe('10% phase2;\n    * phase1;');
    for (const wrong of [-1, 101, 2.5]) expect(() => phaseShares(wrong)).toThrow('a whole percentage from 0 to 100');
    await expect(entry.setPhase2Share(150)).rejects.toThrow('a whole percentage from 0 to 100');
  });
});
