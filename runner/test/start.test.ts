/**
 * `npm start -- --profile smoke --out DIR`: the main job, run as a user runs it (through npm, from
 * the repository root), in minutes: the contract checked by Dredd on both phases, the restart
 * lesson, every benchmark scenario against real processes, the report written into DIR. It checks
 * that each step ran and said what it found, that figures are produced for both phases and that
 * every request is accounted for, not what the figures are: speed is the report's business, not a
 * test's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS, PROFILES, type Results } from 'benchmarks';
import { repoRoot } from '../src/paths.ts';

const profile = PROFILES.smoke;
const out = mkdtempSync(join(tmpdir(), 'lab-start-'));
let results: Results;
let run: { code: number | null; stdout: string; stderr: string };

beforeAll(async () => {
  run = await new Promise((resolve, reject) => {
    // --out as a user types it: relative to where the command runs (the repository's root).
    const child = spawn('npm', ['start', '--', '--profile', 'smoke', '--out', relative(repoRoot, out)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => { resolve({ code, stdout, stderr }); });
  });
  if (run.code !== 0) throw new Error(`npm start exited ${String(run.code)}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
}, 900_000);
afterAll(() => { rmSync(out, { recursive: true, force: true }); });

describe('npm start -- --profile smoke --out DIR', () => {
  it('checks the contract on both phases, every transaction passing', () => {
    expect(run.stdout).toMatch(/^== 2\/4 the contract, checked by Dredd on each phase {2}\(\d+ s gone, about .* left\)$/m);
    // The screen has Dredd's summary per phase; every transaction's line is in the log it names.
    expect(run.stdout).not.toMatch(/^\[phase\d-\S+\] pass: /m);
    const logs = [...run.stdout.matchAll(/^\[(phase1-mock|phase2-production)\] Dredd complete: .*; every transaction in (\S+)$/gm)];
    expect(logs.map((l) => l[1])).toEqual(['phase1-mock', 'phase2-production']);
    for (const log of logs) expect(readFileSync(log[2] ?? '', 'utf8')).toMatch(/^pass: /m);
    const rows = [...run.stdout.matchAll(/^\| (phase1-mock|phase2-production) \| (directly, http|through nginx, https) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|/gm)];
    expect(rows.map((r) => r[1])).toEqual(['phase1-mock', 'phase2-production']);
    for (const row of rows) expect([row[5], row[6]]).toEqual(['0', '0']);
  });

  it('finds or installs every system program before anything is measured, and installs nothing afterwards', () => {
    const lines = run.stdout.split('\n');
    const prepared = lines.findIndex((line) => line.startsWith('== 1/4 the system programs the job runs, found or installed'));
    expect(prepared).toBeGreaterThanOrEqual(0);
    expect(lines[prepared + 1]).toMatch(/^(all \d+ found|installed .+)$/);
    const firstMeasurement = lines.findIndex((line) => line.startsWith('[bench]') || line.startsWith('== 2/4'));
    expect(firstMeasurement).toBeGreaterThan(prepared);
    // Any later ask for a program not installed up front throws (binaries.ts): none happened.
    expect(lines.slice(firstMeasurement).join('\n')).not.toContain('harness: installing');
    expect(run.stderr).not.toContain('asked for after the run began');
    expect(results.failedScenarios).toEqual([]);
  });

  it('shows what survives a restart: the token in both phases, the session only in phase 2', () => {
    expect(run.stdout).toContain('| phase1-mock | 3 | 200: survived | 401: lost | - |');
    expect(run.stdout).toContain('| phase2-production | 3 | 200: survived | 200: survived | 3 |');
  });

  it('writes the report into DIR, and nothing into the committed reports, and prints the headlines', () => {
    for (const name of ['results.json', 'report.md', 'index.html']) expect(existsSync(join(out, name)), name).toBe(true);
    expect(run.stdout).toContain(`Report: ${out} (report.md, index.html, results.json)`);
    expect(run.stdout).toContain('== Benchmark headlines (smoke profile');
    expect(results.profile).toBe('smoke');
  });

  it('renders the same report again from its results.json, as the benchmarks README has it (npm run report -w benchmarks)', () => {
    const before = ['report.md', 'index.html'].map((name) => readFileSync(join(out, name), 'utf8'));
    rmSync(join(out, 'report.md'));
    // A path relative to where the command is typed, the repository's root; the report is written beside it.
    const rendered = spawnSync('npm', ['run', 'report', '-w', 'benchmarks', '--', relative(repoRoot, join(out, 'results.json'))], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    expect(rendered.status, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain(`report written to ${out}`);
    expect(['report.md', 'index.html'].map((name) => readFileSync(join(out, name), 'utf8'))).toEqual(before);
    // And into a folder named after it, relative too.
    const elsewhere = spawnSync('npm', ['run', 'report', '-w', 'benchmarks', '--', relative(repoRoot, join(out, 'results.json')), relative(repoRoot, join(out, 'again'))], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000 });
    expect(elsewhere.status, elsewhere.stderr).toBe(0);
    expect(readFileSync(join(out, 'again', 'report.md'), 'utf8')).toEqual(before[0]);
    const usage = spawnSync('npm', ['run', 'report', '-w', 'benchmarks'], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: npm run report -w benchmarks -- <results.json> [out dir]');
  }, 300_000);

  it('refuses a profile it does not have, before starting anything', async () => {
    const refused = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('npm', ['start', '--', '--profile', 'huge'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
      child.on('close', (code) => { resolve({ code, stderr }); });
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('start: --profile is one of smoke, quick, full');
  });
});

describe('the smoke profile\'s measurements', () => {
  it('measures what the live lab costs: the same read with it off, with its monitoring, and with its virtual users, and what its processes used', () => {
    const lab = results.labCost;
    expect(lab?.stages.map((s) => s.name)).toEqual(['lab off', 'monitoring', 'monitoring and virtual users']);
    for (const stage of lab?.stages ?? []) {
      expect(stage.rows.map((r) => r.target)).toEqual(['phase1-mock', 'phase2 via nginx']);
      for (const row of stage.rows) expect(row.requestsPerSecond).toBeGreaterThan(0);
    }
    // Prometheus and three exporters, then the virtual users' own process, each charged its CPU.
    expect(lab?.stages.map((s) => s.processes.map((p) => p.name))).toEqual([
      [],
      ['prometheus', 'redis-exporter', 'postgres-exporter', 'nginx-exporter'],
      ['prometheus', 'redis-exporter', 'postgres-exporter', 'nginx-exporter', 'virtual-users'],
    ]);
    for (const p of lab?.stages.flatMap((s) => s.processes) ?? []) expect(p.rssBytes).toBeGreaterThan(0);
    // The virtual users send requests the whole stage, so the kernel always charges them CPU;
    // Prometheus may not scrape within a smoke round (its CPU is counted in 10 ms ticks), so its
    // figure is only required to be a real one.
    expect(lab?.stages[2]?.processes.find((p) => p.name === 'virtual-users')?.cpuPercentOfOneCore).toBeGreaterThan(0);
    for (const p of lab?.stages.flatMap((s) => s.processes) ?? []) expect(p.cpuPercentOfOneCore).toBeGreaterThanOrEqual(0);
    // Both phases' processes, Redis's nodes, PostgreSQL, nginx and the crowd.
    expect(lab?.scrapeTargets).toBe(1 + profile.instances + 3 + 1 + 1 + 1);
    expect(lab?.crowd.map((c) => c.phase)).toEqual(['phase1-mock', 'phase2-production']);
    for (const crowd of lab?.crowd ?? []) expect(crowd.requestsPerSecond).toBeGreaterThan(0);
  });

  it('records the machine and the load parameters', () => {
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.packages.fastify).toMatch(/^\d+\.\d+\.\d+$/);
    expect(results.machine.packages['redis-server']).toMatch(/^\d+\.\d+/);
    expect(results.machine.packages.nginx).toMatch(/^\d+\.\d+/);
    expect(results.machine.gitCommit).toMatch(/^[0-9a-f]{40}$|^unknown$/);
    expect(results.load).toEqual(profile.load);
  });

  it('measures every operation on both phases (and the baselines), every answer counted by status', () => {
    for (const endpoint of ENDPOINTS) {
      const targets = results.throughput.filter((r) => r.endpoint === endpoint.name).map((r) => r.target);
      expect(targets).toEqual([...(endpoint.baselines ? ['baseline-node-http', 'baseline-express', 'baseline-fastify'] : []), 'phase1-mock', 'phase2 direct', 'phase2 via nginx']);
    }
    for (const row of results.throughput) {
      expect(row.rounds).toHaveLength(profile.load.rounds);
      expect(row.requestsPerSecond).toBeGreaterThan(0);
      for (const round of row.rounds) {
        const counted = Object.values(round.statusCounts).reduce((a, b) => a + b, 0);
        expect(counted, `${row.endpoint} on ${row.target}`).toBe(round.requests);
      }
      const non2xx = row.rounds.reduce((n, r) => n + Object.entries(r.statusCounts).filter(([s]) => !s.startsWith('2')).reduce((m, [, c]) => m + c, 0), 0);
      expect(row.non2xx).toBe(non2xx);
      // Not every answer must be 2xx under load (a replica slow to confirm a write gives 503, and
      // nginx retrying that DELETE elsewhere then finds the line gone: 404), but every answer must
      // be one the contract documents.
      const statuses = new Set(row.rounds.flatMap((r) => Object.keys(r.statusCounts)));
      for (const status of statuses) expect(['200', '201', '404', '503'], `${row.endpoint} on ${row.target}`).toContain(status);
      // Connection errors and timeouts are counted apart from answers, never dropped.
      expect(Number.isInteger(row.errors) && row.errors >= 0).toBe(true);
      expect(row.errors).toBe(row.rounds.reduce((n, r) => n + r.errors + r.timeouts, 0));
      expect(row.contractSample.violations, `${row.endpoint} on ${row.target}`).toEqual([]);
    }
  });

  it('grows sessions in steps on both phases and measures memory per session and read latency', () => {
    expect(results.capacity.map((c) => c.phase)).toEqual(['phase1-mock', 'phase2-production']);
    for (const c of results.capacity) {
      expect(c.steps.map((s) => s.sessions)).toEqual(profile.capacitySteps);
      for (const step of c.steps) {
        expect(step.createErrors).toBe(0);
        expect(step.readP99Ms).toBeGreaterThanOrEqual(0);
        // Redis counts its memory exactly; a V8 heap reading includes garbage not yet collected,
        // so at the smoke profile's few hundred sessions phase 1 has no figure (never a negative one).
        if (c.phase === 'phase2-production') expect(step.bytesPerSession).toBeGreaterThan(0);
        else expect(step.bytesPerSession).toBeNull();
      }
    }
  });

  it('grows phase 2\'s sessions over a Redis Cluster\'s three shards, each primary holding a share and the memory for it', () => {
    const shards = results.shards ?? [];
    expect(shards.map((step) => step.sessions)).toEqual(profile.shardSteps);
    let refused = 0;
    for (const [i, step] of shards.entries()) {
      expect(step.shards).toHaveLength(3);
      expect(step.shards.reduce((n, shard) => n + shard.slots, 0)).toBe(16_384);
      // Every acknowledged session, and the one each step's read used; at most one more per
      // refusal so far (a 503 or a timeout may have written its session). Each shard holds some
      // and grew.
      refused += step.createErrors;
      const keys = step.shards.reduce((n, shard) => n + shard.keys, 0);
      expect(keys).toBeGreaterThanOrEqual(step.sessions + i + 1);
      expect(keys).toBeLessThanOrEqual(step.sessions + i + 1 + refused);
      for (const shard of step.shards) {
        expect(shard.keys).toBeGreaterThan(0);
        expect(shard.grownBytes).toBeGreaterThan(0);
      }
    }
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Sessions across shards: phase 2 on a Redis Cluster');
  });

  it('puts both phases under the same memory budget and reports what happened at the limit', () => {
    expect(results.budget.map((b) => b.phase)).toEqual(['phase1-mock', 'phase2-production']);
    for (const b of results.budget) {
      expect(b.budgetBytes).toBe(profile.budget.mebibytes * 1024 * 1024);
      expect(b.sessionsCreated).toBeGreaterThan(0);
      expect(b.sessionsCreated + b.creationFailures).toBeGreaterThanOrEqual(Math.min(profile.budget.maxSessions, b.sessionsCreated));
      expect(b.outcome.length).toBeGreaterThan(0);
    }
    const phase1 = results.budget[0];
    // Dead or alive, phase 1's answer is consistent: a dead process holds nothing.
    if (phase1?.outcome.includes('died')) expect(phase1.sessionsHeld).toBe(0);
    else expect(phase1?.sessionsHeld).toBe(phase1?.sessionsCreated);
  });

  it('runs every fault, with every request of the load in its timeline, and counts lost sessions', () => {
    // The smoke profile runs one fault of each store (harness/test/ha.test.ts runs every instance and Redis fault).
    expect(results.failover.map((f) => `${f.phase}: ${f.fault}`)).toEqual([
      'phase1-mock: process killed and restarted',
      'phase2-production: Redis primary killed',
      `phase2-production: PostgreSQL stopped ${profile.failover.postgresOutageMs / 1000} s`,
    ]);
    for (const f of results.failover) {
      expect(f.timeline.reduce((n, t) => n + t.ok + t.failed, 0)).toBe(f.requests);
      expect(f.timeline.reduce((n, t) => n + t.failed, 0)).toBe(f.failed);
      expect(f.recoveredAfterMs, `${f.fault}: ${f.notes.join('; ')}`).not.toBeNull();
    }
    const byFault = (fault: string) => results.failover.find((f) => f.fault === fault);
    expect(byFault('process killed and restarted')?.sessionsLost).toBe(profile.failover.knownSessions);
    expect(byFault('Redis primary killed')?.sessionsLost).toBe(0);
    // The durability count: phase 1 loses every written session on restart. Phase 2 never loses a
    // session, and every counter holds no more than was sent. Where the design guarantees it (Redis
    // untouched, a replica lost, Sentinels lost, a primary replaced or restarted with its fsynced
    // AOF), nothing acknowledged is lost either. Where a paused primary resumes while the Sentinels
    // still fail it over, Redis's asynchronous replication can lose acknowledged writes: the report
    // gives the measured count (ADR 7).
    expect(byFault('process killed and restarted')?.writes?.sessionsLost).toBe(profile.failover.writers);
    const guaranteed = ['one instance killed', 'rolling restart', 'Redis primary killed', 'Redis primary restarted at once', 'Redis primary paused past down-after', 'Redis replica killed', 'Redis promoted primary restarted', 'Sentinels below quorum', `PostgreSQL stopped ${profile.failover.postgresOutageMs / 1000} s`];
    for (const f of results.failover.filter((row) => row.phase === 'phase2-production')) {
      console.log(`[durability] ${f.fault}: ${JSON.stringify(f.writes)}; ${f.notes.join('; ')}`);
      expect(f.writes?.sessionsLost, f.fault).toBe(0);
      expect(f.writes?.finalValue, f.fault).toBeLessThanOrEqual(f.writes?.attempted ?? -1);
      if (guaranteed.includes(f.fault)) {
        expect(f.writes?.acknowledgedLost, f.fault).toBe(0);
        expect(f.writes?.finalValue, f.fault).toBeGreaterThanOrEqual(f.writes?.acknowledged ?? Infinity);
      }
    }
  });

  it('measures the phases beside the peers: phase 2 and phase 1 lose no concurrent increment and no logout, the peers lose increments', () => {
    expect(results.peers?.map((p) => p.target)).toEqual(['phase2 direct', 'phase1-mock', 'express-session + connect-redis', '@fastify/session + connect-redis']);
    for (const p of results.peers ?? []) {
      expect(p.read.requestsPerSecond, p.target).toBeGreaterThan(0);
      expect(p.increment.requestsPerSecond, p.target).toBeGreaterThan(0);
      expect(p.acknowledged, p.target).toBeGreaterThan(0);
      expect(p.trials).toBe(profile.peerTrials);
    }
    for (const phase of (results.peers ?? []).slice(0, 2)) {
      // Atomic changes: the counter holds every acknowledged increment; a logout ends the session for good.
      expect(phase.lostUpdates, phase.target).toBe(0);
      expect(phase.finalValue, phase.target).toBeGreaterThanOrEqual(phase.acknowledged);
      expect(phase.resurrected, phase.target).toBe(0);
    }
    for (const peer of (results.peers ?? []).slice(2)) expect(peer.lostUpdates, peer.target).toBeGreaterThan(0);
  });

  it('leaves the cutover to its own tests (benchmarks/test/cutover-scenario.test.ts, harness/test/cutover.test.ts)', () => {
    expect(profile.cutover.users).toBe(0);
    expect(results.cutover).toEqual([]);
  });

  it('computes the headlines, each with a verdict', () => {
    const names = results.headlines.map((h) => h.name);
    expect(names).toContain('phase 2 stateless, direct ÷ bare node:http');
    expect(names).toContain('phase 1 stateless ÷ bare Express');
    expect(names).toContain('Redis failover: writes back after');
    expect(names).toContain('phase 2, every fault: acknowledged writes lost');
    expect(names).toContain('phase 2 stateful read ÷ the faster peer');
    for (const h of results.headlines) {
      expect(h.low).toBeLessThanOrEqual(h.value + 1e-9);
      expect(h.high).toBeGreaterThanOrEqual(h.value - 1e-9);
      if (h.target === null) {
        expect(h.verdict).toBe('info');
        continue;
      }
      // The verdict follows from the range and the target: met if even the worst round meets it.
      const meets = (v: number) => (h.better === 'higher' ? v >= (h.target ?? 0) : v <= (h.target ?? 0));
      const [worst, best] = h.better === 'higher' ? [h.low, h.high] : [h.high, h.low];
      expect(h.verdict, h.name).toBe(meets(worst) ? 'met' : meets(best) ? 'within noise' : 'missed');
    }
  });
});
