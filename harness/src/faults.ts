/**
 * Breaking things on purpose. Each action acts on processes the harness started (by their own
 * pids), then watches the system until it answers again, and reports what it saw, with times, so
 * benchmarks can measure failovers from it.
 */
import type { ManagedProcess } from './processes.ts';
import { askRedis } from './infra/redis-probe.ts';
import { answers, exited, finish, observation, pidOf, sleep, until, type Observation } from './observation.ts';
import type { CutoverStage } from './cutover.ts';
import type { Phase2Topology, Instance } from './topology.ts';
import type { RedisNode, RunningRedisHa } from './infra/redis-ha.ts';
import type { RunningPhase } from './phases.ts';

export type { Observation } from './observation.ts';

function instance(topology: Phase2Topology, id: string): Instance {
  const found = topology.instances.find((i) => i.id === id);
  if (!found) throw new Error(`no instance ${id}; there are ${topology.instances.map((i) => i.id).join(', ')}`);
  return found;
}

/** The instance and its process, for a fault that acts on the process: refused when it is not running. */
function runningInstance(topology: Phase2Topology, id: string, action: string): { target: Instance; process: ManagedProcess } {
  const target = instance(topology, id);
  if (!target.process) throw new Error(`${action}: ${id} is not running (restart-instance ${id} starts it)`);
  return { target, process: target.process };
}

/** The node the Sentinels name as primary, and its process: refused when they name none, or one that is down already. */
async function runningPrimary(topology: Phase2Topology, action: string): Promise<{ primary: RedisNode; process: ManagedProcess }> {
  const primary = await primaryOf(topology, action);
  const process = primary.process();
  if (!process) throw new Error(`${action}: the Sentinels name ${primary.name} as primary, and it is not running (they have not failed over yet)`);
  return { primary, process };
}

/** Who the Sentinels name as primary now, for a note. */
async function primaryNow(ha: RunningRedisHa): Promise<string> {
  const primary = await ha.currentPrimary();
  return primary ? primary.name : 'no node (no Sentinel names a primary)';
}

/**
 * After a Redis failover: when the last instance wrote again (null if one never did), and, for
 * each that never did, what it last logged: what an operator would look at first.
 */
export function instancesWritingAgain(results: readonly { id: string; ms: number | null; lastLogged: () => string }[]): { recoveredAfterMs: number | null; notes: string[] } {
  const notes = [`every instance writing again: ${results.map(({ id, ms }) => `${id} ${ms === null ? 'never' : `${ms} ms`}`).join(', ')}`];
  let recoveredAfterMs: number | null = 0;
  for (const { id, ms, lastLogged } of results) {
    if (ms === null) {
      recoveredAfterMs = null;
      notes.push(`${id} never wrote again; it last logged: ${lastLogged()}`);
    } else if (recoveredAfterMs !== null) {
      recoveredAfterMs = Math.max(recoveredAfterMs, ms);
    }
  }
  return { recoveredAfterMs, notes };
}


/** kill -9 one instance: no goodbye, connections reset. nginx notices on the next request to it. */
export async function killInstance(topology: Phase2Topology, id: string): Promise<Observation> {
  const { target, process } = runningInstance(topology, id, 'kill-instance');
  const o = observation('kill-instance', id, process);
  process.kill('SIGKILL');
  o.downAfterMs = await exited(process, o.t0);
  target.process = null;
  o.recoveredAfterMs = await until(answers(`${topology.url}/api/stateless/info`), o.t0);
  o.notes.push('the instance stays down until restart-instance');
  return finish(o);
}

/** SIGTERM one instance: it drains (503 + Connection: close to new requests, in-flight ones finish) and exits. */
export async function stopInstance(topology: Phase2Topology, id: string): Promise<Observation> {
  const { target, process } = runningInstance(topology, id, 'stop-instance');
  const o = observation('stop-instance', id, process);
  process.kill('SIGTERM');
  o.downAfterMs = await exited(process, o.t0);
  o.notes.push(`exit code ${String((await process.exit).code)}`);
  target.process = null;
  o.recoveredAfterMs = await until(answers(`${topology.url}/api/stateless/info`), o.t0);
  return finish(o);
}

