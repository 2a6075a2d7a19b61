/**
 * The limit on operations that check credentials or create sessions (@fastify/rate-limit), counted
 * in Redis so that every instance shares one budget per client and operation: behind a load
 * balancer, per-process counters would multiply a client's budget by the number of instances.
 *
 * If Redis is unreachable the limiter lets requests through (skipOnError) and logs it: token
 * sign-in needs only PostgreSQL, and should not go down with the session store.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { LIMITS_HASH_TAG, type RedisClient } from '../redis.ts';
import { ProblemError } from 'core';

export async function registerRateLimit(app: FastifyInstance, redis: RedisClient, max: number): Promise<void> {
  if (max === 0) return;
  await app.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `rl:${LIMITS_HASH_TAG}:`,
    skipOnError: true,
    keyGenerator: (request) => request.ip,
    // RateLimit-Limit, -Remaining and -Reset (the IETF draft's names, as phase 1 sends them), not
    // the plugin's default X-RateLimit-*.
    enableDraftSpec: true,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new ProblemError(429, 'RATE_LIMITED', `At most ${context.max} attempts per ${Math.round(context.ttl / 1000) || 1} s from one client.`, {
          headers: { 'Retry-After': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
        }),
        { statusCode: 429 },
      ),
  });
}

/**
 * Route options for a limited operation: its own budget, keyed per route by the plugin, and the
 * `RateLimit-Policy` header (the draft's quota and window, `20;w=60`), which the plugin does not
 * send and phase 1's limiter does.
 */
export function rateLimitRoute(max: number, windowSeconds: number): Pick<RouteOptions, 'config' | 'onSend'> {
  if (max === 0) return {};
  const policy = `${max};w=${windowSeconds}`;
  return {
    config: { rateLimit: { max, timeWindow: windowSeconds * 1000 } },
    onSend: (_request, reply, payload, done) => {
      void reply.header('RateLimit-Policy', policy);
      done(null, payload);
    },
  };
}
