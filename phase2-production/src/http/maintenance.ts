/** While the maintenance file exists, everything but the probes and metrics answers 503 (core's maintenanceProblem). */
import type { FastifyInstance } from 'fastify';
import { maintenanceProblem, type MaintenanceSwitch, pathOf } from 'core';

export function refuseDuringMaintenance(app: FastifyInstance, maintenance: MaintenanceSwitch): void {
  app.addHook('onRequest', (request, _reply, done) => {
    done(maintenanceProblem(maintenance, pathOf(request.url)) ?? undefined);
  });
}