export async function restartInstance(topology: Phase2Topology, id: string): Promise<Observation> {
  const target = instance(topology, id);
  const o = observation('restart-instance', id, target.process);
  if (target.process) {
    await target.process.stop();
    o.downAfterMs = Math.round(performance.now() - o.t0);
  }
  await topology.startInstance(target);
  o.pid = pidOf(target.process);
  o.recoveredAfterMs = Math.round(performance.now() - o.t0);
  o.notes.push(`new pid ${String(o.pid)}, ready`);
  return finish(o);
}

/**
 * Every instance in turn: stopped gracefully (it refuses new connections, which nginx retries on
 * another instance, and serves what arrives on open ones), started again on the same port, ready;
 * only then the next. nginx is not reloaded: a reload closes clients' idle keep-alive connections,
 * and a client sending on one at that instant gets no answer.
 */
export async function rollingRestart(topology: Phase2Topology): Promise<Observation> {
  const o = observation('rolling-restart', topology.instances.map((i) => i.id).join(','), null);
  for (const target of topology.instances) {
    const step = performance.now();
    await target.process?.stop();
    await topology.startInstance(target);
    o.notes.push(`${target.id}: replaced in ${Math.round(performance.now() - step)} ms (pid ${String(target.process?.pid)})`);
  }
  o.recoveredAfterMs = Math.round(performance.now() - o.t0);
  return finish(o);
}

/** kill -9 the Redis primary. The Sentinels promote the replica; writes resume when the app follows. */
export async function killRedisPrimary(topology: Phase2Topology): Promise<Observation> {
  const { primary, process } = await runningPrimary(topology, 'kill-redis-primary');
  const ha = sentinelTopology(topology, 'kill-redis-primary');
  const o = observation('kill-redis-primary', primary.name, process);
  process.kill('SIGKILL');
  o.downAfterMs = await exited(process, o.t0);
  await primary.stop();
  // Writes resumed: a session can be created (a write, WAITed for) through nginx, and then on
  // every instance, each of which follows the failover on its own.
  const write = (url: string) => answers(`${url}/api/stateful/sessions`, { method: 'POST' });
  // Generous bounds: on a loaded machine a failover and every instance following it take longer.
  const throughNginx = await until(write(topology.url), o.t0, 60_000);
  const running = topology.instances.flatMap(({ id, url, process: child }) => (child ? [{ id, url, child }] : []));
  const perInstance = await Promise.all(running.map(async ({ id, url, child }) => ({
    id,
    ms: await until(write(url), o.t0, 60_000),
    lastLogged: () => child.recentOutput().split('\n').slice(-5).join(' | '),
  })));
  const { recoveredAfterMs, notes } = instancesWritingAgain(perInstance);
  o.recoveredAfterMs = recoveredAfterMs;
  o.notes = [...o.notes, `first write through nginx after ${String(throughNginx)} ms`, ...notes];
  o.notes.push(`new primary ${await primaryNow(ha)}; ${primary.name} stays down until restarted (it would rejoin as a replica)`);
  return finish(o);
}

/**
 * Stop a Redis node (if it runs) and start it again on the same port. It comes back with its
 * append-only file and asks the Sentinels who the primary is: a former primary rejoins the
 * promoted one as a replica; the current primary, however fast it comes back, asks the Sentinels
 * for a failover and rejoins the replica they promote (deployment/redis-node.sh says why).
 */
export async function restartRedisNode(topology: Phase2Topology, name: string, options: { kill?: boolean } = {}): Promise<Observation> {
  const ha = topology.stack.redisHa;
  const node = ha?.nodes.find((n) => n.name === name);
  if (!ha || !node) throw new Error(`no Redis node ${name}; there are ${ha?.nodes.map((n) => n.name).join(', ') ?? 'none (--single-redis)'}`);
  const o = observation('restart-redis', name, node.process());
  const wasPrimary = (await ha.currentPrimary())?.name === name;
  // kill -9 (no AOF fsync at exit) rather than SIGTERM's clean shutdown.
  if (options.kill) node.process()?.kill('SIGKILL');
  await node.stop();
  o.downAfterMs = Math.round(performance.now() - o.t0);
  const started = await node.start();
  o.pid = started.pid;
  // deployment/redis-node.sh says which role it starts in, and who told it so.
  const role = /starts as (primary|replica of \S+), per (.*)$/m.exec(started.recentOutput());
  o.notes.push(`${wasPrimary ? 'was primary' : 'was a replica'}; came back ${role ? `as ${String(role[1])} (${String(role[2])})` : 'with no role line'}`);
  // Back = a write is acknowledged again through nginx (a session created, WAITed for).
  o.recoveredAfterMs = await until(answers(`${topology.url}/api/stateful/sessions`, { method: 'POST' }), o.t0, 60_000);
  return finish(o);
}

