/** Health probes and metrics (contract tag Health). */
import { Router } from 'express';
import { timed, round, type Check } from 'core';
import type { AppContext } from '../context.ts';

export function healthRoutes(ctx: AppContext): Router {
  const router = Router();
  const uptimeSeconds = (): number => round((Date.now() - ctx.startedAt) / 1000);

  const maintenanceCheck = (): Check => ({
    name: 'maintenance',
    status: ctx.maintenance.on ? 'fail' : 'pass',
    latencyMs: 0,
    detail: ctx.maintenance.on ? `maintenance file ${String(ctx.maintenance.file)} exists` : 'serving',
  });

  const report = async (checks: Check[]) => ({
    status: checks.every((check) => check.status === 'pass') ? ('pass' as const) : ('fail' as const),
    phase: ctx.config.phase,
    instance: ctx.config.instanceId,
    uptimeSeconds: uptimeSeconds(),
    checks: await Promise.resolve(checks),
  });

  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: uptimeSeconds() });
  });

  // Data is loaded before the server listens, so a reachable server has finished starting.
  router.get('/health/startup', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: uptimeSeconds() });
  });

  router.get('/health/ready', async (_req, res) => {
    const body = await report([maintenanceCheck(), await timed('sessionStore', async () => { await ctx.sessions.ping(); return 'in-memory Map'; })]);
    res.status(body.status === 'pass' ? 200 : 503).json(body);
  });

  router.get('/health', async (_req, res) => {
    const body = await report([
      maintenanceCheck(),
      await timed('sessionStore', async () => `in-memory Map, ${await ctx.sessions.countLive()} live sessions`),
      await timed('catalog', async () => { const page = await ctx.catalog.list(1, 0); return `JSON file, ${page.total} products`; }),
    ]);
    res.status(body.status === 'pass' ? 200 : 503).json(body);
  });

  router.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return router;
}
