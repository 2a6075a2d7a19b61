/**
 * The lab console's server side: every second it reads Prometheus (the queries in ./queries.ts)
 * and the virtual users' counts, keeps the last five minutes, notices changes worth a line in the
 * timeline (an instance gone, a new Redis primary, users signed out, an alert), and streams it all
 * to the page over server-sent events. It is served by `npm run up`'s control server, beside the
 * fault commands the page's buttons send (the same handlers `npm run fault` reaches).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { transformSync } from 'esbuild';
import type { Registry } from 'prom-client';
import { queryPrometheus, type PromSample } from '../infra/prometheus.ts';
import type { Observation } from '../faults.ts';
import type { Crowd } from './crowd.ts';
import { LAB_QUERIES } from './queries.ts';
import type { ConsoleInit, FaultButton, LabSnapshot, PhaseDescription, PhaseView, RedisRole, Status, TimelineEntry } from './view.ts';

export type { ConsoleInit, FaultButton, LabSnapshot, TimelineEntry } from './view.ts';

export interface ConsoleOptions {
  prometheusUrl: string;
  /** Each phase's instance ids, in display order (phase 1 first). */
  phases: PhaseDescription[];
  redisNodes: string[];
  crowds: Crowd[];
  crowdRegistry: Registry;
  buttons: FaultButton[];
  links: Record<string, string>;
}

const HISTORY = 300;
const pageDir = join(dirname(new URL(import.meta.url).pathname), 'page');
const uplotDir = dirname(createRequire(import.meta.url).resolve('uplot'));

/** The page's script is TypeScript, type-checked with the rest; esbuild strips the types once, at start. */
function compilePage(): string {
  return transformSync(readFileSync(join(pageDir, 'console.ts'), 'utf8'), { loader: 'ts', target: 'es2022' }).code;
}

function byLabel(samples: PromSample[], label: string): Map<string, number> {
  return new Map(samples.map((s) => [String(s.metric[label]), s.value]));
}

function finite(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : value;
}

export class LabConsole {
  readonly #options: ConsoleOptions;
  readonly #snapshots: LabSnapshot[] = [];
  readonly #timeline: TimelineEntry[] = [];
  readonly #clients = new Set<ServerResponse>();
  readonly #files: Record<string, { type: string; body: string | Buffer }>;
  #timer: NodeJS.Timeout | undefined;
  /** The last sample Prometheus answered: what the next one is compared with. */
  #lastRead: LabSnapshot | undefined;
  #sampling = false;

