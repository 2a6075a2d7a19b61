/**
 * Maintenance mode: while a marker file exists, the instance answers 503 with `Retry-After` to
 * everything but its liveness and startup probes and metrics, and reports not-ready, so a load
 * balancer takes it out of rotation (the same idea as `php artisan down`). A file, rather than an
 * endpoint, works for every instance on a host at once and needs no credentials of its own.
 * inotify (fs.watch) tells us when it changes, so no request pays for a filesystem check.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Check } from './health.ts';
import { ProblemError } from './problems.ts';

export class MaintenanceSwitch {
  #on = false;
  readonly #watcher: FSWatcher | undefined;

  constructor(readonly file: string | undefined) {
    if (file === undefined) return;
    this.#on = existsSync(file);
    this.#watcher = watch(dirname(file), (_event, name) => {
      if (name === null || name === basename(file)) this.#on = existsSync(file);
    });
    this.#watcher.unref();
  }

  get on(): boolean {
    return this.#on;
  }

  close(): void {
    this.#watcher?.close();
  }
}

/**
 * Probes and metrics keep answering during maintenance and while an instance drains: it is alive,
 * just not serving, and the load balancer and Prometheus must be able to see that.
 */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/health/live', '/health/startup', '/health/ready', '/health', '/metrics']);

export const MAINTENANCE_RETRY_AFTER_SECONDS = 30;

/** The maintenance state as a readiness check: failing while the file exists. */
export function maintenanceCheck(maintenance: MaintenanceSwitch): Check {
  return { name: 'maintenance', status: maintenance.on ? 'fail' : 'pass', latencyMs: 0, detail: maintenance.on ? `maintenance file ${String(maintenance.file)} exists` : 'serving' };
}

/** The 503 a request gets while the instance is in maintenance; null when it may proceed. */
export function maintenanceProblem(maintenance: MaintenanceSwitch, path: string): ProblemError | null {
  if (!maintenance.on || PROBE_PATHS.has(path)) return null;
  return new ProblemError(503, 'MAINTENANCE', 'This instance is down for maintenance; try again later.', { headers: { 'Retry-After': String(MAINTENANCE_RETRY_AFTER_SECONDS) } });
}