/** The node the Sentinels name as primary now: refused on the single-Redis topology, or when they name none. */
export async function primaryOf(topology: Phase2Topology, action: string): Promise<RedisNode> {
  const primary = await sentinelTopology(topology, action).currentPrimary();
  if (!primary) throw new Error(`${action}: the Sentinels name no primary`);
  return primary;
}

/** Stop the primary the Sentinels name (SIGTERM, its append-only file synced) and start it again. */
export async function restartRedisPrimary(topology: Phase2Topology): Promise<Observation> {
  const o = await restartRedisNode(topology, (await primaryOf(topology, 'restart-redis-primary')).name);
  return { ...o, action: 'restart-redis-primary' };
}

/** kill -9 the primary and start it again at once, well before the Sentinels' down-after. */
export async function fastRestartRedisPrimary(topology: Phase2Topology): Promise<Observation> {
  const o = await restartRedisNode(topology, (await primaryOf(topology, 'fast-restart-redis-primary')).name, { kill: true });
  return { ...o, action: 'fast-restart-redis-primary' };
}

/** The role a Redis node reports of itself (INFO replication), or 'down' when it does not answer. */
export async function redisRole(port: number): Promise<'primary' | 'replica' | 'down'> {
  const info = await askRedis(port, (redis) => redis.info('replication'), { timeoutMs: 1000 });
  if (info === null) return 'down';
  return /role:master/.test(info) ? 'primary' : 'replica';
}

function sentinelTopology(topology: Phase2Topology, action: string) {
  const ha = topology.stack.redisHa;
  if (!ha) throw new Error(`${action} needs the Sentinel topology (not --single-redis or --redis cluster)`);
  return ha;
}

const writesAcknowledged = (topology: Phase2Topology) => answers(`${topology.url}/api/stateful/sessions`, { method: 'POST' });

/**
 * SIGSTOP the primary past the Sentinels' down-after, then SIGCONT: a primary that hung rather than
 * died (a long fork, a stalled disk, a partition). It must come back demoted.
 *
 * `resume` says when, and the two differ in what they can lose (docs/decisions/0007-…):
 * - 'after-failover' (default): once the failover has finished (every running Sentinel names the
 *   new primary, every other running node replicates from it) and `seconds` have passed. No
 *   replica is attached to the old primary any more, so nothing it accepts can pass WAIT: nothing
 *   acknowledged is lost.
 * - 'at-promotion': as soon as a Sentinel names the promoted node, while the failover still
 *   reconfigures the other replica. That replica may still be attached to the old primary and
 *   confirm writes an instance still sends there, which the demotion then discards: the window
 *   in which Redis with asynchronous replication can lose acknowledged writes.
 */
export async function pauseRedisPrimary(topology: Phase2Topology, seconds = 3, resume: 'after-failover' | 'at-promotion' = 'after-failover'): Promise<Observation> {
  const { primary, process } = await runningPrimary(topology, 'pause-redis-primary');
  const ha = sentinelTopology(topology, 'pause-redis-primary');
  const o = observation('pause-redis-primary', primary.name, process);
  process.kill('SIGSTOP');
  o.downAfterMs = 0;
  const promotedAfter = await until(async () => {
    const now = await ha.currentPrimary();
    return now !== undefined && now.name !== primary.name;
  }, o.t0, 60_000);
  if (resume === 'after-failover') {
    await until(() => failoverFinished(ha, primary), o.t0, 60_000);
    const remaining = seconds * 1000 - (performance.now() - o.t0);
    if (remaining > 0) await sleep(remaining);
  }
  process.kill('SIGCONT');
  const resumedAt = Math.round(performance.now() - o.t0);
  const demotedAfter = await until(async () => (await redisRole(primary.port)) === 'replica', o.t0, 60_000);
  o.recoveredAfterMs = await until(writesAcknowledged(topology), o.t0, 60_000);
  o.notes.push(`the Sentinels promoted ${await primaryNow(ha)} after ${String(promotedAfter)} ms`);
  o.notes.push(`${primary.name} resumed at ${resumedAt} ms (${resume}) and was a replica again after ${String(demotedAfter)} ms`);
  return { ...finish(o), action: resume === 'after-failover' ? 'pause-redis-primary' : 'pause-redis-primary-resume-mid-failover' };
}

