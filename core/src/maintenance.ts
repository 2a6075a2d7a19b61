/**
 * Maintenance mode: while a marker file exists, the instance answers 503 with `Retry-After` to
 * everything but its liveness and startup probes and metrics, and reports not-ready, so a load
 * balancer takes it out of rotation (the same idea as `php artisan down`). A file, rather than an
 * endpoint, works for every instance on a host at once and needs no credentials of its own.
 * inotify (fs.watch) tells us when it changes, so no request pays for a filesystem check.
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

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

/** Probes and metrics keep answering during maintenance: the instance is alive, just not serving. */
export function exemptFromMaintenance(path: string): boolean {
  return path === '/health/live' || path === '/health/startup' || path === '/metrics' || path === '/health/ready' || path === '/health';
}

export const MAINTENANCE_RETRY_AFTER_SECONDS = 30;
