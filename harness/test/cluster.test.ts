/**
 * `npm run up -- --redis cluster --postgres replica`, run as a user runs it: phase 2 past one
 * primary of each kind. A Redis Cluster of three shards (three primaries, three replicas,
 * redis-server in cluster mode), and PostgreSQL with a streaming replica serving the catalog's
 * reads and PgBouncer (transaction mode) in front of the primary. Sessions spread over the shards;
 * then every Redis fault hits one shard, through `npm run fault` and the control server the
 * console's buttons use, while twelve writers each increment a session of their own. The shard
 * that lost its replica takes no write while the others go on. Then the replica, PgBouncer and the
 * primary go down in turn: the catalog answers from whichever still can, what needs the primary
 * answers 503, and the sessions never notice. At the end every counter is read back against what
 * its writer was told (the durability count the Sentinel topology gets in ha.test.ts). Its own
 * LAB_STATE_FILE keeps it apart from up.test.ts's lab, which may run beside it, and --no-lab leaves
 * the monitoring and the virtual users to that test.
 */
import { sessionKey } from 'phase2-production/session-keys';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readUpState } from '../src/control.ts';
import { repoRoot } from '../src/paths.ts';
import { waitForOutput } from './npm-up.ts';
import { trustLabCa } from '../src/infra/tls.ts';
import { parseClusterNodes } from '../src/infra/redis-cluster.ts';
import { askRedis } from '../src/infra/redis-probe.ts';
import { checkAcknowledged, sessionWriters, startSessions, type SessionClient } from '../src/load.ts';
import type { Observation } from '../src/observation.ts';

const labTmp = mkdtempSync(join(tmpdir(), 'lab-cluster-test-'));
const stateFile = join(labTmp, 'up.json');
let up: ChildProcess | null = null;
let output = '';

afterAll(() => {
  // Only if the test failed before Ctrl-C: the group this test started, by its own id.
  if (up?.pid !== undefined && up.exitCode === null && up.signalCode === null) process.kill(-up.pid, 'SIGKILL');
  rmSync(labTmp, { recursive: true, force: true });
});

const waitFor = (pattern: RegExp, timeoutMs: number) => waitForOutput(() => output, () => up, pattern, timeoutMs);

