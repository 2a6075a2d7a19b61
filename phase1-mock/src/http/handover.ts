/**
 * The holder's side of the cutover's handover (core's handover.ts): the other phase leases a
 * session it was asked for, then confirms it wrote it. Admin endpoints, not the public contract's:
 * they exist only when ADMIN_TOKEN is set and want it as a bearer token. Phase 2's twin mounts the
 * same two endpoints on Fastify.
 */
import express, { Router, type Request, type Response } from 'express';
import { HANDOVER_CONFIRM_PATH, HANDOVER_LEASE_PATH, answerHandover, checkAdminToken, type SessionStore } from 'core';

export function handoverRoutes(adminToken: string, sessions: SessionStore): Router {
  const router = Router();
  // Checked before the body is read: without the token, nothing of the request is looked at.
  router.use([HANDOVER_LEASE_PATH, HANDOVER_CONFIRM_PATH], (req, _res, next) => { checkAdminToken(req.get('authorization'), adminToken); next(); });
  router.use([HANDOVER_LEASE_PATH, HANDOVER_CONFIRM_PATH], express.json({ limit: '4kb', type: 'application/json' }));
  for (const path of [HANDOVER_LEASE_PATH, HANDOVER_CONFIRM_PATH] as const) {
    router.post(path, async (req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-store');
      res.json(await answerHandover(path, req.body, sessions));
    });
  }
  return router;
}
