/**
 * Scenario 6, the phases beside the session stacks most Node apps use: express-session and
 * @fastify/session, each with connect-redis, on the same Redis as phase 2. The same requests on
 * every stack: a session read and an increment, every connection on one shared session (throughput
 * and p99); then what each keeps: increments acknowledged against the counter read back (lost
 * updates), and sessions that come back after their user logged out, brought back by a request
 * that was still running (resurrection).
 */
import { Cleanup, startProcess } from 'harness';
import { fileURLToPath } from 'node:url';
import { measure, run, type RequestSpec } from '../measure.ts';
import type { LoadParameters, PeerRow } from '../results.ts';
import { session, type Environment, type Target } from '../environment.ts';

export const READ = 'stateful counter read';
export const INCREMENT = 'stateful increment';
/** Increments sent while each logout is. */
const IN_FLIGHT = 4;

async function startPeer(cleanup: Cleanup, name: string, file: string, redisUrl: string): Promise<Target> {
  const { process: child, match } = await startProcess({
    name,
    command: process.execPath,
    args: ['--import', 'tsx', fileURLToPath(new URL(`../targets/${file}`, import.meta.url))],
    env: { ...process.env, REDIS_URL: redisUrl },
    readyLine: /listening on (http:\/\/[\d.]+:\d+)/,
  });
  cleanup.add(`stop ${name}`, () => child.stop());
  return { name, url: match?.[1] ?? '', kind: 'baseline' };
}

const readSpec = (s: { cookie: string }): RequestSpec[] => [{ method: 'GET', path: '/api/stateful/counter', template: '/api/stateful/counter', headers: { cookie: s.cookie } }];
const incrementSpec = (s: { cookie: string; csrf: string }): RequestSpec[] => [{ method: 'POST', path: '/api/stateful/counter/increment', template: '/api/stateful/counter/increment', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } }];

async function counterOf(url: string, s: { cookie: string }): Promise<number | null> {
  const response = await fetch(`${url}/api/stateful/counter`, { headers: { cookie: s.cookie } });
  const body = (await response.json()) as { value?: number };
  return response.status === 200 && typeof body.value === 'number' ? body.value : null;
}

/** Increments on one shared session for `seconds`, then the counter read back against the 200s. */
export async function lostUpdates(url: string, load: LoadParameters, seconds: number): Promise<{ acknowledged: number; finalValue: number }> {
  const s = await session(url);
  const round = await run(url, incrementSpec(s), load, seconds);
  const acknowledged = Object.entries(round.statusCounts).filter(([status]) => status.startsWith('2')).reduce((n, [, count]) => n + count, 0);
  return { acknowledged, finalValue: (await counterOf(url, s)) ?? 0 };
}

/** Logouts sent while increments of the same session are in flight; how many sessions answer again afterwards. */
export async function resurrections(url: string, trials: number): Promise<number> {
  let resurrected = 0;
  for (let i = 0; i < trials; i += 1) {
    const s = await session(url);
    const headers = { cookie: s.cookie, 'x-csrf-token': s.csrf };
    const inFlight = Array.from({ length: IN_FLIGHT }, () => fetch(`${url}/api/stateful/counter/increment`, { method: 'POST', headers }).then((r) => r.arrayBuffer()));
    const logout = await fetch(`${url}/api/stateful/sessions/current`, { method: 'DELETE', headers });
    await logout.arrayBuffer();
    await Promise.allSettled(inFlight);
    if ((await counterOf(url, s)) !== null) resurrected += 1;
  }
  return resurrected;
}

/** Phase 2's session store: its one Redis, or the primary the Sentinels name now (the peers write where phase 2 does). */
export async function sessionStoreUrl(env: Pick<Environment, 'topology'>): Promise<string> {
  const { redis, redisHa } = env.topology.stack;
  if (redis) return redis.url;
  const primary = await redisHa?.currentPrimary();
  if (!primary) throw new Error('no Redis primary for the peers: the Sentinels name none');
  return `redis://127.0.0.1:${primary.port}`;
}

export async function runPeers(env: Environment, load: LoadParameters, trials: number, progress: (label: string) => void): Promise<PeerRow[]> {
  const cleanup = new Cleanup();
  try {
    const redisUrl = await sessionStoreUrl(env);
    const targets = [
      env.targets.phase2Direct,
      env.targets.phase1,
      await startPeer(cleanup, 'express-session + connect-redis', 'express-session.ts', redisUrl),
      await startPeer(cleanup, '@fastify/session + connect-redis', 'fastify-session.ts', redisUrl),
    ];
    const rows: PeerRow[] = [];
    for (const target of targets) {
      progress(target.name);
      const s = await session(target.url);
      const read = await measure(READ, target.name, target.url, readSpec(s), load, null);
      const increment = await measure(INCREMENT, target.name, target.url, incrementSpec(s), load, null);
      const { acknowledged, finalValue } = await lostUpdates(target.url, load, load.roundSeconds);
      rows.push({
        target: target.name,
        read,
        increment,
        acknowledged,
        finalValue,
        lostUpdates: Math.max(0, acknowledged - finalValue),
        resurrected: await resurrections(target.url, trials),
        trials,
      });
    }
    return rows;
  } finally {
    await cleanup.run();
  }
}