/** A command's exit status and output, without blocking this process's event loop. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { ...options, timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));


describe('npm run up -- --redis cluster --postgres replica --instances 2 --no-lab', () => {
  it('serves phase 2 from three shards and a PostgreSQL replica behind PgBouncer, and loses no acknowledged write while each Redis fault hits one shard and each PostgreSQL part goes down', async () => {
    // The sign-in limit off: every session here comes from 127.0.0.1 (the limit is tested on its own).
    const env = { ...process.env, LAB_STATE_FILE: stateFile, AUTH_RATE_LIMIT_MAX: '0' };
    // A shape it does not have is refused before anything starts.
    const unknown = await run('npm', ['run', 'up', '--', '--redis', 'raft'], { cwd: repoRoot, env });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('up: --redis is one of single, sentinel, cluster, not raft');
    const noPostgres = await run('npm', ['run', 'up', '--', '--postgres', 'sharded'], { cwd: repoRoot, env });
    expect(noPostgres.status).toBe(2);
    expect(noPostgres.stderr).toContain('up: --postgres is one of single, replica, not sharded');
    // Its own process group, so Ctrl-C reaches npm, the shell and the harness as in a terminal.
    up = spawn('npm', ['run', 'up', '--', '--redis', 'cluster', '--postgres', 'replica', '--instances', '2', '--no-lab'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => { output += chunk.toString(); };
    up.stdout?.on('data', collect);
    up.stderr?.on('data', collect);
    const closed = new Promise<void>((resolve) => up?.once('close', () => { resolve(); }));

    await waitFor(/Press Ctrl-C to stop/, 240_000);
    const phase2 = (await waitFor(/^phase2: (https:\/\/\S+)$/m, 1000))[1] ?? '';
    trustLabCa((await waitFor(/curl --cacert (\S+) https:/, 1000))[1] ?? '');
    // Three shards, each a primary and its replica, as the harness prints them.
    const line = (await waitFor(/^\s+redis cluster, (\d+) shards: (.*)$/m, 1000));
    expect(line[1]).toBe('3');
    const printed = [...(line[2] ?? '').matchAll(/(redis-\d+):(\d+) \(replica (redis-\d+):(\d+)\)/g)];
    expect(printed).toHaveLength(3);
    const ports = new Map(printed.flatMap((m) => [[m[1] ?? '', Number(m[2])], [m[3] ?? '', Number(m[4])]] as [string, number][]));
    const nodeNames = [...ports.keys()];
    expect(nodeNames).toHaveLength(6);
    expect(output).toMatch(/^\s+postgres streaming replica postgres:\/\/\S+ \(the catalog's reads\), pgbouncer postgres:\/\/\S+ \(transaction mode, in front of the primary\)$/m);
    expect(output).toContain('lab: off (--no-lab)');
    const { controlUrl, actions } = readUpState(stateFile);
    // The Sentinels' actions are not offered: a cluster has none.
    expect(actions).toEqual(expect.arrayContaining(['kill-redis-primary', 'restart-redis', 'fast-restart-redis-primary', 'pause-redis-primary', 'kill-redis-replica']));
    expect(actions).not.toContain('stop-sentinels');

    /** The primary and the slots of each shard, as a node that answers sees them now. */
    const shardsNow = async () => {
      for (const port of ports.values()) {
        const text = await askRedis(port, (redis) => redis.call('CLUSTER', 'NODES') as Promise<string>);
        if (text !== null) return parseClusterNodes(text).filter((n) => n.primary && !n.failed && n.slots.length > 0);
      }
      throw new Error('no cluster node answers');
    };
    const slotOfSession = async (client: SessionClient) => {
      const id = client.cookie.replace(/^sid=/, '');
      for (const port of ports.values()) {
        const slot = await askRedis(port, (redis) => redis.call('CLUSTER', 'KEYSLOT', sessionKey(id)) as Promise<number>);
        if (slot !== null) return slot;
      }
      throw new Error('no cluster node answers');
    };

    // Sessions spread over every shard (each of 64 buckets hashes to one shard's slots), and the
    // count phase 2 reports covers them all.
    const clients = await startSessions(phase2, 12);
    const shards = await shardsNow();
    const slots = await Promise.all(clients.map(slotOfSession));
    const shardIndex = slots.map((slot) => shards.findIndex((s) => s.slots.some(([from, to]) => slot >= from && slot <= to)));
    const spread = `shards ${JSON.stringify(shards.map((s) => ({ port: s.port, slots: s.slots })))}; sessions' slots ${slots.join(',')}`;
    for (let i = 0; i < shards.length; i += 1) expect(shardIndex.filter((s) => s === i).length, `sessions on shard ${i}: ${spread}`).toBeGreaterThan(0);
    const perShard = await Promise.all(shards.map((s) => askRedis(s.port, async (redis) => ({ keys: await redis.dbsize(), memory: /used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] }))));
    console.log(`[cluster] ${clients.length} writers' sessions over ${shards.length} shards: ${shards.map((s, i) => `:${s.port} ${shardIndex.filter((x) => x === i).length} of them (${String(perShard[i]?.keys)} keys, ${String(perShard[i]?.memory)} bytes used)`).join('; ')}`);
    const stats = (await (await fetch(`${phase2}/api/stateful/stats`)).json()) as { liveSessions: number };
    expect(stats.liveSessions).toBeGreaterThanOrEqual(clients.length);

    const writers = sessionWriters(phase2, clients, { pauseMs: 50, maxMs: 480_000 });
    const tallies = await (async () => {
      const fault = async (action: string, target?: string): Promise<Observation> => {
        const response = await fetch(`${controlUrl}/faults/${action}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(target === undefined ? {} : { target }) });
        const body = (await response.json()) as Observation;
        expect(response.status, JSON.stringify(body)).toBe(200);
        console.log(`[cluster] ${action} ${body.target}: recovered after ${String(body.recoveredAfterMs)} ms; ${body.notes.join('; ')}`);
        return body;
      };
      await settle(1000);

      // The command as the docs quote it. The first shard's primary dies; its replica is elected.
      // Not spawnSync: the writers run in this process, and must go on (and be counted) meanwhile.
      const killed = await run('npm', ['run', 'fault', '--', 'kill-redis-primary', '--json'], { cwd: repoRoot, env });
      expect(killed.status, `${killed.stdout}\n${killed.stderr}`).toBe(0);
      const kill = JSON.parse(killed.stdout.slice(killed.stdout.indexOf('{'))) as Observation;
      console.log(`[cluster] kill-redis-primary ${kill.target}: ${kill.notes.join('; ')}`);
      expect(kill.recoveredAfterMs).not.toBeNull();
      // Until a replica rejoins, its shard's sessions take no acknowledged write; the others' do.
      const killedShard = shards.findIndex((s) => s.port === ports.get(kill.target));
      expect(killedShard).toBeGreaterThanOrEqual(0);
      // Every other shard's writer is acknowledged again (awaited, with a generous bound), while
      // not one write on the shard without a replica is.
      const before = writers.tallies.map((t) => t.acknowledged);
      const progress = () => writers.tallies.map((t, i) => t.acknowledged - (before[i] ?? 0));
      const deadline = Date.now() + 60_000;
      while (!progress().every((p, i) => shardIndex[i] === killedShard || p > 0) && Date.now() < deadline) await settle(200);
      expect(progress().filter((_, i) => shardIndex[i] !== killedShard).every((p) => p > 0), `other shards' writers: ${progress().join(',')}`).toBe(true);
      expect(progress().filter((_, i) => shardIndex[i] === killedShard).every((p) => p === 0), `writes acknowledged on the shard without a replica: ${progress().join(',')}`).toBe(true);
      expect((await fault('restart-redis', kill.target)).notes.join(' ')).toMatch(/rejoined after \d+ ms as replica/);

      const paused = await fault('pause-redis-primary');
      expect(paused.notes.join(' ')).toMatch(/was a replica again after \d+ ms/);
      const replica = await fault('kill-redis-replica');
      await settle(1000);
      expect((await fault('restart-redis', replica.target)).recoveredAfterMs).not.toBeNull();
      expect((await fault('fast-restart-redis-primary')).recoveredAfterMs).not.toBeNull();

      // PostgreSQL's parts, one at a time, the writers still going: sessions need none of them.
      const status = async (path: string, init: RequestInit = {}) => (await fetch(`${phase2}${path}`, init)).status;
      const signIn = () => status('/api/auth/tokens', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'wonderland' }) });
      // Once the instances reach the primary again, a client that retries a 503 signs in: an
      // instance may still hand out a connection that went down with PgBouncer, once.
      const signedInAgain = async () => {
        const deadline = Date.now() + 30_000;
        let answer = await signIn();
        while (answer === 503 && Date.now() < deadline) {
          await settle(500);
          answer = await signIn();
        }
        return answer;
      };
      expect(await signIn()).toBe(200);
      expect((await fault('stop-postgres-replica')).recoveredAfterMs).not.toBeNull();
      expect(await status('/api/products/kb-001')).toBe(200);
      expect(await fault('start-postgres-replica')).toMatchObject({ recoveredAfterMs: expect.any(Number) as unknown });
      // PgBouncer down: the primary is out of reach (sign-in answers 503, as a problem), the
      // catalog answers from the replica.
      expect((await fault('stop-pgbouncer')).recoveredAfterMs).not.toBeNull();
      const refused = await fetch(`${phase2}/api/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'wonderland' }) });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(await status('/api/products/kb-001')).toBe(200);
      expect((await fault('start-pgbouncer')).recoveredAfterMs).not.toBeNull();
      expect(await signedInAgain()).toBe(200);
      // The primary itself down: the replica still serves the catalog.
      expect((await fault('stop-postgres')).recoveredAfterMs).not.toBeNull();
      expect(await status('/api/products?limit=2')).toBe(200);
      expect(await signIn()).toBe(503);
      expect((await fault('start-postgres')).recoveredAfterMs).not.toBeNull();
      expect(await signedInAgain()).toBe(200);
      await settle(1000);
      return writers.stop();
    })();

    const check = await checkAcknowledged(phase2, tallies);
    console.log(`[cluster] durability: ${JSON.stringify({ ...check, details: check.details.slice(0, 5) })}`);
    expect(check.acknowledged).toBeGreaterThan(100);
    expect(check).toMatchObject({ sessionsLost: 0, unreadable: 0, acknowledgedLost: 0, overCounted: 0 });

    // Ctrl-C stops everything it started: no node of the cluster answers any more.
    process.kill(-(up.pid ?? 0), 'SIGINT');
    await closed;
    for (const port of ports.values()) expect(await askRedis(port, (redis) => redis.ping())).toBeNull();
  }, 600_000);
});
