/** Health probes and metrics (contract tag Health). Readiness follows Redis and PostgreSQL; liveness does not. */
import { round, timed, type Check } from 'core';
import type { AppContext, OperationRoutes } from '../context.ts';

export function healthRoutes(ctx: AppContext): OperationRoutes {
  const uptimeSeconds = (): number => round((Date.now() - ctx.startedAt) / 1000);

  const stateChecks = (): Check[] => [
    { name: 'maintenance', status: ctx.maintenance.on ? 'fail' : 'pass', latencyMs: 0, detail: ctx.maintenance.on ? `maintenance file ${String(ctx.maintenance.file)} exists` : 'serving' },
    { name: 'shutdown', status: ctx.lifecycle.draining ? 'fail' : 'pass', latencyMs: 0, detail: ctx.lifecycle.draining ? 'draining' : 'running' },
  ];
  const dependencyChecks = (): Promise<Check[]> =>
    Promise.all([
      timed('sessionStore', async () => { await ctx.sessions.ping(); return 'Redis'; }),
      timed('database', async () => { await ctx.catalog.ping(); return 'PostgreSQL'; }),
    ]);
  const report = (checks: Check[]) => ({
    status: checks.every((check) => check.status === 'pass') ? ('pass' as const) : ('fail' as const),
    phase: ctx.config.phase,
    instance: ctx.config.instanceId,
    uptimeSeconds: uptimeSeconds(),
    checks,
  });

  return {
    getLiveness: { handler: () => Promise.resolve({ status: 'ok', uptimeSeconds: uptimeSeconds() }) },
    // server.ts listens only once migrations are checked, so a reachable server has started.
    getStartup: { handler: () => Promise.resolve({ status: 'ok', uptimeSeconds: uptimeSeconds() }) },
    getReadiness: {
      handler: async (_request, reply) => {
        const body = report([...stateChecks(), ...(await dependencyChecks())]);
        return reply.code(body.status === 'pass' ? 200 : 503).send(body);
      },
    },
    getHealth: {
      handler: async (_request, reply) => {
        const [redis, database] = await dependencyChecks();
        const live = await ctx.sessions.countLive().then((n) => `, ${n} live sessions`, () => '');
        const checks = [...stateChecks(), ...(redis ? [{ ...redis, detail: `Redis${live}` }] : []), ...(database ? [database] : [])];
        const body = report(checks);
        return reply.code(body.status === 'pass' ? 200 : 503).send(body);
      },
    },
    getMetrics: {
      handler: async (_request, reply) => reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics()),
    },
  };
}