  constructor(options: ConsoleOptions) {
    this.#options = options;
    this.#files = {
      '/': { type: 'text/html; charset=utf-8', body: readFileSync(join(pageDir, 'index.html')) },
      '/console.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(pageDir, 'console.css')) },
      '/console.js': { type: 'text/javascript; charset=utf-8', body: compilePage() },
      '/uPlot.iife.min.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(join(uplotDir, 'uPlot.iife.min.js')) },
      '/uPlot.min.css': { type: 'text/css; charset=utf-8', body: readFileSync(join(uplotDir, 'uPlot.min.css')) },
    };
  }

  start(): void {
    this.#timer = setInterval(() => { void this.sample(); }, 1000);
    void this.sample();
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  latest(): LabSnapshot | undefined {
    return this.#snapshots.at(-1);
  }

  timeline(): readonly TimelineEntry[] {
    return this.#timeline;
  }

  /** A line in the timeline, sent to every open page. */
  record(kind: TimelineEntry['kind'], text: string): void {
    const entry = { t: Date.now(), kind, text };
    this.#timeline.push(entry);
    if (this.#timeline.length > 500) this.#timeline.shift();
    this.#broadcast('timeline', entry);
  }

  faultStarted(action: string, target: string | undefined): void {
    this.record('fault', `${action}${target ? ` ${target}` : ''}: injected`);
  }

  faultFinished(action: string, target: string | undefined, result: Observation | Error): void {
    const name = `${action}${target ? ` ${target}` : ''}`;
    if (result instanceof Error) {
      this.record('result', `${name}: could not run (${result.message})`);
      return;
    }
    const parts = [
      result.downAfterMs === null ? null : `down after ${result.downAfterMs} ms`,
      result.recoveredAfterMs === null ? 'not recovered while watched' : `served again after ${result.recoveredAfterMs} ms`,
    ].filter(Boolean);
    this.record('result', `${name}: ${parts.join(', ')}${result.notes.length > 0 ? `. ${result.notes.join(' ')}` : ''}`);
  }

  /** Serves the page, its assets, the event stream, the crowd's metrics and the latest state; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = String(req.url).replace(/\?.*$/s, '');
    const file = this.#files[path];
    if (file) {
      res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(req.method === 'HEAD' ? undefined : file.body);
      return true;
    }
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const init: ConsoleInit = {
        phases: this.#options.phases,
        redisNodes: this.#options.redisNodes,
        buttons: this.#options.buttons,
        links: this.#options.links,
        history: this.#snapshots,
        timeline: [...this.#timeline],
      };
      this.#send(res, 'init', init);
      this.#clients.add(res);
      req.on('close', () => { this.#clients.delete(res); });
      return true;
    }
    if (path === '/metrics') {
      void this.#options.crowdRegistry.metrics().then((text) => { res.writeHead(200, { 'content-type': this.#options.crowdRegistry.contentType }).end(text); });
      return true;
    }
    if (path === '/state') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ latest: this.latest() ?? null, timeline: this.#timeline }));
      return true;
    }
    return false;
  }

  #send(res: ServerResponse, event: string, data: unknown): void {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  #broadcast(event: string, data: unknown): void {
    for (const client of this.#clients) this.#send(client, event, data);
  }

  /** Reads Prometheus and the crowds once, notes what changed and streams it: what `start` does every second. */
  async sample(): Promise<void> {
    // One sample at a time: a slow Prometheus must not pile queries up.
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const snapshot = await this.#read();
      const previous = this.#snapshots.at(-1);
      this.#snapshots.push(snapshot);
      this.#snapshots.splice(0, this.#snapshots.length - HISTORY);
      // While Prometheus cannot be read nothing is known, and nothing is said to have changed:
      // the next readable sample is compared with the last one that was.
      if (previous?.prometheus !== snapshot.prometheus && previous) this.record('change', snapshot.prometheus === 'down' ? 'Prometheus cannot be read: the figures stop until it answers' : 'Prometheus answers again');
      if (snapshot.prometheus === 'up') {
        if (this.#lastRead) this.#noticeChanges(this.#lastRead, snapshot);
        this.#lastRead = snapshot;
      }
      this.#broadcast('snapshot', snapshot);
    } finally {
      this.#sampling = false;
    }
  }

  async #read(): Promise<LabSnapshot> {
    const results: Record<string, PromSample[]> = {};
    let prometheus: Status = 'up';
    await Promise.all(LAB_QUERIES.map(async (q) => {
      try {
        results[q.id] = await queryPrometheus(this.#options.prometheusUrl, q.expr);
      } catch {
        prometheus = 'down';
        results[q.id] = [];
      }
    }));
    const of = (id: string) => results[id] ?? [];
    const phases: Record<string, PhaseView> = {};
    for (const phase of this.#options.phases) {
      const mine = (id: string) => of(id).filter((s) => s.metric.phase === phase.name || s.metric.job === phase.job);
      const up = byLabel(mine('targets'), 'instance');
      const requests = byLabel(mine('requests'), 'instance');
      const errors = byLabel(mine('errors'), 'instance');
      const crowd = this.#options.crowds.find((c) => c.phase === phase.name);
      phases[phase.name] = {
        instances: phase.instances.map((id) => {
          const upValue = up.get(id);
          return { id, status: upValue === undefined ? 'unknown' : upValue === 1 ? 'up' : 'down', requestsPerSecond: requests.get(id) ?? 0, errorsPerSecond: errors.get(id) ?? 0 };
        }),
        p50Seconds: finite(mine('p50')[0]?.value),
        p99Seconds: finite(mine('p99')[0]?.value),
        sessions: finite(mine('sessions')[0]?.value),
        crowd: crowd ? crowd.counts() : null,
      };
    }
    const redisUp = byLabel(of('redisUp'), 'instance');
    const roles = new Map(of('redisRole').map((s) => [String(s.metric.instance), s.metric.role]));
    const redis = this.#options.redisNodes.map((name) => {
      const upValue = redisUp.get(name);
      const role = roles.get(name);
      const shown: RedisRole = upValue === undefined ? 'unknown' : upValue === 0 ? 'down' : role === 'master' ? 'primary' : role === 'slave' ? 'replica' : 'unknown';
      return { name, role: shown };
    });
    const status = (id: string): Status => {
      const value = of(id)[0]?.value;
      return value === undefined ? 'unknown' : value === 1 ? 'up' : 'down';
    };
    const alerts = [...new Set(of('alerts').map((s) => `${String(s.metric.alertname)}${s.metric.phase ? ` (${s.metric.phase})` : ''}`))].sort();
    return { t: Date.now(), prometheus, phases, redis, postgres: status('postgres'), nginx: status('nginx'), alerts };
  }

  #noticeChanges(before: LabSnapshot, now: LabSnapshot): void {
    for (const phase of this.#options.phases) {
      const was = before.phases[phase.name];
      const is = now.phases[phase.name];
      if (!was || !is) continue;
      for (const instance of is.instances) {
        const old = was.instances.find((i) => i.id === instance.id)?.status;
        if (old === 'up' && instance.status === 'down') this.record('change', `${phase.title} ${instance.id} stopped answering`);
        if (old === 'down' && instance.status === 'up') this.record('change', `${phase.title} ${instance.id} answers again`);
      }
      if (was.crowd && is.crowd) {
        const signedOut = is.crowd.sessionsLost - was.crowd.sessionsLost;
        if (signedOut > 0) this.record('change', `${phase.title}: ${signedOut} virtual user${signedOut === 1 ? '' : 's'} signed out (the server forgot the session)`);
        const failingBefore = was.crowd.stateful.failing + was.crowd.stateless.failing;
        const failingNow = is.crowd.stateful.failing + is.crowd.stateless.failing;
        if (failingBefore === 0 && failingNow > 0) this.record('change', `${phase.title}: requests failing for ${failingNow} virtual users`);
        if (failingBefore > 0 && failingNow === 0) this.record('change', `${phase.title}: every virtual user served again`);
      }
    }
    // More than one node can say it is the primary: an old primary that was frozen and resumed
    // believes it still is until the Sentinels reconfigure it. The console says so as it happens.
    const primaries = (s: LabSnapshot) => s.redis.filter((n) => n.role === 'primary').map((n) => n.name).join(', ');
    const [was, is] = [primaries(before), primaries(now)];
    if (was !== is) {
      if (is === '') this.record('change', 'Redis: no primary');
      else if (is.includes(',')) this.record('change', `Redis: ${is} each say they are the primary (the Sentinels have not yet demoted the old one)`);
      else this.record('change', `Redis: ${is} is the primary${was ? ` (was ${was})` : ''}`);
    }
    for (const node of now.redis) {
      const old = before.redis.find((n) => n.name === node.name)?.role;
      if (old && old !== 'down' && node.role === 'down') this.record('change', `Redis ${node.name} is down`);
      if (old === 'down' && node.role !== 'down' && node.role !== 'unknown') this.record('change', `Redis ${node.name} is back, as ${node.role}`);
    }
    if (before.postgres !== now.postgres && now.postgres !== 'unknown') this.record('change', `PostgreSQL is ${now.postgres}`);
    for (const alert of now.alerts) if (!before.alerts.includes(alert)) this.record('change', `alert firing: ${alert}`);
    for (const alert of before.alerts) if (!now.alerts.includes(alert)) this.record('change', `alert resolved: ${alert}`);
  }
}
