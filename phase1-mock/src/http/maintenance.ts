/** While the maintenance file exists, everything but the probes and metrics answers 503 (core's maintenanceProblem). */
import type { RequestHandler } from 'express';
import { maintenanceProblem, type MaintenanceSwitch } from 'core';

export function refuseDuringMaintenance(maintenance: MaintenanceSwitch): RequestHandler {
  return (req, _res, next) => {
    const problem = maintenanceProblem(maintenance, req.path);
    if (problem) throw problem;
    next();
  };
}
