/**
 * Moving from phase 1 to phase 2, phase 1's side: GET /admin/sessions hands over every live
 * session, so phase 2's migration (phase2-production/src/migration.ts) can move them into Redis and
 * clients keep their cookies across the cutover. It is not part of the public contract, exists only
 * when ADMIN_TOKEN is set, and wants that token as a bearer token. Put the instance in maintenance
 * first (its MAINTENANCE_FILE), so nothing changes after the export; this route still answers then.
 */
import { Router } from 'express';
import { checkAdminToken } from 'core';
import type { MemorySessionStore } from './sessions/session-store.ts';

export function sessionExportRoutes(adminToken: string, sessions: MemorySessionStore): Router {
  const router = Router();
  router.get('/admin/sessions', (req, res) => {
    checkAdminToken(req.get('authorization'), adminToken);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ exportedAt: new Date().toISOString(), sessions: sessions.exportLive() });
  });
  return router;
}