/** Every running Sentinel names the same new primary, and every other running node replicates from it with its link up. */
async function failoverFinished(ha: RunningRedisHa, old: { name: string }): Promise<boolean> {
  const answers = await Promise.all(ha.sentinels.filter((s) => s.process()).map((s) => ha.primaryNamedBy(s)));
  const named = answers[0];
  if (!named || named.name === old.name || answers.some((a) => a?.name !== named.name)) return false;
  for (const node of ha.nodes) {
    if (node === named || node.name === old.name || !node.process()) continue;
    if (!(await linkedTo(node.port, named.port))) return false;
  }
  return true;
}

async function linkedTo(port: number, primaryPort: number): Promise<boolean> {
  const info = await askRedis(port, (redis) => redis.info('replication'), { timeoutMs: 1000 });
  return info !== null && info.includes(`master_port:${primaryPort}`) && info.includes('master_link_status:up');
}

/** kill -9 one replica: the other still confirms WAIT 1, so writes go on; it stays down until restart-redis. */
export async function killRedisReplica(topology: Phase2Topology, name?: string): Promise<Observation> {
  const ha = sentinelTopology(topology, 'kill-redis-replica');
  const primary = await ha.currentPrimary();
  const [chosen] = ha.nodes.flatMap((node) => {
    const process = node.process();
    return process && node !== primary && (name === undefined || node.name === name) ? [{ replica: node, process }] : [];
  });
  if (!chosen) throw new Error(name === undefined ? 'no running replica' : `${name} is not a running replica`);
  const { replica, process } = chosen;
  const o = observation('kill-redis-replica', replica.name, process);
  process.kill('SIGKILL');
  o.downAfterMs = await exited(process, o.t0);
  await replica.stop();
  o.recoveredAfterMs = await until(writesAcknowledged(topology), o.t0, 60_000);
  o.notes.push(`${replica.name} stays down until restart-redis ${replica.name}; the remaining replica confirms every write`);
  return finish(o);
}

/**
 * Stop Sentinels until fewer than the quorum (2 of 3) run. The primary keeps serving, but no
 * failover is possible any more: were it to die now, nothing would promote a replica.
 */
export async function stopSentinels(topology: Phase2Topology, count = 2): Promise<Observation> {
  const ha = sentinelTopology(topology, 'stop-sentinels');
  const running = ha.sentinels.filter((sentinel) => sentinel.process());
  const stopping = running.slice(0, count);
  const o = observation('stop-sentinels', stopping.map((s) => s.name).join(','), null);
  for (const sentinel of stopping) await sentinel.stop();
  o.downAfterMs = Math.round(performance.now() - o.t0);
  o.recoveredAfterMs = await until(writesAcknowledged(topology), o.t0, 60_000);
  const left = ha.sentinels.filter((sentinel) => sentinel.process()).length;
  o.notes.push(`${left} of ${ha.sentinels.length} Sentinels run, below the quorum of 2: the primary keeps serving, but a failover is no longer possible (start-sentinels brings them back)`);
  return finish(o);
}

/** Start every stopped Sentinel again; each reads back the topology it had written to its config. */
export async function startSentinels(topology: Phase2Topology): Promise<Observation> {
  const ha = sentinelTopology(topology, 'start-sentinels');
  const stopped = ha.sentinels.filter((sentinel) => !sentinel.process());
  const o = observation('start-sentinels', stopped.map((s) => s.name).join(','), null);
  for (const sentinel of stopped) await sentinel.start();
  o.recoveredAfterMs = Math.round(performance.now() - o.t0);
  o.notes.push(`the Sentinels name ${await primaryNow(ha)} as primary`);
  return finish(o);
}

