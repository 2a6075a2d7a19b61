/**
 * Moving from phase 1 to phase 2, phase 1's side: GET /admin/sessions hands over every live
 * session, so phase 2's migration (phase2-production/src/migration.ts) can move them into Redis and
 * clients keep their cookies across the cutover. It is not part of the public contract, exists only
 * when ADMIN_TOKEN is set, and wants that token as a bearer token. Put the instance in maintenance
 * first (its MAINTENANCE_FILE), so nothing changes after the export; this route still answers then.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import { ProblemError } from 'core';
import type { MemorySessionStore } from './sessions/session-store.ts';

export function sessionExportRoutes(adminToken: string, sessions: MemorySessionStore): Router {
  const router = Router();
  const expected = Buffer.from(`Bearer ${adminToken}`);
  router.get('/admin/sessions', (req, res) => {
    const sent = Buffer.from(req.get('authorization') ?? '');
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
      throw new ProblemError(401, 'AUTH_TOKEN_INVALID', 'The admin API wants ADMIN_TOKEN as a bearer token.');
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ exportedAt: new Date().toISOString(), sessions: sessions.exportLive() });
  });
  return router;
}
