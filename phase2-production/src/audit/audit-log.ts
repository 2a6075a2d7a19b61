/**
 * The session audit trail, written to PostgreSQL off the request's critical path: a request only
 * appends to an in-memory buffer, and a timer writes the buffer in one multi-row INSERT. When
 * PostgreSQL is down the events wait in the buffer (up to a bound; beyond it new events are
 * dropped and counted) and go out when it is back; a graceful shutdown flushes what is left before the pool
 * closes. What a crash (kill -9) loses is at most one flush interval of events.
 */
import { createHash } from 'node:crypto';
import type { Pool } from '../db/pool.ts';

export type SessionEventKind = 'created' | 'signed_in' | 'ended' | 'migrated';

export interface SessionEvent {
  sessionId: string;
  event: SessionEventKind;
  username: string | null;
  occurredAt: number;
}

export interface AuditLogOptions {
  instance: string;
  flushIntervalMs: number;
  maxBuffered?: number;
  onError?: (error: unknown) => void;
}

const MAX_ROWS_PER_INSERT = 500;

export function hashSessionId(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

export class AuditLog {
  readonly #pool: Pool;
  readonly #options: Required<AuditLogOptions>;
  readonly #buffer: SessionEvent[] = [];
  readonly #timer: NodeJS.Timeout;
  #flushing: Promise<void> | undefined;
  dropped = 0;
  written = 0;

  constructor(pool: Pool, options: AuditLogOptions) {
    this.#pool = pool;
    this.#options = { maxBuffered: 100_000, onError: () => undefined, ...options };
    this.#timer = setInterval(() => { void this.flush().catch(this.#options.onError); }, options.flushIntervalMs);
    this.#timer.unref();
  }

  get pending(): number {
    return this.#buffer.length;
  }

  record(event: Omit<SessionEvent, 'occurredAt'>, occurredAt = Date.now()): void {
    // When the buffer is full the new event is the one dropped: the buffered ones may be mid-write.
    if (this.#buffer.length >= this.#options.maxBuffered) {
      this.dropped += 1;
      return;
    }
    this.#buffer.push({ ...event, occurredAt });
  }

  /** Writes what is buffered; events stay buffered if the write fails. One flush at a time. */
  flush(): Promise<void> {
    this.#flushing ??= this.#flushOnce().finally(() => { this.#flushing = undefined; });
    return this.#flushing;
  }

  /** Stops the timer and writes everything left, retrying until `deadline` (ms since epoch). */
  async close(deadline: number): Promise<void> {
    clearInterval(this.#timer);
    while (this.#buffer.length > 0) {
      try {
        await this.flush();
      } catch (error) {
        if (Date.now() >= deadline) {
          this.#options.onError(new Error(`audit log: ${this.#buffer.length} events not written at shutdown`, { cause: error }));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async #flushOnce(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.slice(0, MAX_ROWS_PER_INSERT);
      const values: unknown[] = [];
      const rows = batch.map((event, i) => {
        values.push(hashSessionId(event.sessionId), event.event, event.username, this.#options.instance, new Date(event.occurredAt));
        const p = i * 5;
        return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5})`;
      });
      await this.#pool.query(`INSERT INTO session_events (session_hash, event, username, instance, occurred_at) VALUES ${rows.join(', ')}`, values);
      // Only now, after the write succeeded, do the events leave the buffer.
      this.#buffer.splice(0, batch.length);
      this.written += batch.length;
    }
  }
}