export async function stopPostgres(topology: Phase2Topology): Promise<Observation> {
  const o = observation('stop-postgres', 'postgres', topology.stack.postgres.process());
  await topology.stack.postgres.stop();
  o.downAfterMs = Math.round(performance.now() - o.t0);
  // A fast shutdown ends every session at once but still takes time to finish under load.
  o.notes.push(`PostgreSQL took ${o.downAfterMs} ms to stop (fast shutdown)`);
  if (topology.stack.postgresReplica) {
    // The catalog reads from the replica; signing in needs the primary (users, refresh tokens).
    o.recoveredAfterMs = await until(databaseCheck(topology, 'fail'), o.t0);
    o.notes.push('recovered = every instance reports the database down (what needs the primary answers 503), while the catalog still answers from the replica; start-postgres brings it back');
    return finish(o);
  }
  o.recoveredAfterMs = await until(answers(`${topology.url}/api/products/kb-001`, {}, (status) => status === 503), o.t0);
  o.notes.push('recovered = the catalog answers 503 (not a hang); start-postgres brings it back');
  return finish(o);
}

/** The database check (the primary, and where the catalog reads) of an instance's health report. */
interface DatabaseCheck { status: string; detail?: string }

/** Whether the database check of every running instance's health report is as `ok` wants it. */
const everyDatabaseCheck = (topology: Phase2Topology, ok: (check: DatabaseCheck | undefined) => boolean) => async () => {
  const running = topology.instances.filter((i) => i.process);
  const reports = await Promise.all(running.map(async (i) => (await (await fetch(`${i.url}/health`, { signal: AbortSignal.timeout(3000) })).json()) as { checks?: (DatabaseCheck & { name: string })[] }));
  return reports.every((report) => ok(report.checks?.find((check) => check.name === 'database')));
};

/** Every running instance reaches the primary ('pass'), or none does ('fail'). */
const databaseCheck = (topology: Phase2Topology, status: 'pass' | 'fail') => everyDatabaseCheck(topology, (check) => check?.status === status);

function replicated(topology: Phase2Topology, action: string) {
  const { postgresReplica: replica, pgbouncer } = topology.stack;
  if (!replica || !pgbouncer) throw new Error(`${action} needs PostgreSQL with its replica and PgBouncer (--postgres replica)`);
  return { replica, pgbouncer };
}

/** Whether every running instance says its catalog reads where `where` says (its health report). */
const catalogReadsOn = (topology: Phase2Topology, where: RegExp) => everyDatabaseCheck(topology, (check) => where.test(check?.detail ?? ''));

/** Stop the streaming replica: the catalog's reads go to the primary (each instance notices on its next read). */
export async function stopPostgresReplica(topology: Phase2Topology): Promise<Observation> {
  const { replica } = replicated(topology, 'stop-postgres-replica');
  const o = observation('stop-postgres-replica', 'postgres-replica', replica.process());
  await replica.stop();
  o.downAfterMs = Math.round(performance.now() - o.t0);
  o.recoveredAfterMs = await until(answers(`${topology.url}/api/products/kb-001`), o.t0);
  o.notes.push('recovered = the catalog answers, from the primary; start-postgres-replica brings the replica back');
  return finish(o);
}

/** Start the replica again: it catches up from the primary's WAL, and the catalog's reads go back to it. */
export async function startPostgresReplica(topology: Phase2Topology): Promise<Observation> {
  const { replica } = replicated(topology, 'start-postgres-replica');
  const o = observation('start-postgres-replica', 'postgres-replica', null);
  await replica.start();
  o.pid = pidOf(replica.process());
  o.recoveredAfterMs = await until(catalogReadsOn(topology, /catalog reads on its replica/), o.t0, 60_000);
  o.notes.push('recovered = every instance reports its catalog reads on the replica again');
  return finish(o);
}

