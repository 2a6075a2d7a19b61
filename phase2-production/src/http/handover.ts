/**
 * The holder's side of the cutover's handover (core's handover.ts): the other phase leases a
 * session it was asked for, then confirms it wrote it. Admin endpoints, not the public contract's:
 * they exist only when ADMIN_TOKEN is set, want it as a bearer token, and nginx refuses /admin/
 * from the public (the phases call each instance directly). Phase 1's twin mounts the same two.
 */
import type { FastifyInstance } from 'fastify';
import { HANDOVER_CONFIRM_PATH, HANDOVER_LEASE_PATH, answerHandover, checkAdminToken, type SessionStore } from 'core';

export function registerHandover(app: FastifyInstance, adminToken: string, sessions: SessionStore): void {
  for (const path of [HANDOVER_LEASE_PATH, HANDOVER_CONFIRM_PATH] as const) {
    app.post(path, {
      bodyLimit: 4096,
      // Checked before the body is read: without the token, nothing of the request is looked at.
      onRequest: (request, _reply, done) => { checkAdminToken(request.headers.authorization, adminToken); done(); },
    }, async (request, reply) => {
      void reply.header('Cache-Control', 'no-store');
      return answerHandover(path, request.body, sessions);
    });
  }
}
