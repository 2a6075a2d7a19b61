/**
 * The stateful column (contract tag Stateful): the client sends only its `sid` cookie, and the
 * server keeps its state in Redis, where every instance finds it. Each change is one atomic
 * store operation; the audit trail is appended to off the request's critical path.
 */
import type { FastifyReply } from 'fastify';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { MAX_QUANTITY_PER_LINE, ProblemError, authenticate, priceCart, productNotFound, sessionView, type SessionUser } from 'core';
import type { AppContext, OperationRoutes } from '../context.ts';
import { rateLimitConfig } from '../http/rate-limit.ts';
import { SESSION_COOKIE, currentSession, sessionGuards } from '../http/session-auth.ts';

export function statefulRoutes(ctx: AppContext): OperationRoutes {
  const { withSession, withCsrf } = sessionGuards(ctx.sessions);
  const cookieOptions: CookieSerializeOptions = { httpOnly: true, sameSite: 'lax', secure: ctx.config.cookieSecure, path: '/' };

  /** The session is gone between the guard and the change: it expired or was ended meanwhile. */
  const gone = (): ProblemError => new ProblemError(401, 'SESSION_REQUIRED', 'The session ended while this request ran.');

  const pricedCart = (cart: Record<string, number>) => priceCart(ctx.catalog, Object.entries(cart));

  return {
    createSession: {
      config: rateLimitConfig(ctx.config.authRateLimitMax, ctx.config.authRateLimitWindowSeconds),
      handler: async (request, reply: FastifyReply) => {
        const body = request.body as { username: string; password: string } | undefined | null;
        let user: SessionUser | null = null;
        if (body) {
          user = await authenticate(ctx.users, body.username, body.password);
          if (!user) throw new ProblemError(401, 'AUTH_INVALID_CREDENTIALS', 'Unknown user or wrong password.');
        }
        // Always a new id (no session fixation); a guest's counter and cart come along to the new one.
        const previousId = request.cookies[SESSION_COOKIE];
        const previous = previousId !== undefined && previousId !== '' ? await ctx.sessions.touch(previousId) : null;
        const session = await ctx.sessions.create(user, previous ? { counter: previous.counter, cart: previous.cart } : undefined);
        if (previous) {
          await ctx.sessions.destroy(previous.id);
          ctx.audit.record({ sessionId: previous.id, event: 'ended', username: previous.user?.username ?? null });
        }
        ctx.audit.record({ sessionId: session.id, event: user ? 'signed_in' : 'created', username: user?.username ?? null });
        void reply.setCookie(SESSION_COOKIE, session.id, cookieOptions).header('Cache-Control', 'no-store').code(201);
        return sessionView(session);
      },
    },

    getCurrentSession: {
      preHandler: [withSession],
      handler: (request) => Promise.resolve(sessionView(currentSession(request))),
    },

    endCurrentSession: {
      preHandler: [withSession, withCsrf],
      handler: async (request, reply) => {
        const session = currentSession(request);
        await ctx.sessions.destroy(session.id);
        ctx.audit.record({ sessionId: session.id, event: 'ended', username: session.user?.username ?? null });
        return reply.clearCookie(SESSION_COOKIE, cookieOptions).code(204).send();
      },
    },

    getSessionCounter: {
      preHandler: [withSession],
      handler: (request) => Promise.resolve({ value: currentSession(request).counter }),
    },

    incrementSessionCounter: {
      preHandler: [withSession, withCsrf],
      handler: async (request) => {
        const value = await ctx.sessions.incrementCounter(currentSession(request).id);
        if (value === null) throw gone();
        return { value };
      },
    },

    getSessionCart: {
      preHandler: [withSession],
      handler: (request) => pricedCart(currentSession(request).cart),
    },

    addCartItem: {
      preHandler: [withSession, withCsrf],
      handler: async (request) => {
        const { productId, quantity } = request.body as { productId: string; quantity: number };
        if (!(await ctx.catalog.get(productId))) throw productNotFound([productId]);
        const change = await ctx.sessions.addToCart(currentSession(request).id, productId, quantity, MAX_QUANTITY_PER_LINE);
        if (change === null) throw gone();
        if (!change.ok) throw new ProblemError(422, 'CART_LIMIT_EXCEEDED', `At most ${MAX_QUANTITY_PER_LINE} of ${productId} per cart.`);
        return pricedCart(change.cart);
      },
    },

    removeCartItem: {
      preHandler: [withSession, withCsrf],
      handler: async (request) => {
        const { productId } = request.params as { productId: string };
        const change = await ctx.sessions.removeFromCart(currentSession(request).id, productId);
        if (change === null) throw gone();
        if (!change.ok) throw new ProblemError(404, 'RESOURCE_NOT_FOUND', `The cart has no line for ${productId}.`);
        return pricedCart(change.cart);
      },
    },

    getSessionStats: {
      handler: async () => ({ liveSessions: await ctx.sessions.countLive(), store: ctx.sessions.kind, phase: ctx.config.phase, instance: ctx.config.instanceId }),
    },
  };
}
