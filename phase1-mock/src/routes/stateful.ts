/**
 * The stateful column (contract tag Stateful): the client sends only its `sid` cookie, and the
 * server keeps its state in the session store. Each change is one atomic store operation.
 */
import { Router, type CookieOptions, type Response } from 'express';
import type { AppContext } from '../context.ts';
import { ProblemError } from '../http/problem.ts';
import { SESSION_COOKIE, currentSession, sessionGuards } from '../http/session-auth.ts';
import { MAX_QUANTITY_PER_LINE, authenticate, priceCart, productNotFound, sessionView } from 'core';

export function statefulRoutes(ctx: AppContext): Router {
  const router = Router();
  const { withSession, withCsrf } = sessionGuards(ctx.sessions);
  const cookieOptions: CookieOptions = { httpOnly: true, sameSite: 'lax', secure: ctx.config.cookieSecure, path: '/' };

  /** The session is gone between the guard and the change: it expired or was ended meanwhile. */
  const gone = (): ProblemError => new ProblemError(401, 'SESSION_REQUIRED', 'The session ended while this request ran.');

  const sendCart = async (res: Response, cart: Record<string, number>): Promise<void> => {
    res.json(await priceCart(ctx.catalog, Object.entries(cart)));
  };

  router.post('/api/stateful/sessions', async (req, res) => {
    const body = req.body as { username: string; password: string } | undefined;
    let user = null;
    if (body !== undefined) {
      user = await authenticate(ctx.users, body.username, body.password);
      if (!user) throw new ProblemError(401, 'AUTH_INVALID_CREDENTIALS', 'Unknown user or wrong password.');
    }
    // Always a new id (no session fixation); a guest's counter and cart come along to the new one.
    const previousId: unknown = (req.cookies as Record<string, unknown>)[SESSION_COOKIE];
    const previous = typeof previousId === 'string' && previousId !== '' ? await ctx.sessions.touch(previousId) : null;
    const session = await ctx.sessions.create(user, previous ? { counter: previous.counter, cart: previous.cart } : undefined);
    if (previous) await ctx.sessions.destroy(previous.id);
    res.cookie(SESSION_COOKIE, session.id, cookieOptions);
    res.setHeader('Cache-Control', 'no-store');
    res.status(201).json(sessionView(session));
  });

  router.get('/api/stateful/sessions/current', withSession, (_req, res) => {
    res.json(sessionView(currentSession(res)));
  });

  router.delete('/api/stateful/sessions/current', withSession, withCsrf, async (_req, res) => {
    await ctx.sessions.destroy(currentSession(res).id);
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.status(204).end();
  });

  router.get('/api/stateful/counter', withSession, (_req, res) => {
    res.json({ value: currentSession(res).counter });
  });

  router.post('/api/stateful/counter/increment', withSession, withCsrf, async (_req, res) => {
    const value = await ctx.sessions.incrementCounter(currentSession(res).id);
    if (value === null) throw gone();
    res.json({ value });
  });

  router.get('/api/stateful/cart', withSession, async (_req, res) => {
    await sendCart(res, currentSession(res).cart);
  });

  router.post('/api/stateful/cart/items', withSession, withCsrf, async (req, res) => {
    const { productId, quantity } = req.body as { productId: string; quantity: number };
    if (!(await ctx.catalog.get(productId))) throw productNotFound([productId]);
    const change = await ctx.sessions.addToCart(currentSession(res).id, productId, quantity, MAX_QUANTITY_PER_LINE);
    if (change === null) throw gone();
    if (!change.ok) throw new ProblemError(422, 'CART_LIMIT_EXCEEDED', `At most ${MAX_QUANTITY_PER_LINE} of ${productId} per cart.`);
    await sendCart(res, change.cart);
  });

  router.delete('/api/stateful/cart/items/:productId', withSession, withCsrf, async (req, res) => {
    const { productId } = req.params as { productId: string };
    const change = await ctx.sessions.removeFromCart(currentSession(res).id, productId);
    if (change === null) throw gone();
    if (!change.ok) throw new ProblemError(404, 'RESOURCE_NOT_FOUND', `The cart has no line for ${productId}.`);
    await sendCart(res, change.cart);
  });

  router.get('/api/stateful/stats', async (_req, res) => {
    res.json({ liveSessions: await ctx.sessions.countLive(), store: ctx.sessions.kind, phase: ctx.config.phase, instance: ctx.config.instanceId });
  });

  return router;
}
