/**
 * The operator's way out of the mockup: GET /admin/sessions hands over every live session, so the
 * migration utility can move them into phase 2's Redis and clients keep their cookies across the
 * cutover. It is not part of the public contract, exists only when ADMIN_TOKEN is set, and wants
 * that token as a bearer token. Put the instance in maintenance first (its MAINTENANCE_FILE), so
 * nothing changes after the export; this route still answers then.
 */
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { MemorySessionStore } from '../sessions/memory-store.ts';
import { ProblemError } from '../http/problem.ts';

export function adminRoutes(adminToken: string, sessions: MemorySessionStore): Router {
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