/** Stop PgBouncer: what needs the primary answers 503 (not a hang); the catalog reads from the replica, and sessions (Redis) go on. */
export async function stopPgBouncer(topology: Phase2Topology): Promise<Observation> {
  const { pgbouncer } = replicated(topology, 'stop-pgbouncer');
  const o = observation('stop-pgbouncer', 'pgbouncer', pgbouncer.process());
  await pgbouncer.stop();
  o.downAfterMs = Math.round(performance.now() - o.t0);
  o.recoveredAfterMs = await until(databaseCheck(topology, 'fail'), o.t0);
  o.notes.push('recovered = every instance reports the database down (what needs the primary answers 503), while the catalog answers from the replica and sessions from Redis; start-pgbouncer brings it back');
  return finish(o);
}

export async function startPgBouncer(topology: Phase2Topology): Promise<Observation> {
  const { pgbouncer } = replicated(topology, 'start-pgbouncer');
  const o = observation('start-pgbouncer', 'pgbouncer', null);
  await pgbouncer.start();
  o.pid = pidOf(pgbouncer.process());
  o.recoveredAfterMs = await until(databaseCheck(topology, 'pass'), o.t0);
  return finish(o);
}

export async function startPostgres(topology: Phase2Topology): Promise<Observation> {
  const o = observation('start-postgres', 'postgres', null);
  await topology.stack.postgres.start();
  o.pid = pidOf(topology.stack.postgres.process());
  // With a replica the catalog answered throughout: back is when every instance reaches the primary again.
  o.recoveredAfterMs = await until(topology.stack.postgresReplica ? databaseCheck(topology, 'pass') : answers(`${topology.url}/api/products/kb-001`), o.t0);
  return finish(o);
}

/** SIGSTOP, then SIGCONT after `seconds`: a process that is hung, not dead (GC pause, swapped out, stuck). */
export async function pauseInstance(topology: Phase2Topology, id: string, seconds: number): Promise<Observation> {
  const { target, process } = runningInstance(topology, id, 'pause-instance');
  const o = observation('pause-instance', id, process);
  process.kill('SIGSTOP');
  o.downAfterMs = 0;
  await sleep(seconds * 1000);
  process.kill('SIGCONT');
  o.recoveredAfterMs = await until(answers(`${target.url}/health/ready`), o.t0);
  o.notes.push(`paused ${seconds} s; nginx times out on it (proxy_read_timeout) and retries idempotent requests elsewhere`);
  return finish(o);
}

/** kill -9 phase 1's one process and start it again on the same port: everything it knew is gone. */
export async function killPhase1(phase1: RunningPhase): Promise<{ observation: Observation; restarted: RunningPhase }> {
  const [child] = phase1.processes;
  if (!child) throw new Error('kill-phase1: phase 1 is not running');
  const o = observation('kill-phase1', 'phase1-mock', child);
  child.kill('SIGKILL');
  o.downAfterMs = await exited(child, o.t0);
  const restarted = await phase1.restart();
  o.pid = pidOf(restarted.processes[0]);
  o.recoveredAfterMs = await until(answers(`${restarted.url}/health/ready`), o.t0);
  o.notes.push('one process, state in its memory: every session and refresh token is gone');
  return { observation: finish(o), restarted };
}

/**
 * A cutover step (docs/decisions/0011-cutover-by-lazy-handover.md): nginx sends `percent` of users
 * to phase 2 and the rest to phase 1; each session follows its user on the next request. 100 is
 * where `npm run up` starts; lower sends users back to phase 1 (a rollback), higher forward again.
 */
export async function setCutoverShare(stage: Pick<CutoverStage, 'share' | 'setShare' | 'topology'>, percent: string): Promise<Observation> {
  const share = Number(percent);
  if (!/^\d{1,3}$/.test(percent) || share > 100) throw new Error(`cutover-share: phase 2's share is a whole percentage from 0 to 100, not ${percent}`);
  const o = observation('cutover-share', `${share} %`, stage.topology.nginx.process);
  const before = stage.share();
  await stage.setShare(share);
  o.recoveredAfterMs = Math.round(performance.now() - o.t0);
  o.notes.push(`phase 2 answered ${before} % of users, now ${share} %: nginx runs only workers with the new shares; each user's session moves to the phase that now answers it on their next request`);
  return finish(o);
}
