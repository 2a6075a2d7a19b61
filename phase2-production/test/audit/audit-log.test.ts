/**
 * The session audit trail on a real PostgreSQL: events reach the table in batches, wait in the
 * buffer while PostgreSQL is down and go out when it is back, are dropped (and counted) past the
 * buffer's bound, and a shutdown gives up at its deadline with what it could not write said.
 */
import { describe, expect, it } from 'vitest';
import { AuditLog, hashSessionId } from '../../src/audit/audit-log.ts';
import { createPool } from '../../src/db/pool.ts';
import { useInfrastructure } from '../helpers.ts';

const infra = useInfrastructure();

function pool() {
  return createPool({ connectionString: infra.postgres.url, max: 2, timeoutMs: 2000, applicationName: 'audit-test' }, () => undefined);
}

async function eventsOf(sessionId: string): Promise<string[]> {
  const reader = pool();
  try {
    const { rows } = await reader.query<{ event: string }>('SELECT event FROM session_events WHERE session_hash = $1 ORDER BY occurred_at, event', [hashSessionId(sessionId)]);
    return rows.map((r) => r.event);
  } finally {
    await reader.end();
  }
}

describe('AuditLog', () => {
  it('writes buffered events, keeps them through an outage, and drops past its bound', async () => {
    const writer = pool();
    const errors: unknown[] = [];
    // A flush interval far longer than the test: every write here is an explicit flush.
    const audit = new AuditLog(writer, { instance: 'api-test', flushIntervalMs: 3_600_000, maxBuffered: 3, onError: (error) => errors.push(error) });
    audit.record({ sessionId: 'session-a', event: 'created', username: null }, 1000);
    audit.record({ sessionId: 'session-a', event: 'signed_in', username: 'alice' }, 2000);
    await audit.flush();
    expect(audit.written).toBe(2);
    expect(await eventsOf('session-a')).toEqual(['created', 'signed_in']);

    await infra.postgres.stop();
    try {
      audit.record({ sessionId: 'session-b', event: 'created', username: null }, 3000);
      await expect(audit.flush()).rejects.toThrow();
      // Kept for later; beyond the bound of 3, the newest is dropped and counted.
      for (const event of ['ended', 'migrated', 'created'] as const) audit.record({ sessionId: 'session-b', event, username: null }, 4000);
      expect(audit.pending).toBe(3);
      expect(audit.dropped).toBe(1);
    } finally {
      await infra.postgres.start();
    }
    await audit.close(Date.now() + 30_000);
    expect(await eventsOf('session-b')).toEqual(['created', 'ended', 'migrated']);
    expect(audit.pending).toBe(0);
    expect(errors).toEqual([]);
    await writer.end();
  }, 60_000);

  it('gives up at its shutdown deadline and says how many events it could not write', async () => {
    const writer = pool();
    const errors: unknown[] = [];
    const audit = new AuditLog(writer, { instance: 'api-test', flushIntervalMs: 3_600_000, onError: (error) => errors.push(error) });
    await infra.postgres.stop();
    try {
      audit.record({ sessionId: 'session-c', event: 'created', username: null });
      await audit.close(Date.now() + 500);
      expect(String(errors[0])).toMatch(/audit log: 1 events not written at shutdown/);
    } finally {
      await infra.postgres.start();
      await writer.end();
    }
  }, 60_000);
});
