/**
 * Moving from phase 1 to phase 2: its JSON data into PostgreSQL, and the live sessions of a
 * running phase 1 into Redis with their ids, CSRF tokens and remaining lifetimes unchanged, so a
 * client's cookie works on phase 2 after the cutover. Safe to run again: rows are upserted, and a
 * session is rewritten whole.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Product, Session, UserRecord } from 'core';
import { transaction, type Pool } from './db/pool.ts';
import type { RedisSessionStore } from './sessions/session-store.ts';
import type { AuditLog } from './audit/audit-log.ts';

/** Phase 1's JSON data, from the phase1-mock package: what the migration loads by default. */
export const PHASE1_DATA_DIR = dirname(fileURLToPath(import.meta.resolve('phase1-mock/data/users.json')));

export async function importPhase1Data(pool: Pool, dataDir: string): Promise<{ users: number; products: number }> {
  const users = JSON.parse(readFileSync(join(dataDir, 'users.json'), 'utf8')) as UserRecord[];
  const products = JSON.parse(readFileSync(join(dataDir, 'products.json'), 'utf8')) as Product[];
  await transaction(pool, async (client) => {
    for (const user of users) {
      await client.query(
        `INSERT INTO users (username, display_name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (username) DO UPDATE SET display_name = EXCLUDED.display_name, password_hash = EXCLUDED.password_hash`,
        [user.username, user.displayName, user.passwordHash],
      );
    }
    for (const p of products) {
      await client.query(
        `INSERT INTO products (id, name, description, category, price_cents, currency) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, category = EXCLUDED.category,
           price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency`,
        [p.id, p.name, p.description, p.category, p.priceCents, p.currency],
      );
    }
  });
  return { users: users.length, products: products.length };
}

/** Fetches the live sessions from a running phase 1 (its admin export). */
export async function fetchPhase1Sessions(phase1Url: string, adminToken: string): Promise<Session[]> {
  const response = await fetch(new URL('/admin/sessions', phase1Url), { headers: { authorization: `Bearer ${adminToken}` } });
  if (!response.ok) throw new Error(`phase 1 refused the session export: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { sessions: Session[] }).sessions;
}

/** Writes each still-live session into Redis; returns how many were moved and how many had expired. */
export async function importSessions(store: RedisSessionStore, sessions: Session[], audit: AuditLog | null, now = Date.now()): Promise<{ moved: number; expired: number }> {
  let moved = 0;
  let expired = 0;
  for (const session of sessions) {
    const ttlMs = session.expiresAt - now;
    if (ttlMs <= 0) {
      expired += 1;
      continue;
    }
    await store.restore(session, ttlMs);
    audit?.record({ sessionId: session.id, event: 'migrated', username: session.user?.username ?? null });
    moved += 1;
  }
  return { moved, expired };
}
