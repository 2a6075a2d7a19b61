/**
 * Health probes and metrics (contract tag Health). Liveness says only that the process answers;
 * readiness adds the instance's state and its dependencies (a load balancer stops sending when it
 * fails); the full report adds the live session count, for people.
 */
import { round, type Check } from '../health.ts';
import type { Operation, OperationContext, OperationResponse } from './types.ts';

const uptimeSeconds = (context: OperationContext): number => round((Date.now() - context.health.startedAt) / 1000);

function report(context: OperationContext, checks: Check[]): OperationResponse {
  const pass = checks.every((check) => check.status === 'pass');
  return {
    status: pass ? 200 : 503,
    body: { status: pass ? 'pass' : 'fail', phase: context.phase, instance: context.instanceId, uptimeSeconds: uptimeSeconds(context), checks },
  };
}

export const getLiveness: Operation = (_request, context) => Promise.resolve({ status: 200, body: { status: 'ok', uptimeSeconds: uptimeSeconds(context) } });

// Each server listens only once it has started (data loaded, schema checked), so a reachable
// server has finished starting.
export const getStartup: Operation = getLiveness;

export const getReadiness: Operation = async (_request, context) => report(context, [...context.health.states(), ...(await context.health.dependencies())]);

export const getHealth: Operation = async (_request, context) => {
  const dependencies = await context.health.dependencies();
  const live = await context.sessions.countLive().then((n) => `, ${n} live sessions`, () => '');
  const checks = dependencies.map((check) => (check.name === 'sessionStore' && check.status === 'pass' ? { ...check, detail: `${check.detail ?? ''}${live}` } : check));
  return report(context, [...context.health.states(), ...checks]);
};

export const getMetrics: Operation = async (_request, context) => ({
  status: 200,
  text: { contentType: context.metrics.contentType, content: await context.metrics.render() },
});
